"""G2: the suppression list. An erased contact's address is kept only as a keyed hash
(HMAC-SHA256 of the normalised address with the workspace's own key, so the list
cannot be matched against another workspace's or a leaked list of addresses without
the key); an admin may also suppress addresses by hand, and those are shown. A
suppressed address is refused wherever an address enters the workspace — the contacts
page, the API, imports, bounces — except when the person themself submits a form with
the consent box ticked: that lifts it, audited."""

import hashlib
import hmac
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts_app.audit import audit_log
from contacts_app.lib.addresses import normalize_email
from contacts_app.lib.errors import Conflict, InvalidInput, NotFound
from contacts_app.lib.hygiene import clean_text
from contacts_app.lib.i18n import num
from contacts_app.models import AuditEvent, Contact, Suppression, SuppressionSource, Workspace

MAX_ADDRESSES_AT_ONCE = 10_000  # S4: one paste or upload
REASON_MAX_LENGTH = Suppression._meta.get_field("reason").max_length
SHOWN_PROBLEMS = 10  # bad lines named in one refusal


def address_normalise(address: str) -> str:
    """The form that is hashed: addresses are one contact per workspace whatever their
    case (the unique index is on the lower-cased address), so the hash is too."""
    return (address or "").strip().lower()


def address_digest(*, workspace: Workspace, address: str) -> str:
    return hmac.new(workspace.suppression_key.encode(), address_normalise(address).encode(), hashlib.sha256).hexdigest()


def suppressed_addresses(*, workspace: Workspace, addresses: Iterable[str]) -> set[str]:
    """The lower-cased addresses among `addresses` that are suppressed (one query)."""
    by_digest = {address_digest(workspace=workspace, address=a): address_normalise(a) for a in addresses}
    if not by_digest:
        return set()
    found = Suppression.objects.filter(workspace=workspace, digest__in=list(by_digest)).values_list("digest", flat=True)
    return {by_digest[d] for d in found}


def suppressed_contact_ids(*, workspace_id: int, contacts: Iterable[tuple[int, str]]) -> set[int]:
    """G2: the ids, among (id, address) pairs, whose address is suppressed: an address
    suppressed by hand while a contact holds it receives no email (one query)."""
    contacts = list(contacts)
    if not contacts:
        return set()
    workspace = Workspace.objects.only("id", "suppression_key").get(id=workspace_id)
    blocked = suppressed_addresses(workspace=workspace, addresses={email for _id, email in contacts})
    return {cid for cid, email in contacts if address_normalise(email) in blocked}


def suppression_error(address: str) -> Conflict:
    return Conflict(
        _(
            "%(email)s is on the suppression list (its contact was erased, or an admin suppressed it): "
            "it cannot be added again. The person can sign up again through a form."
        )
        % {"email": address},
        code="address_suppressed",
    )


def suppression_check(*, workspace: Workspace, address: str) -> None:
    """G2: refuse a suppressed address (409 `address_suppressed`)."""
    if suppressed_addresses(workspace=workspace, addresses=[address]):
        raise suppression_error(address)


