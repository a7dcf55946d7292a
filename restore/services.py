"""Restore: the preview, the one-at-a-time background job, and automatic restore.

Rules by SPEC id: R1–R3 and R10 in `rules.py`; R4 (one job per workspace) by the
database constraint on RestoreJob; R6–R8 in `contacts_restore` (set-based SQL in
`sql.py`, no automation fired); R9 in `form_submit`; R11 in `restore_job_step`;
B1–B3 in `restore_preview` and `restore_job_create`.
"""
import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from contacts_app import services as contact_services
from contacts_app.audit import audit_log
from contacts_app.errors import Conflict, InvalidInput, NotFound
from contacts_app.queueing import publish, publish_soon
from contacts_app.models import (
    Account,
    ArchivedContactTag,
    ArchivedDealLink,
    ArchivedListMembership,
    ArchiveRecord,
    AuditEvent,
    Contact,
    ContactStatus,
    Deal,
    Form,
    MailingList,
    MembershipStatus,
    Tag,
    Workspace,
)
from contacts_app.selectors import billable_count

from . import rules, selectors, sql
from .models import ACTIVE_JOB_STATUSES, SKIP_REASONS, JobStatus, RestoreJob, RestoreJobItem

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


# --- Selection ---------------------------------------------------------------------


@dataclass
class Selection:
    """What the admin picked: explicit ids, or every contact matching a filter
    (resolved here on the server, never from ids the browser happened to see)."""

    workspace: Workspace
    queryset: QuerySet[Contact]  # always scoped to the workspace (S2)
    requested: int | None  # None for a filter: the preview counts it with its breakdown
    description: dict
    explicit_ids: list[int] | None = None

    def ids(self) -> list[int]:
        if self.explicit_ids is not None:
            return self.explicit_ids
        return list(self.queryset.order_by("id").values_list("id", flat=True))


def selection_from_ids(*, workspace: Workspace, ids: list[int]) -> Selection:
    if not ids:
        raise InvalidInput("Select at least one contact to restore.", code="empty_selection")
    if len(ids) > settings.MAX_SELECTION_SIZE:
        raise InvalidInput(f"At most {settings.MAX_SELECTION_SIZE:,} contacts can be restored at once.", code="selection_too_large")
    ids = sorted(set(ids))
    return Selection(
        workspace=workspace,
        queryset=Contact.objects.filter(workspace=workspace, id__in=ids),
        requested=len(ids),
        description={"contact_ids": len(ids)},
        explicit_ids=ids,
    )


def selection_from_queryset(*, workspace: Workspace, queryset: QuerySet[Contact], description: dict) -> Selection:
    """Every contact matching a filter. Not counted here: counting a big filter is a
    pass over it, and the preview's breakdown is that same pass (P2)."""
    return Selection(workspace=workspace, queryset=queryset.filter(workspace=workspace).order_by(), requested=None, description={"filter": description})


def _check_filter_size(matching: int) -> None:
    if matching == 0:
        raise InvalidInput("No contact matches this filter.", code="empty_selection")
    if matching > settings.MAX_SELECTION_SIZE:
        raise InvalidInput(
            f"{matching:,} contacts match; at most {settings.MAX_SELECTION_SIZE:,} can be restored at once. Narrow the filter.",
            code="selection_too_large",
        )


# --- Preview (R12, B1–B3) -----------------------------------------------------------


@dataclass
class RestorePreview:
    requested: int
    restorable: int
    billable_added: int
    billable_now: int
    billable_after: int
    contact_limit: int
    needs_confirmation: bool
    skipped: dict[str, int]
    not_coming_back: dict[str, list[dict]] | None = None  # None: not computed

    @property
    def over_limit(self) -> bool:
        return self.billable_after > self.contact_limit

    @property
    def usage_percent(self) -> int:
        return round(100 * self.billable_after / self.contact_limit) if self.contact_limit else 100

    def as_dict(self) -> dict:
        return {
            "requested": self.requested,
            "restorable": self.restorable,
            "billable_added": self.billable_added,
            "billable_after": self.billable_after,
            "contact_limit": self.contact_limit,
            "needs_confirmation": self.needs_confirmation,
            "skipped": self.skipped,
            "not_coming_back": self.not_coming_back or {},
        }


def needs_overage_confirmation(*, billable_added: int, billable_after: int, contact_limit: int) -> bool:
    """B3: restoring that brings the workspace to 90% of its plan or over needs an
    explicit confirmation."""
    return billable_added > 0 and billable_after * 10 >= contact_limit * 9


