"""C8: revert a provider incident — undo, in the background, every cleaning that
matches a provider, a time window and a class. The job uses the shared machinery
(contacts_app/jobs/kinds.py): claimed by a conditional update, chunks that commit with their
outcomes, counters, cursor and audit row, resumed from the cursor after a crash, one
active incident revert per workspace (a partial unique index)."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts_app.job_models import MAX_ATTEMPTS
from contacts_app.jobs.kinds import JobKind
from contacts_app.lib.errors import Conflict, InvalidInput
from contacts_app.lib.i18n import num
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


class IncidentReverts(JobKind):
    name = "incident_revert"
    event_type = "incident_revert.finished"
    model = IncidentRevertJob
    item_model = IncidentRevertItem
    subject = "cleaning_id"
    run_task = "cleaned.tasks.incident_revert_run_task"
    notify_task = "cleaned.tasks.incident_revert_notify_task"
    helpers = True  # chunks lock their contacts in pk order: free workers may share a revert
    audit_action = AuditEvent.Action.UNCLEAN
    audit_key = "revert_job"
    default_outcome = RevertOutcome.ALREADY_UNDONE  # `cleanings_undo` reports only what it undid

    def in_progress(self, job):
        return Conflict(
            _("An incident revert is already running in this workspace; wait until it finishes."),
            code="revert_in_progress",
        )

    def give_up(self) -> str:
        return (
            f"The revert stopped {MAX_ATTEMPTS} times before finishing and was given up. "
            "Addresses un-cleaned so far stay un-cleaned."
        )

    def process(self, *, job, subject_ids, now):
        """`cleanings_undo` skips a cleaning already undone, so nobody is un-cleaned twice."""
        return cleanings_undo(
            workspace=job.workspace,
            cleaning_ids=subject_ids,
            actor=job.requested_by,
            reason=job.reason,
            now=now,
            job_id=job.id,
        )

    def counters(self, tally: Counter) -> dict[str, int]:
        return {
            "reverted": tally[RevertOutcome.REVERTED],
            "skipped_already_undone": tally[RevertOutcome.ALREADY_UNDONE],
            "skipped_not_active": tally[RevertOutcome.NOT_ACTIVE],
        }

    def requested_details(self, job) -> dict:
        return {"provider": job.provider, "reason": job.reason}

    def finished_audit(self, job) -> tuple[int, dict]:
        return job.reverted, {"reverted": job.reverted, "skipped": job.skipped_total}

    def notice(self, job) -> tuple[str, str, str]:
        values = {
            "id": job.number,
            "status": job.status_words,
            "reverted": num(job.reverted),
            "skipped": num(job.skipped_total),
            "not_processed": num(job.not_processed),
            "requested": num(job.requested),
        }
        subject = _("Incident revert #%(id)s %(status)s") % values
        counts = [
            ngettext("%(n)s un-cleaned", "%(n)s un-cleaned", job.reverted) % {"n": values["reverted"]},
            ngettext("%(n)s left as it was", "%(n)s left as they were", job.skipped_total) % {"n": values["skipped"]},
        ]
        message = self.summary(job, title=subject, counts=counts)
        return subject, message, reverse("cleaned:revert_job", args=[job.workspace.slug, job.number])


INCIDENT_REVERTS = IncidentReverts()


def incident_revert_create(*, incident: Incident, actor, reason: str) -> IncidentRevertJob:
    """C8: accept the revert and queue it; the matching cleanings are fixed now (the
    preview's set), in cleaning order."""
    reason = unclean_reason(reason)
    if INCIDENT_REVERTS.active(workspace=incident.workspace):
        raise INCIDENT_REVERTS.in_progress(None)
    ids = list(incident.cleanings().order_by("id").values_list("id", flat=True))
    if not ids:
        raise InvalidInput(
            _("No cleaning matches this provider, window and class: nothing to revert."), code="nothing_to_revert"
        )
    return INCIDENT_REVERTS.create(
        workspace=incident.workspace,
        actor=actor,
        ids=ids,
        provider=incident.provider,
        bounce_class=incident.bounce_class,
        cleaned_from=incident.cleaned_from,
        cleaned_until=incident.cleaned_until,
        reason=reason,
    )
