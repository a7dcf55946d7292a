"""C8: revert a provider incident — undo, in the background, every cleaning that
matches a provider, a time window and a class. The job uses the shared machinery
(contacts_app.jobs.machinery): claimed by a conditional update, chunks that commit with their
outcomes, counters, cursor and audit row, resumed from the cursor after a crash, one
active incident revert per workspace (a partial unique index)."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts_app.audit import audit_log
from contacts_app.jobs.machinery import (
    ACTIVE_JOB_STATUSES,
    MAX_ATTEMPTS,
    JobStatus,
    job_chunk_commit,
    job_claim,
    job_enqueue,
    job_items_claim,
    job_items_insert,
    job_joinable,
    job_outcomes_write,
    job_steps_run,
    jobs_to_resume,
)
from contacts_app.jobs.queueing import publish_soon
from contacts_app.lib.errors import Conflict, InvalidInput
from contacts_app.models import AuditEvent, ContactStatus, EmailStatus, Workspace

from ..models import (
    BounceClass,
    Cleaning,
    IncidentRevertItem,
    IncidentRevertJob,
    RevertOutcome,
)
from .cleanings import cleanings_undo, unclean_reason

RUN_TASK = "cleaned.tasks.incident_revert_run_task"
SAMPLE = 10


@dataclass(frozen=True)
class Incident:
    """What the admin picked: provider, window (from inclusive, until exclusive), class ("" = any)."""

    workspace: Workspace
    provider: str
    bounce_class: str
    cleaned_from: datetime
    cleaned_until: datetime

    def __post_init__(self):
        if self.cleaned_from >= self.cleaned_until:
            raise InvalidInput(_("The window's end must come after its start."), code="invalid_window")
        if self.bounce_class and self.bounce_class not in BounceClass.values:
            raise InvalidInput(
                _("'bounce_class' must be one of %(values)s.") % {"values": ", ".join(BounceClass.values)},
                code="invalid_class",
            )

    def cleanings(self) -> QuerySet[Cleaning]:
        """The cleanings in force that match, on contacts still active and cleaned."""
        qs = Cleaning.objects.filter(
            workspace=self.workspace,
            provider=self.provider,
            undone_at__isnull=True,
            cleaned_at__gte=self.cleaned_from,
            cleaned_at__lt=self.cleaned_until,
            contact__status=ContactStatus.ACTIVE,
            contact__email_status=EmailStatus.CLEANED,
        )
        return qs.filter(bounce_class=self.bounce_class) if self.bounce_class else qs


@dataclass(frozen=True)
class IncidentPreview:
    count: int
    sample: list[dict]


def incident_preview(*, incident: Incident) -> IncidentPreview:
    """C8: how many cleanings match, and the first few addresses with their evidence."""
    qs = incident.cleanings()
    sample = list(
        qs.order_by("cleaned_at", "id").values("contact__email", "cleaned_at", "code", "bounce_class")[:SAMPLE]
    )
    return IncidentPreview(count=qs.count(), sample=sample)


def active_revert(*, workspace: Workspace) -> IncidentRevertJob | None:
    return IncidentRevertJob.objects.filter(workspace=workspace, status__in=ACTIVE_JOB_STATUSES).first()


def _in_progress() -> Conflict:
    return Conflict(
        _("An incident revert is already running in this workspace; wait until it finishes."), code="revert_in_progress"
    )


def incident_revert_create(*, incident: Incident, actor, reason: str) -> IncidentRevertJob:
    """C8: accept the revert and queue it; the matching cleanings are fixed now (the
    preview's set), in cleaning order."""
    reason = unclean_reason(reason)
    ws = incident.workspace
    if active_revert(workspace=ws):
        raise _in_progress()
    ids = list(incident.cleanings().order_by("id").values_list("id", flat=True))
    if not ids:
        raise InvalidInput(
            _("No cleaning matches this provider, window and class: nothing to revert."), code="nothing_to_revert"
        )
    try:
        with transaction.atomic():
            job = IncidentRevertJob.objects.create(
                workspace=ws,
                requested_by=actor if getattr(actor, "is_authenticated", False) else None,
                provider=incident.provider,
                bounce_class=incident.bounce_class,
                cleaned_from=incident.cleaned_from,
                cleaned_until=incident.cleaned_until,
                reason=reason,
                requested=len(ids),
            )
            job_items_insert(item_model=IncidentRevertItem, job_id=job.id, column="cleaning_id", ids=ids)
            audit_log(
                workspace_id=ws.id,
                actor=actor,
                action=AuditEvent.Action.UNCLEAN,
                count=len(ids),
                details={"revert_job": job.id, "phase": "requested", "provider": incident.provider, "reason": reason},
            )
            transaction.on_commit(
                lambda: publish_soon(lambda: incident_revert_enqueue(job_id=job.id), name=f"enqueue-revert-{job.id}")
            )
    except IntegrityError:
        raise _in_progress() from None
    return job


def incident_revert_enqueue(*, job_id: int) -> bool:
    return job_enqueue(model=IncidentRevertJob, task=RUN_TASK, job_id=job_id)


def incident_revert_step(*, job_id: int, chunk_size: int | None = None, now: datetime | None = None) -> bool:
    """One chunk — the next items no other worker holds — in ONE transaction with its
    outcomes, the job's counters, heartbeat and audit row; a crash loses the chunk
    whole and its items are claimed again. `cleanings_undo` skips a cleaning already
    undone, so nobody is un-cleaned twice. False when nothing is left for this worker."""
    chunk_size = chunk_size or settings.JOB_CHUNK_SIZE
    with transaction.atomic():
        job = IncidentRevertJob.objects.select_related("workspace", "requested_by").get(id=job_id)
        if job.status != JobStatus.RUNNING:
            return False
        now = now or timezone.now()
        items = job_items_claim(
            item_model=IncidentRevertItem, job_id=job.id, limit=chunk_size, columns=("id", "cleaning_id")
        )
        if not items:
            return False
        outcomes = cleanings_undo(
            workspace=job.workspace,
            cleaning_ids=[cid for _item, cid in items],
            actor=job.requested_by,
            reason=job.reason,
            now=now,
            job_id=job.id,
        )
        tally = job_outcomes_write(
            item_model=IncidentRevertItem, items=items, outcomes=outcomes, default=RevertOutcome.ALREADY_UNDONE
        )
        counters = {
            "reverted": tally[RevertOutcome.REVERTED],
            "skipped_already_undone": tally[RevertOutcome.ALREADY_UNDONE],
            "skipped_not_active": tally[RevertOutcome.NOT_ACTIVE],
        }
        if job_chunk_commit(model=IncidentRevertJob, job_id=job.id, processed=len(items), counters=counters, now=now):
            job.refresh_from_db()
            audit_log(
                workspace_id=job.workspace_id,
                actor=job.requested_by,
                action=AuditEvent.Action.UNCLEAN,
                count=job.reverted,
                details={
                    "revert_job": job.id,
                    "phase": "finished",
                    "reverted": job.reverted,
                    "skipped": job.skipped_total,
                },
            )
    return True


def incident_revert_run(*, job_id: int) -> str:
    now = timezone.now()
    claimed = job_claim(
        model=IncidentRevertJob,
        job_id=job_id,
        now=now,
        give_up=(
            f"The revert stopped {MAX_ATTEMPTS} times before finishing and was given up. "
            "Addresses un-cleaned so far stay un-cleaned."
        ),
    )
    if claimed != "claimed" and not job_joinable(model=IncidentRevertJob, job_id=job_id, now=now):
        return "not_claimed"
    finished, _chunks = job_steps_run(
        step=lambda: incident_revert_step(job_id=job_id), carry_on=lambda: incident_revert_enqueue(job_id=job_id)
    )
    return "done" if finished else "continued"


def incident_reverts_sweep(*, now: datetime | None = None) -> int:
    """Periodic: enqueue reverts never picked up or whose worker died."""
    ids = jobs_to_resume(model=IncidentRevertJob, now=now or timezone.now())
    for job_id in ids:
        incident_revert_enqueue(job_id=job_id)
    return len(ids)