def restore_preview(*, selection: Selection, now: datetime | None = None, details: bool = True) -> RestorePreview:
    """R12/B3: what the selection would give, counted in SQL in one pass over the
    selection. `details` adds what will not come back (`restore_not_coming_back`, a
    second pass); the modal loads that separately so the counts show at once."""
    now = now or timezone.now()
    ws = selection.workspace
    reasons = selectors.selection_breakdown(selection.queryset, now=now)
    skipped = dict.fromkeys(SKIP_REASONS, 0)
    restorable, billable_added = reasons.pop("", (0, 0))
    for reason, (n, _) in reasons.items():
        skipped[reason] += n
    found = restorable + sum(skipped.values())
    requested = selection.requested
    if requested is None:
        _check_filter_size(found)
        requested = found
    skipped["not_found"] = requested - found
    billable_now = billable_count(workspace=ws)
    after = billable_now + billable_added
    return RestorePreview(
        requested=requested,
        restorable=restorable,
        billable_added=billable_added,
        billable_now=billable_now,
        billable_after=after,
        contact_limit=ws.contact_limit,
        needs_confirmation=needs_overage_confirmation(billable_added=billable_added, billable_after=after, contact_limit=ws.contact_limit),
        skipped=skipped,
        not_coming_back=restore_not_coming_back(selection=selection, now=now) if details and restorable else None,
    )


def restore_not_coming_back(*, selection: Selection, now: datetime | None = None, limit: int = 10) -> dict[str, list[dict]]:
    """R12: lists, tags and accounts deleted since archiving, and deals deleted, with
    how many of the restorable contacts had each. One pass collects every id their
    snapshots refer to; the few that no longer exist are named from the snapshot rows
    of one contact that had them."""
    now = now or timezone.now()
    workspace = selection.workspace
    refs = selectors.snapshot_references(selection.queryset.filter(rules.restorable_q(now=now)))
    kinds = (
        ("lists", MailingList.objects.filter(workspace=workspace), ArchivedListMembership.objects, "list_id_snapshot", "list_name"),
        ("tags", Tag.objects.filter(workspace=workspace), ArchivedContactTag.objects, "tag_id_snapshot", "tag_name"),
        ("accounts", Account.objects.filter(workspace=workspace), ArchiveRecord.objects.filter(restored_at__isnull=True), "account_id_snapshot", "account_name"),
        ("deals", Deal.objects.filter(workspace=workspace), ArchivedDealLink.objects, "deal_id_snapshot", "deal_title"),
    )
    result = {}
    for kind, existing, snapshots, id_field, name_field in kinds:
        counts = refs.get(kind, {})
        alive = set(existing.filter(id__in=list(counts)).values_list("id", flat=True)) if counts else set()
        gone = sorted((ref for ref in counts.items() if ref[0] not in alive), key=lambda ref: -ref[1][0])[:limit]
        names = dict(
            snapshots.filter(**{f"{id_field}__in": [i for i, _ in gone], "contact_id__in": [sample for _, (_, sample) in gone]})
            .values_list(id_field, name_field)
        ) if gone else {}
        result[kind] = sorted(
            ({"name": names.get(i, f"#{i}"), "contacts": n} for i, (n, _) in gone), key=lambda r: (-r["contacts"], r["name"])
        )
    return result


# --- Restoring a batch of contacts (R6–R8, R10) --------------------------------------


def contacts_restore(
    *,
    workspace: Workspace,
    contact_ids: list[int],
    actor=None,
    source: str = "manual",
    respect_freeze: bool = True,
    now: datetime | None = None,
    job_id: int | None = None,
) -> dict[int, str]:
    """Restore what can be restored among `contact_ids` and say, for each id, what
    happened: 'restored' or the R10 skip reason. Set-based: a fixed number of
    queries per call. Call inside a transaction; the rows are locked in pk order.
    Fires no automation and queues no email (R8)."""
    assert connection.in_atomic_block, "contacts_restore must run inside a transaction"
    now = now or timezone.now()
    ids = sorted(set(contact_ids))
    rows = (
        Contact.objects.select_for_update()
        .filter(workspace=workspace, id__in=ids)
        .order_by("id")
        .values_list("id", "status", "archived_at", "email")
    )
    outcomes = dict.fromkeys(ids, "not_found")
    candidates: dict[int, str] = {}
    for cid, status, archived_at, email in rows:
        reason = rules.skip_reason(status=status, archived_at=archived_at, now=now, respect_freeze=respect_freeze)
        if reason:
            outcomes[cid] = reason
        else:
            candidates[cid] = email.lower()
    if candidates:
        taken = set(
            Contact.objects.filter(workspace=workspace, status=ContactStatus.ACTIVE)
            .annotate(lemail=Lower("email"))
            .filter(lemail__in=set(candidates.values()))
            .values_list("lemail", flat=True)
        )
        for cid, email in list(candidates.items()):
            if email in taken:
                outcomes[cid] = "email_conflict"
                del candidates[cid]
    restored = sorted(candidates)
    if restored:
        record_ids = list(
            ArchiveRecord.objects.filter(contact_id__in=restored, restored_at__isnull=True).values_list("id", flat=True)
        )
        actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        sql.reattach_associations(
            workspace_id=workspace.id, record_ids=record_ids, contact_ids=restored, now=now, actor_id=actor_id, source=source
        )
        for cid in restored:
            outcomes[cid] = "restored"
        audit_log(
            workspace_id=workspace.id,
            actor=actor,
            actor_label="" if actor_id else f"restore:{source}",
            action=AuditEvent.Action.RESTORE if source != "form" else AuditEvent.Action.AUTO_RESTORE,
            contact_ids=restored,
            details={"job": job_id, "source": source},
        )
    return outcomes


