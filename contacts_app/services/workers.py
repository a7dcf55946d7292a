"""Worker liveness: each worker writes its heartbeat; the health probe
(`contacts_app/web/health.py`) reads the newest."""

from django.utils import timezone

from contacts_app.models import WorkerHeartbeat


def worker_heartbeat_record(*, name: str) -> None:
    """Called by a worker's periodic task: this worker is alive now."""
    WorkerHeartbeat.objects.update_or_create(name=name[:200], defaults={"beat_at": timezone.now()})