def suppressions_record_erased(*, workspace: Workspace, addresses: Iterable[str], actor) -> None:
    """G1/G2: an erased contact's address joins the list as its hash only. An address
    suppressed by hand before keeps its row, and loses its plain text."""
    digests = {address_digest(workspace=workspace, address=a) for a in addresses}
    Suppression.objects.filter(workspace=workspace, digest__in=list(digests)).update(
        address="", reason="", source=SuppressionSource.ERASED
    )
    Suppression.objects.bulk_create(
        [
            Suppression(workspace=workspace, digest=d, source=SuppressionSource.ERASED, created_by=_user(actor))
            for d in sorted(digests)
        ],
        ignore_conflicts=True,
    )


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def suppressions_add(
    *, workspace: Workspace, actor, addresses: list[str], reason: str = "", places: list[str] | None = None
) -> tuple[int, int]:
    """G2: suppress addresses by hand (pasted or uploaded). Each must be a valid address
    (S4: the whole paste is refused, naming the first bad line, and nothing is added).
    `places` names where each address was ("Line 3", "File, line 4"; default: its
    line). A contact that holds one of them stays, and gets no email (G2). Returns
    (added, already listed)."""
    reason = clean_text((reason or "").strip(), field=_("Why"), max_length=REASON_MAX_LENGTH)
    wanted: dict[str, str] = {}
    problems: list[InvalidInput] = []
    for index, raw in enumerate(addresses):
        if not raw.strip():
            continue
        try:
            address = normalize_email(raw)
        except InvalidInput as error:
            if _held_by_a_contact(workspace, raw):  # only on this path: one query per refused line
                wanted.setdefault(address_digest(workspace=workspace, address=raw), raw.strip())
                continue
            place = places[index] if places else _("Line %(n)s") % {"n": num(index + 1)}
            problems.append(InvalidInput(f"{place}: {error.detail}", code=error.code))
            continue
        wanted.setdefault(address_digest(workspace=workspace, address=address), address)
    if problems:  # every bad line at once (the first SHOWN_PROBLEMS), and nothing added
        shown = " ".join(p.detail for p in problems[:SHOWN_PROBLEMS])
        if len(problems) > SHOWN_PROBLEMS:
            shown += " " + _("And %(n)s more.") % {"n": num(len(problems) - SHOWN_PROBLEMS)}
        raise InvalidInput(_("%(problems)s Nothing was added.") % {"problems": shown}, code=problems[0].code)
    if not wanted:
        raise InvalidInput(_("Paste at least one address, or choose a file."), code="empty_selection")
    if len(wanted) > MAX_ADDRESSES_AT_ONCE:
        raise InvalidInput(
            _("At most %(max)s addresses can be suppressed at once.") % {"max": num(MAX_ADDRESSES_AT_ONCE)},
            code="selection_too_large",
        )
    with transaction.atomic():
        existing = set(
            Suppression.objects.filter(workspace=workspace, digest__in=list(wanted)).values_list("digest", flat=True)
        )
        fresh = [d for d in wanted if d not in existing]
        Suppression.objects.bulk_create(
            [
                Suppression(
                    workspace=workspace,
                    digest=d,
                    address=wanted[d],
                    source=SuppressionSource.MANUAL,
                    reason=reason,
                    created_by=_user(actor),
                )
                for d in fresh
            ],
            ignore_conflicts=True,
        )
        if fresh:
            audit_log(
                workspace_id=workspace.id,
                actor=actor,
                action=AuditEvent.Action.SUPPRESSION,
                count=len(fresh),
                details={"verb": "added", "reason": reason},
            )
    return len(fresh), len(wanted) - len(fresh)


def _held_by_a_contact(workspace: Workspace, raw: str) -> bool:
    """An address a contact already holds may be suppressed as it is, even where the
    address rule refuses it today (data imported before the rule: "léa@…")."""
    text = raw.strip()
    return "@" in text and len(text) <= 254 and Contact.objects.filter(workspace=workspace, email__iexact=text).exists()


def suppressions_added_message(added: int, already: int) -> str:
    message = ngettext(
        "%(n)s address added to the suppression list.", "%(n)s addresses added to the suppression list.", added
    ) % {"n": num(added)}
    if already:
        message += " " + ngettext("%(n)s was already on it.", "%(n)s were already on it.", already) % {
            "n": num(already)
        }
    return message


def suppression_remove(
    *, workspace: Workspace, actor, suppression_id: int | None = None, address: str = ""
) -> Suppression:
    """G2: an admin takes an address off the list, by its row (the page) or by the
    address (the API; an erased one's hash can only be lifted this way or by the
    person's own form)."""
    with transaction.atomic():
        rows = Suppression.objects.select_for_update().filter(workspace=workspace)
        if address:
            rows = rows.filter(digest=address_digest(workspace=workspace, address=address))
        else:
            rows = rows.filter(id=suppression_id)
        row = rows.first()
        if row is None:
            raise NotFound(_("This address is not on the suppression list."), code="not_found")
        row.delete()
        audit_log(
            workspace_id=workspace.id,
            actor=actor,
            action=AuditEvent.Action.SUPPRESSION,
            count=1,
            details={"verb": "removed", "source": row.source, **({"address": row.address} if row.address else {})},
        )
    return row


def suppression_lift_by_consent(*, workspace: Workspace, address: str, form_id: int) -> bool:
    """G2: the person submitted a form with the consent box ticked: the address may come
    back. Audited without the address. Call inside the submission's transaction."""
    lifted, _per_model = Suppression.objects.filter(
        workspace=workspace, digest=address_digest(workspace=workspace, address=address)
    ).delete()
    if lifted:
        audit_log(
            workspace_id=workspace.id,
            actor_label="form",
            action=AuditEvent.Action.SUPPRESSION,
            count=1,
            details={"verb": "lifted_by_consent", "form_id": form_id},
        )
    return bool(lifted)
