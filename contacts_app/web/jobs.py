"""What every kind of job's page shares."""

from django.http import JsonResponse

NO_WORKER_AFTER = 60  # seconds a queued job may wait before its page warns that no worker took it


def job_status_response(job, **counts: int) -> JsonResponse:
    """What a job page's script polls (static/js/job-progress.js), for any kind of job:
    its status and progress, how long it has waited for a worker, whether its requester
    was told it finished (R13), and the kind's own counts."""
    return JsonResponse(
        {
            "status": job.status,
            "progress": job.progress,
            "processed": job.cursor,
            "requested": job.requested,
            "waiting_seconds": job.waiting_seconds,
            "told": job.notified_at is not None,
            **counts,
        }
    )
