"""Background jobs, the one machinery (R4, R5, R11; C8's incident revert): a job row is
the truth, claimed by a conditional update whose row count says who won, advanced in
chunks that commit with their cursor and counters, resumed from its cursor by the
sweeper when a worker dies, one active job of a kind per workspace (a partial unique
index in each concrete model). Restore jobs and incident reverts are two kinds."""

import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from contacts_app.job_models import MAX_ATTEMPTS, BackgroundJob, JobStatus, job_stale_before
from contacts_app.jobs.pacing import job_duty_cycle
from contacts_app.jobs.queueing import publish
from contacts_app.models import Workspace

log = logging.getLogger(__name__)
ANALYZE_AFTER = 10_000  # items: a job this big refreshes the items table's statistics


def job_number_next(*, model: type[BackgroundJob], workspace_id: int) -> int:
    """The next number of a job of this kind in the workspace (U7). Call inside the
    transaction that creates the job: the workspace's row is locked until it commits,
    so two jobs created at once get two numbers."""
    Workspace.objects.select_for_update().filter(id=workspace_id).values_list("id", flat=True).first()
    return (model.objects.filter(workspace_id=workspace_id).aggregate(n=Max("number"))["n"] or 0) + 1


def job_claim(*, model: type[BackgroundJob], job_id: int, now: datetime, give_up: str) -> str:
    """Take the job for this worker with a conditional update (the row count tells
    whether we won). A running job with a fresh heartbeat belongs to another worker:
    a duplicate delivery leaves it alone. Each claim is an attempt; after MAX_ATTEMPTS
    the job is failed with `give_up` instead of crashing a worker forever.
    Returns "claimed", "failed" (just given up) or "" (someone else's)."""
    claimable = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=job_stale_before(now))
    claimed = model.objects.filter(claimable, id=job_id, attempts__lt=MAX_ATTEMPTS).update(
        status=JobStatus.RUNNING, attempts=F("attempts") + 1, started_at=Coalesce("started_at", now), heartbeat_at=now
    )
    if claimed:
        return "claimed"
    failed = model.objects.filter(claimable, id=job_id, attempts__gte=MAX_ATTEMPTS).update(
        status=JobStatus.FAILED, finished_at=now, error=give_up
    )
    if failed:
        log.error("%s %s failed after %s attempts", model._meta.verbose_name, job_id, MAX_ATTEMPTS)
        return "failed"
    return ""


def jobs_to_resume(*, model: type[BackgroundJob], now: datetime) -> list[int]:
    """Jobs accepted but never picked up (the broker was down) and jobs whose worker
    died (stale heartbeat): the sweeper enqueues them again."""
    stale = job_stale_before(now)
    return list(
        model.objects.filter(
            Q(status=JobStatus.QUEUED, enqueued_at__isnull=True)
            | Q(status=JobStatus.QUEUED, enqueued_at__lt=stale)
            | Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale)
        ).values_list("id", flat=True)
    )


