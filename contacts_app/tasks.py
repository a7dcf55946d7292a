from celery import shared_task

from .services.purge import contacts_purge_expired


@shared_task(ignore_result=True)
def contacts_purge_expired_task() -> int:
    return contacts_purge_expired()
