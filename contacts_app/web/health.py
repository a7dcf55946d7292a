"""What a load balancer may know: whether the database and the broker answer, and how
long ago a worker last said it was alive."""

from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

from contacts_app.models import WorkerHeartbeat


def health_check() -> dict:
    report = {"database": "down", "broker": "down", "worker_heartbeat_age": None}
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        report["database"] = "ok"
        newest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
        if newest:
            report["worker_heartbeat_age"] = max(0, int((timezone.now() - newest).total_seconds()))
    except Exception:  # noqa: BLE001 — a health probe answers "down" whatever stopped the check
        pass
    # One try, HEALTH_TIMEOUT at most: a load balancer's check must not time out waiting
    # for the probe to say the broker is down (it took 2.1 s with the worker's retries).
    timeout = settings.HEALTH_TIMEOUT
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS}
    if "socket_connect_timeout" in options:
        options.update(socket_connect_timeout=timeout, socket_timeout=timeout, max_retries=0)
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options=options) as conn:
            conn.ensure_connection(max_retries=0, timeout=timeout)
        report["broker"] = "ok"
    except Exception:  # noqa: BLE001 — a health probe answers "down" whatever stopped the check
        pass
    return report