def job_items_insert(*, item_model, job_id: int, column: str, ids: list[int]) -> None:
    """A job's items in one statement: (job, position, <column>) for each id in order,
    outcome blank (not processed yet)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {item_model._meta.db_table} (job_id, position, {column}, outcome) "
                "SELECT %s, ord - 1, i, '' FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(i, ord)",
                [job_id, ids],
            )
            if len(ids) >= ANALYZE_AFTER:
                # Fresh statistics, or the chunk claims are planned as a scan of the whole
                # items table plus a sort (measured: 200 ms a chunk at 1,000,000 items).
                cur.execute(f"ANALYZE {item_model._meta.db_table}")
    else:
        item_model.objects.bulk_create(
            [item_model(job_id=job_id, position=n, **{column: i}) for n, i in enumerate(ids)], batch_size=5000
        )


def job_enqueue(*, model: type[BackgroundJob], task: str, job_id: int) -> bool:
    """Hand the job id to the broker (the sweeper calls this; waiting is fine there).
    Returns False when the broker is unreachable; the job stays queued."""
    if not publish(task, job_id):
        return False
    model.objects.filter(id=job_id).update(enqueued_at=timezone.now())
    return True


# Per process: the last position this worker claimed in each job. Claims look past it
# first, so they do not walk the index entries of items already done (at 1,000,000
# items that walk grew to tens of milliseconds per chunk); items left behind by a
# crashed chunk are found by the fallback scan from the start. Only a hint.
_CLAIM_HINTS: dict[tuple[str, int], int] = {}


def job_items_claim(*, item_model, job_id: int, limit: int, columns: tuple[str, ...]) -> list[tuple]:
    """R14: the next `limit` unprocessed items of the job, locked until this transaction
    ends. Items another worker's chunk holds are skipped (PostgreSQL `FOR UPDATE SKIP
    LOCKED`), so any number of workers take disjoint chunks of one job; a worker that
    dies rolls back and its items are simply taken by a later claim. (SQLite, the
    one-worker demo, has no row locks: it writes one transaction at a time anyway.)"""
    key = (item_model._meta.label, job_id)
    pending = item_model.objects.filter(job_id=job_id, outcome="").order_by("position")
    if connection.features.has_select_for_update_skip_locked:
        pending = pending.select_for_update(skip_locked=True)
    rows: list[tuple] = []
    if key in _CLAIM_HINTS:
        rows = list(pending.filter(position__gt=_CLAIM_HINTS[key]).values_list("position", *columns)[:limit])
    if not rows:
        rows = list(pending.values_list("position", *columns)[:limit])
    if rows:
        _CLAIM_HINTS[key] = rows[-1][0]
    else:
        _CLAIM_HINTS.pop(key, None)
    return [row[1:] for row in rows]


def job_chunk_commit(
    *, model: type[BackgroundJob], job_id: int, processed: int, counters: dict[str, int], now: datetime
) -> bool:
    """R14: add one chunk's counts to the job row (atomic increments, so chunks that
    commit in any order and on any worker add up exactly) and beat. Returns True when
    this chunk was the last one: the job is then marked succeeded, in this same
    transaction. The row is locked from here to the commit only, not during the chunk."""
    model.objects.filter(id=job_id).update(
        cursor=F("cursor") + processed, heartbeat_at=now, **{name: F(name) + n for name, n in counters.items() if n}
    )
    cursor, requested = model.objects.filter(id=job_id).values_list("cursor", "requested").get()
    if cursor < requested:
        return False
    return bool(
        model.objects.filter(id=job_id, status=JobStatus.RUNNING).update(status=JobStatus.SUCCEEDED, finished_at=now)
    )


def job_joinable(*, model: type[BackgroundJob], job_id: int, now: datetime) -> bool:
    """R14: a running job with a fresh heartbeat takes helpers: another worker's task
    joins it and claims chunks beside the first one."""
    return model.objects.filter(id=job_id, status=JobStatus.RUNNING, heartbeat_at__gte=job_stale_before(now)).exists()


def job_outcomes_write(
    *, item_model, items: list[tuple[int, int]], outcomes: dict, default: str | None = None
) -> Counter:
    """Write each claimed item's outcome (one UPDATE per distinct outcome) and return
    how many items had each. `items` are (item id, subject id) as claimed; `default`
    is the outcome of a subject the step did not report (None: every one must be)."""
    by_outcome: dict[str, list[int]] = {}
    for item_id, subject_id in items:
        outcome = outcomes[subject_id] if default is None else outcomes.get(subject_id, default)
        by_outcome.setdefault(outcome, []).append(item_id)
    for outcome, item_ids in by_outcome.items():
        item_model.objects.filter(id__in=item_ids).update(outcome=outcome)
    return Counter({outcome: len(item_ids) for outcome, item_ids in by_outcome.items()})


def job_rest_after(chunk_seconds: float) -> float:
    """P5: how long a worker rests after a chunk that took `chunk_seconds`: the fixed
    JOB_CHUNK_PAUSE, plus what keeps the job within its duty cycle (`pacing`)."""
    duty = job_duty_cycle()
    return settings.JOB_CHUNK_PAUSE + (chunk_seconds * (1 - duty) / duty if duty < 1 else 0.0)


def job_steps_run(*, step: Callable[[], bool], carry_on: Callable[[], object]) -> tuple[bool, int]:
    """Run `step` (one chunk) until it finds nothing left for this worker, resting
    `job_rest_after` between chunks; when the task's time budget is spent, call
    `carry_on` (queue the next task, which joins the running job) and stop.
    Returns (finished, chunks done by this task)."""
    deadline = time.monotonic() + settings.JOB_TASK_BUDGET
    chunks = 0
    while True:
        started = time.monotonic()
        if not step():
            return True, chunks
        chunks += 1
        rest = job_rest_after(time.monotonic() - started)
        if rest:
            time.sleep(rest)
        if time.monotonic() > deadline:
            carry_on()
            return False, chunks
