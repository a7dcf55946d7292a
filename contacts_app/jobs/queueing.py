"""Publishing task ids without letting a dead broker slow a request (R11).

Services enqueue work through here, naming the task rather than importing it, so
that tasks import services and never the reverse."""

import logging
import threading
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)


def publish(task_name: str, *args) -> bool:
    """Send the task named `task_name`; False when the broker is unreachable (the
    caller's sweeper retries)."""
    try:
        current_app.send_task(task_name, args=list(args), retry=False)
    except Exception as exc:  # noqa: BLE001 — broker down, whatever the transport raises: never break the caller
        log.warning("%s%s not enqueued (%s); it will be retried", task_name, args, exc)
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
