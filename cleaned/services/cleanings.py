"""C8: a cleaning is recorded with the membership statuses it replaced, and can be
undone — for one contact by an admin (typed reason), or for many by an incident
revert job. Both undo through `cleanings_undo`, set-based and safe to repeat: a
cleaning already undone is left alone, so a chunk run twice un-cleans nobody twice."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts_app.audit import audit_log
from contacts_app.deliverability import memberships_bounce
from contacts_app.lib.errors import Conflict, InvalidInput, NotFound
from contacts_app.lib.hygiene import clean_text, is_blank
from contacts_app.lib.sqlutil import in_ids, table
from contacts_app.models import (
    AuditEvent,
    Contact,
    ContactStatus,
    EmailStatus,
    ListMembership,
    MembershipStatus,
    Workspace,
)
from contacts_app.services.webhooks import webhook_emit

from ..models import CleanedMembership, Cleaning, RevertOutcome

REASON_MAX = 500


@dataclass(frozen=True)
class CleaningInput:
    contact_id: int
    cleaned_at: datetime
    event_pk: int | None
    provider: str
    bounce_class: str
    code: str


def cleanings_record(*, workspace: Workspace, cleanings: Sequence[CleaningInput]) -> None:
    """C1/C8: record these cleanings, keep each membership's status as it was, then
    set every membership of these contacts to bounced. Called inside the transaction
    that cleans the contacts (their rows are locked)."""
    if not cleanings:
        return
    rows = Cleaning.objects.bulk_create(
        [
            Cleaning(
                workspace=workspace,
                contact_id=c.contact_id,
                cleaned_at=c.cleaned_at,
                event_id=c.event_pk,
                provider=c.provider,
                bounce_class=c.bounce_class,
                code=c.code,
            )
            for c in cleanings
        ]
    )
    ids = [r.id for r in rows]
    where, params = in_ids("c.id", ids)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table(CleanedMembership)} (cleaning_id, contact_id, list_id, status) "
            f"SELECT c.id, m.contact_id, m.mailing_list_id, m.status FROM {table(Cleaning)} c "
            f"JOIN {table(ListMembership)} m ON m.contact_id = c.contact_id "
            f"WHERE {where} AND m.status <> %s",
            [*params, MembershipStatus.BOUNCED.value],
        )
    memberships_bounce(contact_ids=[c.contact_id for c in cleanings])
    webhook_emit(  # W2: with the evidence, one entry per contact beside its id
        workspace_id=workspace.id,
        type="contact.cleaned",
        data={
            "contacts": [c.contact_id for c in cleanings],
            "evidence": [
                {
                    "class": c.bounce_class,
                    "code": c.code,
                    "provider": c.provider,
                    "cleaned_at": c.cleaned_at.isoformat(),
                }
                for c in cleanings
            ],
        },
    )


def cleanings_undo(
    *, workspace: Workspace, cleaning_ids: Sequence[int], actor, reason: str, now: datetime, job_id: int | None = None
) -> dict[int, str]:
    """C8: undo these cleanings in one transaction (the caller's): each address that
    is still cleaned and active becomes ok with its streak at zero, and each list
    membership the cleaning bounced gets back the status it had (one that changed
    since is left as it is). Returns each cleaning's outcome. Rows locked in pk order,
    contacts before cleanings — the order a bounce (which cleans) and `contact_unclean`
    take them in, so an incident revert and either of those never deadlock."""
    if not cleaning_ids:
        return {}
    mine = Cleaning.objects.filter(workspace=workspace, id__in=list(cleaning_ids))
    contacts = {
        c["id"]: c
        for c in Contact.objects.select_for_update()
        .filter(workspace=workspace, id__in=mine.values("contact_id"))
        .order_by("id")
        .values("id", "status", "email_status")
    }
    cleanings = list(mine.select_for_update(of=("self",)).order_by("id").values_list("id", "contact_id", "undone_at"))
    outcomes: dict[int, str] = {}
    undo: list[tuple[int, int]] = []
    for cleaning_id, contact_id, undone_at in cleanings:
        contact = contacts.get(contact_id)
        if undone_at is not None or contact is None or contact["email_status"] != EmailStatus.CLEANED:
            outcomes[cleaning_id] = RevertOutcome.ALREADY_UNDONE
        elif contact["status"] != ContactStatus.ACTIVE:
            outcomes[cleaning_id] = RevertOutcome.NOT_ACTIVE
        else:
            outcomes[cleaning_id] = RevertOutcome.REVERTED
            undo.append((cleaning_id, contact_id))
    if undo:
        ids, cids = [u[0] for u in undo], [u[1] for u in undo]
        where, params = in_ids("p.cleaning_id", ids)
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {table(ListMembership)} SET status = p.status FROM {table(CleanedMembership)} p "
                f"WHERE {where} AND {table(ListMembership)}.contact_id = p.contact_id "
                f"AND {table(ListMembership)}.mailing_list_id = p.list_id AND {table(ListMembership)}.status = %s",
                [*params, MembershipStatus.BOUNCED.value],
            )
        Contact.objects.filter(id__in=cids).update(
            email_status=EmailStatus.OK, cleaned_at=None, cleaned_reason="", soft_bounce_streak=0, updated_at=now
        )
        Cleaning.objects.filter(id__in=ids).update(
            undone_at=now,
            undone_by=actor if getattr(actor, "is_authenticated", False) else None,
            undo_reason=reason,
            undone_by_job_id=job_id,
        )
        audit_log(
            workspace_id=workspace.id,
            actor=actor,
            action=AuditEvent.Action.UNCLEAN,
            contact_ids=cids,
            details={"reason": reason, **({"revert_job": job_id} if job_id else {})},
        )
        webhook_emit(
            workspace_id=workspace.id,
            type="contact.uncleaned",
            data={"contacts": cids, "reason": reason, **({"incident_revert": job_id} if job_id else {})},
        )
    return outcomes


def unclean_reason(reason: str) -> str:
    """The typed reason: required, kept whole (S4: too long is refused, never cut)."""
    reason = clean_text((reason or "").strip(), field=_("Reason"), max_length=REASON_MAX, multiline=True)
    if is_blank(reason):  # the API document's NON_BLANK_PATTERN says the same
        raise InvalidInput(
            _("Say why this address is deliverable again (the reason is kept in the activity log)."),
            code="reason_required",
        )
    return reason


def contact_unclean(*, workspace: Workspace, contact_id: int, actor, reason: str) -> Contact:
    """C8: an admin un-cleans one contact with a typed reason (audited)."""
    reason = unclean_reason(reason)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().filter(workspace=workspace, id=contact_id).first()
        if contact is None or contact.status == ContactStatus.MERGED:
            raise NotFound(_("No such contact."))
        if contact.email_status != EmailStatus.CLEANED:
            raise Conflict(_("This address is not cleaned."), code="not_cleaned")
        if contact.status != ContactStatus.ACTIVE:
            raise Conflict(_("This contact is archived: restore it first, then un-clean it."), code="contact_archived")
        now = timezone.now()
        cleaning = Cleaning.objects.filter(contact=contact, undone_at__isnull=True).first()
        if cleaning is None:  # cleaned with no record (cannot happen after migration 0004; kept safe)
            cleaning = Cleaning.objects.create(
                workspace=workspace,
                contact=contact,
                cleaned_at=contact.cleaned_at or now,
                provider="unknown",
                bounce_class="undetermined",
            )
        cleanings_undo(workspace=workspace, cleaning_ids=[cleaning.id], actor=actor, reason=reason, now=now)
    contact.refresh_from_db()
    return contact