# --- Restore jobs (R4, R5, R11) -------------------------------------------------------


def active_job(*, workspace: Workspace) -> RestoreJob | None:
    return RestoreJob.objects.filter(workspace=workspace, status__in=ACTIVE_JOB_STATUSES).first()


def _job_in_progress(job: RestoreJob | None) -> Conflict:
    error = Conflict(
        "A restore is already in progress in this workspace. Only one restore can run at a time; "
        "wait until it finishes, then try again.",
        code="job_in_progress",
    )
    error.job_id = job.id if job else None
    return error


def restore_job_create(
    *, selection: Selection, actor, confirm_overage: bool = False, now: datetime | None = None
) -> RestoreJob:
    """R4/B3/R5: accept a restore request and queue it. Refused with 409 while
    another job is queued or running (the database has the last word), and when the
    restore reaches 90% of the plan without `confirm_overage`. Returns at once: the
    worker does the restoring, and the sweeper picks the job up if the broker is down."""
    ws = selection.workspace
    existing = active_job(workspace=ws)
    if existing:
        raise _job_in_progress(existing)
    preview = restore_preview(selection=selection, now=now, details=False)
    if preview.needs_confirmation and not confirm_overage:
        raise Conflict(
            f"Restoring would bring you to {preview.billable_after:,} billable contacts for a plan of "
            f"{preview.contact_limit:,} ({preview.usage_percent}%). Confirm the restore to accept a possible overage.",
            code="overage_confirmation_required",
        )
    ids = selection.ids()
    try:
        with transaction.atomic():
            job = RestoreJob.objects.create(
                workspace=ws,
                requested_by=actor if getattr(actor, "is_authenticated", False) else None,
                selection=selection.description,
                confirm_overage=confirm_overage,
                requested=len(ids),
            )
            _insert_items(job_id=job.id, contact_ids=ids)
            audit_log(
                workspace_id=ws.id,
                actor=actor,
                action=AuditEvent.Action.RESTORE,
                count=len(ids),
                details={"job": job.id, "phase": "requested", "selection": selection.description},
            )
            transaction.on_commit(lambda: restore_job_enqueue_soon(job_id=job.id))
    except IntegrityError:
        raise _job_in_progress(active_job(workspace=ws)) from None
    return job


def _insert_items(*, job_id: int, contact_ids: list[int]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {RestoreJobItem._meta.db_table} (job_id, position, contact_id, outcome) "
                "SELECT %s, ord - 1, cid, '' FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(cid, ord)",
                [job_id, contact_ids],
            )
    else:
        RestoreJobItem.objects.bulk_create(
            [RestoreJobItem(job_id=job_id, position=i, contact_id=cid) for i, cid in enumerate(contact_ids)], batch_size=5000
        )


def restore_job_enqueue(*, job_id: int) -> bool:
    """Hand the job id to the broker (the sweeper calls this; waiting is fine there).
    Returns False when the broker is unreachable; the job stays queued."""
    from .tasks import restore_job_run_task

    if not publish(restore_job_run_task, job_id):
        return False
    RestoreJob.objects.filter(id=job_id).update(enqueued_at=timezone.now())
    return True


def restore_job_enqueue_soon(*, job_id: int) -> None:
    """From a request: at most ENQUEUE_WAIT on the broker (R11: under 2 s with the
    broker down). A late duplicate is harmless: a job is claimed by a conditional update."""
    publish_soon(lambda: restore_job_enqueue(job_id=job_id), name=f"enqueue-restore-job-{job_id}")


def _stale_before(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.RESTORE_STALE_AFTER)


