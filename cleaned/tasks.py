from celery import shared_task

from .services import exports


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def export_run_task(export_id: int) -> str:
    return exports.export_run(export_id=export_id)


@shared_task(ignore_result=True)
def exports_sweep_task() -> int:
    return exports.exports_sweep()
