from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def contacts_purge_expired_task() -> int:
    return services.contacts_purge_expired()
