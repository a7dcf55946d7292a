"""Publishing task ids without letting a dead broker slow a request (R11)."""
import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)


def publish(task, *args) -> bool:
    """Send a task; False when the broker is unreachable (the caller's sweeper retries)."""
    try:
        task.apply_async(args=list(args), retry=False)
    except Exception as exc:  # broker down or unreachable
        log.warning("%s%s not enqueued (%s); it will be retried", task.name, args, exc)
        return False
    return True


def publish_soon(send: Callable[[], object], *, name: str) -> None:
    """Run `send` (which publishes) in a thread and wait at most ENQUEUE_WAIT for it.
    redis-py retries a refused connection for about two seconds and kombu offers no
    way to turn that off; if the publish is still trying, the request returns and
    the job, still queued in the database, is picked up by a sweeper."""

    def run():
        try:
            send()
        finally:
            connection.close()  # this thread's own database connection

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    thread.join(settings.ENQUEUE_WAIT)
