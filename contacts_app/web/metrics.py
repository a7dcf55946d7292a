"""GET /metrics for operators (A6): the job machinery in Prometheus' text format — per
kind, jobs by status, items pending, chunk durations (a histogram), failures, crashes and
sweeper recoveries. Read from the database, so one scrape sees the whole fleet. Only for
a caller with the METRICS_TOKEN bearer token, or from an address in METRICS_ALLOWED_IPS."""

import hmac

from django.conf import settings
from django.db.models import Count, F, Sum
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from contacts_app.job_models import ACTIVE_JOB_STATUSES, JobStatus
from contacts_app.jobs.kinds import KINDS
from contacts_app.lib.client import client_address
from contacts_app.models import JobMetric


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].encode(), token.encode()):
        return True
    return client_address(request) in settings.METRICS_ALLOWED_IPS


class JobCollector:
    """Built at each scrape from the job tables and the shared counters."""

    def collect(self):
        jobs = GaugeMetricFamily("crm_jobs", "Background jobs by kind and status.", labels=["kind", "status"])
        pending = GaugeMetricFamily(
            "crm_job_items_pending", "Items of queued or running jobs not processed yet.", labels=["kind"]
        )
        for name, kind in sorted(KINDS.items()):
            counts = dict(kind.model.objects.values_list("status").annotate(n=Count("id")).order_by())
            for status in JobStatus.values:
                jobs.add_metric([name, status], counts.get(status, 0))
            active = kind.model.objects.filter(status__in=ACTIVE_JOB_STATUSES)
            left = active.aggregate(n=Sum(F("requested") - F("cursor")))["n"] or 0
            pending.add_metric([name], max(0, left))
        yield jobs
        yield pending

        stored: dict[tuple[str, str], dict[str, float]] = {}
        for kind, name, le, value in JobMetric.objects.values_list("kind", "name", "le", "value"):
            stored.setdefault((kind, name), {})[le] = value
        chunks = HistogramMetricFamily(
            "crm_job_chunk_seconds", "Time one chunk took, commit included.", labels=["kind"]
        )
        for name in sorted(KINDS):
            buckets = stored.get((name, "chunk_seconds_bucket"), {})
            running, cumulative = 0.0, []
            for bound in sorted((b for b in buckets if b != "+Inf"), key=float):
                running += buckets[bound]
                cumulative.append((bound, running))
            cumulative.append(("+Inf", running + buckets.get("+Inf", 0)))
            total = stored.get((name, "chunk_seconds_sum"), {}).get("", 0)
            chunks.add_metric([name], cumulative, total)
        yield chunks
        for metric, help_text in (
            ("failures", "Jobs failed after their last attempt."),
            ("crashes", "Tasks that crashed mid-job (the job is resumed)."),
            ("sweeper_recoveries", "Jobs the sweeper enqueued again (never picked up, or their worker died)."),
        ):
            family = CounterMetricFamily(f"crm_job_{metric}", help_text, labels=["kind"])
            for name in sorted(KINDS):
                family.add_metric([name], stored.get((name, metric), {}).get("", 0))
            yield family


@require_GET
def metrics(request):
    if not _allowed(request):
        return HttpResponseForbidden(
            "Metrics need the METRICS_TOKEN bearer token or an address in METRICS_ALLOWED_IPS."
        )
    registry = CollectorRegistry()
    registry.register(JobCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
