"""A kind of background job, declared once (R4, R5, R11, R13, R14), in the spirit of
NetBox's JobRunner and Sentry's deletion tasks: the machinery owns creating a job (one
at a time per workspace where the kind's model has the partial unique index), the
claim by a conditional update, chunk claims with `FOR UPDATE SKIP LOCKED`, runs within
a time budget, resuming after a crash, the sweeper, cancel and retry, attempts (failed
after MAX_ATTEMPTS), counters added at each chunk's commit, per-item outcomes, the
helpers that let a fleet share one job, and the finished notice. A kind supplies what
is its own: its models and task names, how one chunk is processed, what its counters
are called, and its words (the audit rows, the sentences)."""

import json
import logging
import time
from collections import Counter
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import ngettext

from contacts_app.audit import audit_log
from contacts_app.job_models import (
    ACTIVE_JOB_STATUSES,
    FINISHED_JOB_STATUSES,
    BackgroundJob,
    JobStatus,
    job_stale_before,
)
from contacts_app.jobs.machinery import (
    job_chunk_commit,
    job_claim,
    job_enqueue,
    job_items_claim,
    job_items_insert,
    job_joinable,
    job_number_next,
    job_outcomes_write,
    job_steps_run,
    jobs_to_resume,
)
from contacts_app.jobs.metrics import chunk_observe, event_count
from contacts_app.jobs.queueing import publish, publish_soon
from contacts_app.lib.errors import ServiceError
from contacts_app.lib.i18n import num
from contacts_app.lib.sqlutil import CompiledQuery
from contacts_app.models import AuditEvent, Workspace
from contacts_app.notices import notice_send
from contacts_app.services.webhooks import webhook_emit

log = logging.getLogger(__name__)


class ChunkClock:
    """Where a chunk's time goes (claim, the kind's work, outcomes, counters, commit),
    appended as one JSON line to JOB_PROFILE when that is set (the P1 benchmark reads
    it); nothing is measured otherwise."""

    def __init__(self):
        self.path = settings.JOB_PROFILE
        self.laps: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        if self.path:
            now = time.perf_counter()
            self.laps[name] = round((now - self.last) * 1000, 2)
            self.last = now

    def record(self, items: int) -> None:
        if self.path:
            with open(self.path, "a") as fh:
                fh.write(json.dumps({"items": items, **self.laps}) + "\n")


KINDS: dict[str, "JobKind"] = {}  # every kind declared, by name (read by /metrics)


