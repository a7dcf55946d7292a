"""A6: an archive job's pages — its progress (polled by static/js/job-progress.js, and
complete without it), its JSON status and its report."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from contacts_app import selectors
from contacts_app.models import ArchiveOutcome
from contacts_app.web.access import handles_service_errors, workspace_view
from contacts_app.web.downloads import table_download
from contacts_app.web.jobs import NO_WORKER_AFTER, job_status_response
from contacts_app.web.pagination import paginate


def _job_or_404(request, number: int):
    job = selectors.archive_job(workspace=request.workspace, number=number)
    if job is None:
        raise Http404(_("No such archive job."))  # another workspace's job too (S2)
    return job


@require_GET
@workspace_view()
@handles_service_errors
def archive_jobs_list(request):
    page, _per_page = paginate(request, selectors.archive_jobs(workspace=request.workspace))
    return render(request, "contacts/archive_jobs.html", {"jobs": page.object_list, "page": page})


@require_GET
@workspace_view()
def archive_job_detail(request, number: int):
    job = _job_or_404(request, number)
    skipped = [
        (label, n)
        for label, n in (
            (ArchiveOutcome.NOT_ACTIVE.label, job.skipped_not_active),
            (ArchiveOutcome.NOT_FOUND.label, job.skipped_not_found),
        )
        if n
    ]
    context = {
        "job": job,
        "skipped": skipped,
        "no_worker_after": NO_WORKER_AFTER,
        "watch": job.keeps_polling,
    }
    return render(request, "contacts/archive_job.html", context)


@require_GET
@workspace_view()
def archive_job_status(request, number: int):
    job = _job_or_404(request, number)
    return job_status_response(job, archived=job.archived, skipped=job.skipped_total)


@require_GET
@workspace_view(admin_only=True)
@handles_service_errors
def archive_job_report(request, number: int):
    """One row per requested contact with its outcome: an export, so admins only (S1)."""
    job = _job_or_404(request, number)
    return table_download(
        request,
        basename=f"archive-job-{job.number}-report",
        header=["contact_id", "email", "first_name", "last_name", "outcome"],
        rows=selectors.archive_job_report_rows(job=job),
    )
