from django.http import Http404, StreamingHttpResponse
from django.views.decorators.http import require_GET

from contacts_app.access import workspace_view
from contacts_app.csv_stream import csv_lines

from . import selectors


@require_GET
@workspace_view()
def job_report_csv(request, job_id: int):
    job = selectors.job_for(workspace=request.workspace, job_id=job_id)
    if job is None:
        raise Http404("No such restore job.")
    header = ["contact_id", "email", "first_name", "last_name", "outcome", "reason_code", "reason"]
    response = StreamingHttpResponse(csv_lines(header, selectors.job_report_rows(job=job)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="restore-job-{job.id}-report.csv"'
    return response