def restore_job_claim(*, job_id: int, now: datetime | None = None) -> bool:
    """Take the job for this worker with a conditional update (the row count tells
    whether we won). A job already running with a fresh heartbeat belongs to another
    worker: a duplicate delivery leaves it alone. Each claim is an attempt; after
    MAX_ATTEMPTS the job is failed instead of crashing a worker forever."""
    now = now or timezone.now()
    claimable = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=_stale_before(now))
    claimed = RestoreJob.objects.filter(claimable, id=job_id, attempts__lt=MAX_ATTEMPTS).update(
        status=JobStatus.RUNNING, attempts=F("attempts") + 1, started_at=Coalesce("started_at", now), heartbeat_at=now
    )
    if claimed:
        return True
    failed = RestoreJob.objects.filter(claimable, id=job_id, attempts__gte=MAX_ATTEMPTS).update(
        status=JobStatus.FAILED,
        finished_at=now,
        error=f"The restore stopped {MAX_ATTEMPTS} times before finishing and was given up. "
        "Contacts restored so far stay restored; support can retry the rest.",
    )
    if failed:
        log.error("restore job %s failed after %s attempts", job_id, MAX_ATTEMPTS)
    return False


def restore_job_step(*, job_id: int, chunk_size: int | None = None, now: datetime | None = None) -> bool:
    """R11: restore the next chunk of a running job in ONE transaction with its
    outcomes, counters, cursor and heartbeat. A crash rolls the whole chunk back;
    the next run starts again from the cursor, so nobody is restored twice.
    Returns True while there is more to do."""
    chunk_size = chunk_size or settings.RESTORE_CHUNK_SIZE
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Don't wait for the WAL flush of each chunk: the cursor commits with the
            # chunk, so a chunk lost in a crash is lost whole and simply redone.
            with connection.cursor() as cur:
                cur.execute("SET LOCAL synchronous_commit TO OFF")
        job = RestoreJob.objects.select_for_update(of=("self",)).select_related("workspace", "requested_by").get(id=job_id)
        if job.status != JobStatus.RUNNING:
            return False
        now = now or timezone.now()
        items = list(
            RestoreJobItem.objects.filter(job=job, position__gte=job.cursor, position__lt=job.cursor + chunk_size)
            .order_by("position")
            .values_list("id", "contact_id")
        )
        if items:
            outcomes = contacts_restore(
                workspace=job.workspace,
                contact_ids=[cid for _, cid in items],
                actor=job.requested_by,
                source="manual",
                now=now,
                job_id=job.id,
            )
            by_outcome: dict[str, list[int]] = {}
            for item_id, cid in items:
                by_outcome.setdefault(outcomes[cid], []).append(item_id)
            for outcome, item_ids in by_outcome.items():
                RestoreJobItem.objects.filter(id__in=item_ids).update(outcome=outcome)
            tally = Counter({o: len(v) for o, v in by_outcome.items()})
            job.restored += tally.pop("restored", 0)
            for reason, n in tally.items():
                setattr(job, f"skipped_{reason}", getattr(job, f"skipped_{reason}") + n)
            job.cursor += len(items)
        job.heartbeat_at = now
        done = job.cursor >= job.requested
        if done:
            job.status = JobStatus.SUCCEEDED
            job.finished_at = now
            audit_log(
                workspace_id=job.workspace_id,
                actor=job.requested_by,
                action=AuditEvent.Action.RESTORE,
                count=job.restored,
                details={"job": job.id, "phase": "finished", "restored": job.restored, "skipped": job.skipped},
            )
        job.save()
    return not done


def restore_job_run(*, job_id: int) -> str:
    """Run a job from its cursor until done, or until the task's time budget is
    spent (then it is re-enqueued, keeping each task far below the broker's
    visibility timeout)."""
    if not restore_job_claim(job_id=job_id):
        return "not_claimed"
    deadline = time.monotonic() + settings.RESTORE_TASK_BUDGET
    while restore_job_step(job_id=job_id):
        if settings.RESTORE_CHUNK_PAUSE:
            time.sleep(settings.RESTORE_CHUNK_PAUSE)
        if time.monotonic() > deadline:
            # Hand over: back to queued so the next delivery can claim it at once.
            RestoreJob.objects.filter(id=job_id, status=JobStatus.RUNNING).update(status=JobStatus.QUEUED, attempts=F("attempts") - 1)
            restore_job_enqueue(job_id=job_id)
            return "continued"
    return "done"