class JobKind:
    """Subclass once per kind and set the class attributes; call the methods on the one
    instance (`RESTORE_JOBS = RestoreJobs()`)."""

    name: str  # the kind in metrics and logs: "restore", "archive", "export", "incident_revert"
    model: type[BackgroundJob]
    item_model: type[models.Model]
    subject: str  # the items' column naming what each item is about: "contact_id"
    run_task: str  # the Celery task that runs a job, by name
    notify_task: str = ""  # R13: the task that tells the requester it finished ("" for none)
    one_at_a_time: bool = True  # one queued-or-running job per workspace (and a partial unique index)
    audit_action: str = ""  # AuditEvent.Action of the requested/finished rows ("": the kind audits its chunks)
    audit_key: str = "job"  # the key of the job's id in the audit details: each kind its own
    default_outcome: str | None = None  # an item the chunk did not report (None: each must be)
    helpers: bool = False  # R14: the claiming task queues JOB_WORKERS_PER_JOB - 1 helpers
    async_commit: bool = False  # a chunk lost in a crash is redone whole: no WAL flush wait
    event_type: str = ""  # W2: the outgoing webhook event when a job ends ("restore_job.finished")

    def __init__(self):
        assert all(k.audit_key != self.audit_key for k in KINDS.values() if k.name != self.name), self.audit_key
        KINDS[self.name] = self
        # P5: every list page asks whether a job runs; the usual answer, none, costs one
        # precompiled lookup and no ORM compilation.
        self._active_id = CompiledQuery(
            lambda workspace_id: (
                self.model.objects.filter(workspace_id=workspace_id, status__in=ACTIVE_JOB_STATUSES)
                .order_by("id")
                .values_list("id")[:1]
            ),
            workspace_id=int,
        )

    # --- what a kind says -------------------------------------------------------------

    def in_progress(self, job: BackgroundJob | None) -> ServiceError:
        """The refusal while another job of this kind is active in the workspace."""
        raise NotImplementedError

    def give_up(self) -> str:
        """The job's error once it stopped MAX_ATTEMPTS times."""
        raise NotImplementedError

    def process(self, *, job: BackgroundJob, subject_ids: list[int], now: datetime) -> dict[int, str]:
        """One chunk's work, inside the chunk's transaction: each subject's outcome."""
        raise NotImplementedError

    def counters(self, tally: Counter) -> dict[str, int]:
        """The job's counter columns to add for a chunk whose outcomes are `tally`."""
        raise NotImplementedError

    def requested_details(self, job: BackgroundJob) -> dict:
        return {}

    def finished_event(self, job: BackgroundJob) -> None:
        """W2: `<kind>.finished` to the workspace's webhook endpoints, in the transaction
        that ends the job (succeeded, failed or cancelled)."""
        if not self.event_type:
            return
        counts = self.finished_audit(job)[1] if self.audit_action else {}
        webhook_emit(
            workspace_id=job.workspace_id,
            type=self.event_type,
            data={
                "id": job.id,
                "number": job.number,
                "status": job.status,
                "finished_at": job.finished_at.isoformat() if job.finished_at else None,
                "counts": counts,
            },
        )

    def finished_audit(self, job: BackgroundJob) -> tuple[int, dict]:
        """(count, details) of the audit row written when the job finishes."""
        raise NotImplementedError

    def notice(self, job: BackgroundJob) -> tuple[str, str, str]:
        """(subject, message, page path) telling the requester the job finished."""
        raise NotImplementedError

    @staticmethod
    def summary(job: BackgroundJob, *, title: str, counts: list[str]) -> str:
        """R13/U7: "<title>: 3 restored, 1 not restored, 2 not processed of 6 requested."
        Each count is its own plural message (French: « 1 restauré », « 0 non restauré »,
        never « 1 restaurés »), and so is the sentence (« sur 1 demandé »)."""
        if job.not_processed:
            counts = [
                *counts,
                ngettext("%(n)s not processed", "%(n)s not processed", job.not_processed)
                % {"n": num(job.not_processed)},
            ]
        sentence = ngettext(
            "%(title)s: %(counts)s of %(requested)s requested.",
            "%(title)s: %(counts)s of %(requested)s requested.",
            job.requested,
        ) % {"title": title, "counts": ", ".join(counts), "requested": num(job.requested)}
        return sentence + (f" {job.error}" if job.error else "")

    # --- the machinery -----------------------------------------------------------------

    def active(self, *, workspace: Workspace) -> BackgroundJob | None:
        found = self._active_id(workspace_id=workspace.id)
        if not found:
            return None
        return self.model.objects.filter(id=found[0][0], status__in=ACTIVE_JOB_STATUSES).first()

    def create(self, *, workspace: Workspace, actor, ids: list[int], **fields) -> BackgroundJob:
        """Write the job and one item per id, in order, with the "requested" audit row,
        in one transaction; publish it after the commit. One active job of the kind per
        workspace: checked first, and the partial unique index has the last word."""
        existing = self.active(workspace=workspace) if self.one_at_a_time else None
        if existing:
            raise self.in_progress(existing)
        try:
            with transaction.atomic():
                job = self.model.objects.create(
                    number=job_number_next(model=self.model, workspace_id=workspace.id),
                    workspace=workspace,
                    requested_by=actor if getattr(actor, "is_authenticated", False) else None,
                    requested=len(ids),
                    language=translation.get_language() or "",
                    **fields,
                )
                job_items_insert(item_model=self.item_model, job_id=job.id, column=self.subject, ids=ids)
                if self.audit_action:
                    audit_log(
                        workspace_id=workspace.id,
                        actor=actor,
                        action=self.audit_action,
                        count=len(ids),
                        details={self.audit_key: job.id, "phase": "requested", **self.requested_details(job)},
                    )
                transaction.on_commit(lambda: self.enqueue_soon(job_id=job.id))
        except IntegrityError:
            if not self.one_at_a_time:
                raise
            raise self.in_progress(self.active(workspace=workspace)) from None
        return job

    def enqueue(self, *, job_id: int) -> bool:
        return job_enqueue(model=self.model, task=self.run_task, job_id=job_id)

    def enqueue_soon(self, *, job_id: int) -> None:
        """From a request: at most ENQUEUE_WAIT on the broker (R11: under 2 s with the
        broker down). A late duplicate is harmless: a job is claimed by a conditional update."""
        label = self.model._meta.model_name
        publish_soon(lambda: self.enqueue(job_id=job_id), name=f"enqueue-{label}-{job_id}")

    def notify_soon(self, *, job_id: int) -> None:
        """From the transaction that finished the job: tell the requester once it commits."""
        if self.notify_task:
            transaction.on_commit(lambda: publish(self.notify_task, job_id))

    def claim(self, *, job_id: int, now: datetime | None = None) -> bool:
        """R11: take the job for this worker (a conditional update; an attempt)."""
        result = job_claim(model=self.model, job_id=job_id, now=now or timezone.now(), give_up=self.give_up())
        if result == "failed":
            event_count(kind=self.name, name="failures")
            with transaction.atomic():
                failed = self.model.objects.filter(id=job_id).first()
                if failed is not None:
                    self.finished_event(failed)
            if self.notify_task:
                publish(self.notify_task, job_id)  # R13 (no transaction here; the sweeper covers a lost message)
        return result == "claimed"

    def commit_mode(self, *, durable: bool) -> None:
        """P1/R11: a kind with `async_commit` commits its chunks without waiting for the
        WAL flush (PostgreSQL `SET LOCAL synchronous_commit`): a chunk's effects, its
        items' outcomes and the job's counters are one transaction, so a commit lost in a
        crash is a chunk lost whole and done again, never half of one. The last chunk,
        whose commit tells the requester, is durable."""
        if self.async_commit and connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"SET LOCAL synchronous_commit TO {'ON' if durable else 'OFF'}")

    def step(self, *, job_id: int, chunk_size: int | None = None, now: datetime | None = None) -> bool:
        """R11/R14: one chunk of a running job — the next items no other worker holds —
        in ONE transaction with its outcomes, the job's counters and heartbeat (and, for
        the last chunk, the finished audit row). A crash rolls the whole chunk back and
        its items are claimed again, so nothing is processed twice, whichever worker dies
        when. False when this worker found nothing left (done, cancelled, or the rest
        held by others)."""
        chunk_size = chunk_size or settings.JOB_CHUNK_SIZE
        clock = ChunkClock()
        started = time.perf_counter()
        with transaction.atomic():
            self.commit_mode(durable=False)
            job = self.model.objects.select_related("workspace", "requested_by").get(id=job_id)
            if job.status != JobStatus.RUNNING:
                return False  # cancelled (or finished): no new chunk starts
            now = now or timezone.now()
            items = job_items_claim(
                item_model=self.item_model, job_id=job.id, limit=chunk_size, columns=("id", self.subject)
            )
            if not items:
                return False
            clock.lap("claim")
            outcomes = self.process(job=job, subject_ids=[sid for _item, sid in items], now=now)
            clock.lap("process")
            tally = job_outcomes_write(
                item_model=self.item_model, items=items, outcomes=outcomes, default=self.default_outcome
            )
            clock.lap("outcomes")
            counters = self.counters(tally)
            if job_chunk_commit(model=self.model, job_id=job.id, processed=len(items), counters=counters, now=now):
                self.commit_mode(durable=True)  # the job's end is told: its commit waits for the disk
                job.refresh_from_db()
                self.notify_soon(job_id=job.id)
                self.finished_event(job)
                if self.audit_action:
                    count, details = self.finished_audit(job)
                    audit_log(
                        workspace_id=job.workspace_id,
                        actor=job.requested_by,
                        action=self.audit_action,
                        count=count,
                        details={self.audit_key: job.id, "phase": "finished", **details},
                    )
            clock.lap("counters")
        clock.lap("commit")
        clock.record(len(items))
        chunk_observe(kind=self.name, seconds=time.perf_counter() - started)
        return True

    def run(self, *, job_id: int) -> str:
        """Run a job until nothing is left for this worker, or until the task's time
        budget is spent (then another task is queued to carry on, keeping each task far
        below the broker's visibility timeout). R14: the worker that claims the job
        queues helpers; every free worker that picks one up joins and takes chunks."""
        now = timezone.now()
        if self.claim(job_id=job_id, now=now):
            if self.helpers:
                for _helper in range(settings.JOB_WORKERS_PER_JOB - 1):
                    publish(self.run_task, job_id)
        elif not job_joinable(model=self.model, job_id=job_id, now=now):
            return "not_claimed"
        finished, chunks = job_steps_run(
            step=lambda: self.step(job_id=job_id), carry_on=lambda: self.enqueue(job_id=job_id)
        )
        return f"done: {chunks} chunks" if finished else f"continued after {chunks} chunks"

    def run_in_task(self, *, job_id: int) -> str:
        """`run` for a Celery task: a soft time limit or a crash leaves the job running
        with its committed chunks; the sweeper resumes it, and the attempts counter
        fails it after MAX_ATTEMPTS instead of looping forever."""
        try:
            return self.run(job_id=job_id)
        except SoftTimeLimitExceeded:
            log.warning("%s %s hit the soft time limit; it will be resumed", self.model._meta.model_name, job_id)
            return "timeout"
        except Exception as exc:  # any crash: the job row keeps the truth, the sweeper resumes it
            log.exception("%s %s crashed", self.model._meta.model_name, job_id)
            event_count(kind=self.name, name="crashes")
            return f"error: {exc}"

    def sweep(self, *, now: datetime | None = None) -> int:
        """Periodic: enqueue jobs accepted but never picked up (the broker was down) and
        jobs whose worker died (stale heartbeat), and the R13 notice of finished jobs
        whose message was lost. Returns how many jobs were enqueued."""
        now = now or timezone.now()
        job_ids = jobs_to_resume(model=self.model, now=now)
        for job_id in job_ids:
            self.enqueue(job_id=job_id)
        event_count(kind=self.name, name="sweeper_recoveries", n=len(job_ids))
        if self.notify_task:
            untold = self.model.objects.filter(
                status__in=FINISHED_JOB_STATUSES, notified_at__isnull=True, finished_at__lt=job_stale_before(now)
            ).values_list("id", flat=True)
            for job_id in untold:
                publish(self.notify_task, job_id)
        return len(job_ids)

    def cancel(self, *, job_id: int, actor, reason: str = "") -> bool:
        """Stop a job at its next chunk; what was done stays done. `reason` is what the
        job's page says (by default: support cancelled it)."""
        with transaction.atomic():
            job = self.model.objects.select_for_update().filter(id=job_id).first()
            if job is None or not job.is_active:
                return False
            job.status, job.finished_at = JobStatus.CANCELLED, timezone.now()
            job.error = reason or f"Cancelled by support ({actor.get_username()})."
            job.save(update_fields=["status", "finished_at", "error"])
            self.finished_event(job)
            audit_log(
                workspace_id=job.workspace_id,
                actor=actor,
                action=AuditEvent.Action.STAFF_CHANGE,
                details={self.audit_key: job.id, "verb": "cancel"},
            )
            self.notify_soon(job_id=job.id)
        return True

    def retry(self, *, job_id: int, actor) -> bool:
        """Resume a failed or cancelled job from where it stopped."""
        try:
            with transaction.atomic():
                job = self.model.objects.select_for_update().filter(id=job_id).first()
                if job is None or job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
                    return False
                if job.cursor >= job.requested:
                    return False
                job.status, job.attempts, job.error = JobStatus.QUEUED, 0, ""
                job.finished_at = job.enqueued_at = job.notified_at = None  # its next end is told again (R13)
                job.save(update_fields=["status", "attempts", "error", "finished_at", "enqueued_at", "notified_at"])
                audit_log(
                    workspace_id=job.workspace_id,
                    actor=actor,
                    action=AuditEvent.Action.STAFF_CHANGE,
                    details={self.audit_key: job.id, "verb": "retry"},
                )
                transaction.on_commit(lambda: self.enqueue_soon(job_id=job_id))
        except IntegrityError:
            if not self.one_at_a_time:
                raise
            raise self.in_progress(None) from None
        return True

    def notify(self, *, job_id: int) -> bool:
        """R13: tell the requester, once (the job row records it). False when there is
        nothing (more) to send."""
        with transaction.atomic():
            claimed = self.model.objects.filter(
                id=job_id, status__in=FINISHED_JOB_STATUSES, notified_at__isnull=True
            ).update(notified_at=timezone.now())
            if not claimed:
                return False
            job = self.model.objects.select_related("workspace", "requested_by").get(id=job_id)
            if job.requested_by is None:
                return True
            with translation.override(job.language or settings.LANGUAGE_CODE):  # U3: the requester's language
                subject, message, path = self.notice(job)
                notice_send(workspace=job.workspace, user=job.requested_by, subject=subject, message=message, path=path)
        return True
