"""P5: how fast a job may go while the web shares its machine.

Fixed pacing keeps a job within JOB_DUTY_CYCLE of its worker's time. Adaptive pacing
(JOB_PACING=adaptive) goes at full speed while the web is quiet and falls back to
JOB_DUTY_CYCLE while it is busy, in the spirit of GitLab's batched background
migrations, which space their batches from measured timings. Every web process marks
"busy" in the shared cache when one of its requests queued — it spent more than
WEB_QUEUED_AFTER_MS neither running nor waiting on the database, that is waiting for a
CPU (or for its process's other threads) — or took longer than WEB_BUSY_AFTER_MS in all.
The mark lasts JOB_BACKOFF_SECONDS, so a worker checks it before each rest and a web
process that dies leaves no lasting brake; a process renews it at most once a second."""

import logging
import time

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

BUSY_KEY = "p5:web-busy"
MARK_EVERY_SECONDS = 1.0  # under load every request qualifies: one cache write a second per process is enough
_marked_at = 0.0  # this process's last mark (monotonic seconds)


def request_queued(*, total_ms: float, cpu_ms: float, db_ms: float) -> bool:
    """P5: whether a request shows the web busy — it waited for a CPU, or it was slow."""
    waited_ms = total_ms - cpu_ms - db_ms
    return waited_ms > settings.WEB_QUEUED_AFTER_MS or total_ms > settings.WEB_BUSY_AFTER_MS


def web_busy_mark(*, total_ms: float, cpu_ms: float, db_ms: float) -> None:
    """Called by the web for each request: one that queued marks the web busy (adaptive only)."""
    global _marked_at
    if settings.JOB_PACING != "adaptive" or not request_queued(total_ms=total_ms, cpu_ms=cpu_ms, db_ms=db_ms):
        return
    now = time.monotonic()
    if now - _marked_at < MARK_EVERY_SECONDS:
        return
    _marked_at = now
    try:
        cache.set(BUSY_KEY, round(total_ms), timeout=settings.JOB_BACKOFF_SECONDS)
    except Exception:  # the cache down must not fail the page; the job just is not told
        log.warning("could not mark the web busy in the cache", exc_info=True)


def web_is_busy() -> bool:
    try:
        return cache.get(BUSY_KEY) is not None
    except Exception:  # the cache down: pace as if busy, the safe side for the web
        log.warning("could not read the web's busy mark; pacing the job", exc_info=True)
        return True


def job_duty_cycle() -> float:
    """The share of its worker's time a job may take now."""
    if settings.JOB_PACING == "adaptive" and not web_is_busy():
        return 1.0
    return settings.JOB_DUTY_CYCLE