def restore_jobs_sweep(*, now: datetime | None = None) -> int:
    """Periodic: enqueue jobs that were accepted but never picked up (the broker was
    down) and jobs whose worker died (stale heartbeat). Returns how many."""
    now = now or timezone.now()
    stale = _stale_before(now)
    job_ids = list(
        RestoreJob.objects.filter(
            Q(status=JobStatus.QUEUED, enqueued_at__isnull=True)
            | Q(status=JobStatus.QUEUED, enqueued_at__lt=stale)
            | Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale)
        ).values_list("id", flat=True)
    )
    for job_id in job_ids:
        restore_job_enqueue(job_id=job_id)
    return len(job_ids)


def restore_job_cancel(*, job_id: int, actor) -> bool:
    """Support staff stop a job; what was restored stays restored."""
    with transaction.atomic():
        job = RestoreJob.objects.select_for_update().filter(id=job_id).first()
        if job is None or not job.is_active:
            return False
        job.status, job.finished_at = JobStatus.CANCELLED, timezone.now()
        job.error = f"Cancelled by support ({actor.get_username()})."
        job.save(update_fields=["status", "finished_at", "error"])
        audit_log(workspace_id=job.workspace_id, actor=actor, action=AuditEvent.Action.STAFF_CHANGE, details={"job": job.id, "verb": "cancel"})
    return True


def restore_job_retry(*, job_id: int, actor) -> bool:
    """Support staff resume a failed or cancelled job from its cursor."""
    try:
        with transaction.atomic():
            job = RestoreJob.objects.select_for_update().filter(id=job_id).first()
            if job is None or job.status not in (JobStatus.FAILED, JobStatus.CANCELLED) or job.cursor >= job.requested:
                return False
            job.status, job.attempts, job.error, job.finished_at, job.enqueued_at = JobStatus.QUEUED, 0, "", None, None
            job.save(update_fields=["status", "attempts", "error", "finished_at", "enqueued_at"])
            audit_log(workspace_id=job.workspace_id, actor=actor, action=AuditEvent.Action.STAFF_CHANGE, details={"job": job.id, "verb": "retry"})
            transaction.on_commit(lambda: restore_job_enqueue_soon(job_id=job_id))
    except IntegrityError:
        raise _job_in_progress(None) from None
    return True


# --- Automatic restore by a form submission (R9) ----------------------------------------


@dataclass
class FormSubmissionResult:
    contact: Contact
    created: bool
    restored: bool


def form_submit(*, form_id: int, email: str, first_name: str = "", last_name: str = "") -> FormSubmissionResult:
    """R9: a visitor submits an ACTIVE form. An archived contact with that email is
    restored at once (R6 applied, no freeze, no automation from the restore itself),
    then the form subscribes them like anyone. An inactive or unknown form: 404.
    Concurrent submissions of one email resolve to one contact."""
    form = Form.objects.select_related("workspace").filter(id=form_id, is_active=True).first()
    if form is None:
        raise NotFound("This form does not exist or no longer accepts submissions.")
    email = contact_services.normalize_email(email)
    for _ in range(3):
        try:
            with transaction.atomic():
                return _form_submit_once(form=form, email=email, first_name=first_name, last_name=last_name)
        except (IntegrityError, Conflict) as exc:
            if isinstance(exc, Conflict) and exc.code != "email_taken":
                raise
            continue  # a concurrent submission created the contact first: take the existing path
    raise Conflict("Too many simultaneous submissions for this address; please try again.", code="busy")


def _form_submit_once(*, form: Form, email: str, first_name: str, last_name: str) -> FormSubmissionResult:
    ws = form.workspace
    contact = (
        Contact.objects.select_for_update()
        .filter(workspace=ws)
        .exclude(status=ContactStatus.MERGED)
        .annotate(lemail=Lower("email"))
        .filter(lemail=email.lower())
        .first()
    )
    created = restored = False
    now = timezone.now()
    if contact and contact.status == ContactStatus.ARCHIVED:
        if rules.skip_reason(status=contact.status, archived_at=contact.archived_at, now=now, respect_freeze=False) == "expired":
            # Past the one-year window it is due for purge (A5): purge it now, start afresh.
            contact_services.contacts_purge(workspace=ws, contact_ids=[contact.id], reason="expired on form submission")
            contact = None
        else:
            contacts_restore(workspace=ws, contact_ids=[contact.id], source="form", respect_freeze=False, now=now)
            contact.refresh_from_db()
            restored = True
    if contact is None:
        contact = contact_services.contact_create(
            workspace=ws, email=email, first_name=first_name, last_name=last_name, consent=True
        )
        created = True
    for mailing_list in form.lists.all():
        contact_services.list_subscribe(contact=contact, mailing_list=mailing_list, status=MembershipStatus.SUBSCRIBED)
    return FormSubmissionResult(contact=contact, created=created, restored=restored)
