from celery import shared_task

from contacts_app.services.purge import contacts_purge_expired
from contacts_app.services.workers import worker_heartbeat_record


@shared_task(ignore_result=True)
def contacts_purge_expired_task() -> int:
    return contacts_purge_expired()


@shared_task(ignore_result=True, bind=True)
def worker_heartbeat_task(self) -> None:
    worker_heartbeat_record(name=self.request.hostname or "worker")
