"""Reads for restore jobs, scoped to one workspace (S2)."""
from django.db.models import OuterRef, QuerySet, Subquery

from contacts_app.models import Contact

from .models import RestoreJob, RestoreJobItem, SKIP_LABELS


def job_for(*, workspace, job_id: int) -> RestoreJob | None:
    return RestoreJob.objects.filter(workspace=workspace, id=job_id).select_related("requested_by").first()


def recent_jobs(*, workspace, limit: int = 20) -> QuerySet[RestoreJob]:
    return RestoreJob.objects.filter(workspace=workspace).select_related("requested_by").order_by("-created_at")[:limit]


def job_report_rows(*, job: RestoreJob):
    """R10: one row per requested contact with its outcome. Ids that are not
    contacts of this workspace show no email: their existence is not revealed."""
    own = Contact.objects.filter(workspace_id=job.workspace_id, id=OuterRef("contact_id"))
    items = (
        RestoreJobItem.objects.filter(job=job)
        .annotate(email=Subquery(own.values("email")), first_name=Subquery(own.values("first_name")), last_name=Subquery(own.values("last_name")))
        .order_by("position")
        .values_list("contact_id", "email", "first_name", "last_name", "outcome")
    )
    for contact_id, email, first, last, outcome in items.iterator(chunk_size=2000):
        status = "restored" if outcome == "restored" else ("pending" if not outcome else "skipped")
        reason = "" if outcome in ("restored", "") else SKIP_LABELS.get(outcome, outcome)
        yield contact_id, email or "", first or "", last or "", status, outcome if status == "skipped" else "", reason
