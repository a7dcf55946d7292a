"""G1: erasure — the right to be forgotten. One registry of every place that holds a
person's data, declared once: this app's own places are below; the restore and cleaned
apps register theirs in their AppConfig.ready (contacts_app never imports them). A
chunk of contacts is erased in one transaction, rows locked in pk order: the addresses
join the suppression list as hashes (G2), each registered step deletes or scrubs its
rows, then the contact rows go (their archive records and snapshots, memberships, tags,
deal links, sends and automation runs cascade); the audit row keeps who, when and why.
Safe to repeat: a contact already erased is simply not found."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from contacts_app.audit import audit_log
from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.hygiene import clean_text
from contacts_app.lib.scrub import ERASED, Terms, rows_scrub
from contacts_app.models import (
    ArchiveJob,
    AuditEvent,
    Contact,
    ErasureJob,
    ErasureOutcome,
    Notice,
    WebhookEvent,
    Workspace,
)
from contacts_app.services.archive import deals_detach
from contacts_app.services.suppression import suppressions_record_erased
from contacts_app.services.webhooks import webhook_emit

REASON_MAX_LENGTH = ErasureJob._meta.get_field("reason").max_length


@dataclass(frozen=True)
class ErasureScope:
    """What one chunk erases: the workspace, the contacts' ids (with the contacts merged
    into them: the same person's older records) and their lower-cased addresses."""

    workspace: Workspace
    contact_ids: list[int]
    terms: Terms

    @property
    def addresses(self) -> frozenset[str]:
        return self.terms.addresses


ErasureStep = Callable[[ErasureScope], None]
_STEPS: dict[str, ErasureStep] = {}


def erasure_step_register(name: str, step: ErasureStep) -> None:
    """Declare a place that holds personal data (an app's AppConfig.ready)."""
    _STEPS[name] = step


def erasure_reason_clean(reason: str) -> str:
    """G1: a reason is kept with the fact; required, never cut (S4)."""
    reason = clean_text((reason or "").strip(), field=_("Why"), max_length=REASON_MAX_LENGTH)
    if not reason:
        raise InvalidInput(
            _("Say why the contact is erased (for example: “erasure request of 2 May”)."), code="reason_required"
        )
    return reason


def _with_merged(workspace: Workspace, ids: list[int]) -> list[tuple[int, str]]:
    """(id, email) of the contacts and of those merged into them, locked in pk order."""
    wanted = set(ids)
    for _depth in range(5):  # merges chain rarely; a few hops cover them
        more = set(
            Contact.objects.filter(workspace=workspace, merged_into_id__in=wanted)
            .exclude(id__in=wanted)
            .values_list("id", flat=True)
        )
        if not more:
            break
        wanted |= more
    return list(
        Contact.objects.select_for_update()
        .filter(workspace=workspace, id__in=sorted(wanted))
        .order_by("id")
        .values_list("id", "email")
    )


def contacts_erase(
    *,
    workspace: Workspace,
    contact_ids: Sequence[int],
    actor,
    reason: str,
    job_id: int | None = None,
    now: datetime | None = None,
) -> dict[int, str]:
    """G1: erase these contacts of the workspace (any status) and every piece of their
    personal data; returns each requested id's outcome (erased, or not found: another
    workspace's id too, S2). One transaction; at most one chunk (A6)."""
    ids = sorted({int(i) for i in contact_ids})
    with transaction.atomic():
        rows = _with_merged(workspace, ids)
        found = {cid for cid, _email in rows}
        outcomes = {cid: ErasureOutcome.ERASED if cid in found else ErasureOutcome.NOT_FOUND for cid in ids}
        if not rows:
            return outcomes
        erased_ids = [cid for cid, _email in rows]
        scope = ErasureScope(
            workspace=workspace, contact_ids=erased_ids, terms=Terms(frozenset(e.lower() for _cid, e in rows))
        )
        suppressions_record_erased(workspace=workspace, addresses=scope.addresses, actor=actor)  # G2
        audit_log(  # written first: the scrub below also reaches a reason that quotes the address
            workspace_id=workspace.id,
            actor=actor,
            action=AuditEvent.Action.ERASE,
            contact_ids=erased_ids,
            details={"reason": reason, **({"erasure_job": job_id} if job_id else {})},
        )
        deals_detach(contact_ids=erased_ids)  # A3: a deal whose only contact it was is deleted
        for step in _STEPS.values():
            step(scope)
        Contact.objects.filter(id__in=erased_ids).delete()
        webhook_emit(workspace_id=workspace.id, type="contact.erased", data={"contacts": erased_ids}, now=now)
    return outcomes


# --- this app's places -----------------------------------------------------------------


def _audit_and_notices(scope: ErasureScope) -> None:
    """The audit log keeps the fact; its details lose the address. Notices too."""
    rows_scrub(AuditEvent.objects.filter(workspace=scope.workspace), fields=["details"], terms=scope.terms)
    rows_scrub(Notice.objects.filter(workspace=scope.workspace), fields=["message"], terms=scope.terms)


def _job_selections(scope: ErasureScope) -> None:
    """A typed search kept with a job ("q": "jeanne.dupont@…")."""
    rows_scrub(ArchiveJob.objects.filter(workspace=scope.workspace), fields=["selection"], terms=scope.terms)
    rows_scrub(ErasureJob.objects.filter(workspace=scope.workspace), fields=["selection", "reason"], terms=scope.terms)


def _webhook_events(scope: ErasureScope) -> None:
    """Outgoing events carry ids, and the reasons people typed ("un-cleaned: …"): the
    copies kept for the delivery log, and those still to send, lose the address."""
    rows_scrub(WebhookEvent.objects.filter(workspace=scope.workspace), fields=["payload"], terms=scope.terms)


def _admin_log(scope: ErasureScope) -> None:
    """Support staff's history in the Django admin names a contact by its address."""
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Contact), object_id__in=[str(i) for i in scope.contact_ids]
    ).update(object_repr=ERASED)
    rows_scrub(LogEntry.objects.all(), fields=["object_repr", "change_message"], terms=scope.terms)


erasure_step_register("contacts_app.audit", _audit_and_notices)
erasure_step_register("contacts_app.jobs", _job_selections)
erasure_step_register("contacts_app.webhook_events", _webhook_events)
erasure_step_register("contacts_app.admin_log", _admin_log)
