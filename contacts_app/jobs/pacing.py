"""P5: how fast a job may go while the web shares its machine.

Fixed pacing keeps a job within JOB_DUTY_CYCLE of its worker's time. Adaptive pacing
(JOB_PACING=adaptive) goes at full speed while the web is quiet and falls back to
JOB_DUTY_CYCLE while it is busy, in the spirit of GitLab's batched background
migrations, which space their batches from measured timings: every web process marks
"busy" in the shared cache when one of its requests takes longer than
WEB_BUSY_AFTER_MS; the mark lasts JOB_BACKOFF_SECONDS, so a worker checks it before
each rest and a web process that dies leaves no lasting brake."""

import logging

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

BUSY_KEY = "p5:web-busy"


def web_busy_mark(*, request_ms: float) -> None:
    """Called by the web for each request: a slow one marks the web busy (adaptive only)."""
    if settings.JOB_PACING != "adaptive" or request_ms <= settings.WEB_BUSY_AFTER_MS:
        return
    try:
        cache.set(BUSY_KEY, round(request_ms), timeout=settings.JOB_BACKOFF_SECONDS)
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
