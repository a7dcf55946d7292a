"""JSON API for restore previews and jobs (same services as the pages)."""
from django.http import JsonResponse

from contacts_app.api_auth import api_view, id_list, json_body
from contacts_app.errors import InvalidInput, NotFound

from . import services
from .filters import ContactFilter
from .models import RestoreJob


def selection_from_body(request, data: dict) -> services.Selection:
    if "contact_ids" in data and "filter" in data:
        raise InvalidInput("Send either 'contact_ids' or 'filter', not both.", code="invalid_selection")
    if "contact_ids" in data:
        return services.selection_from_ids(workspace=request.workspace, ids=id_list(data, "contact_ids"))
    if isinstance(data.get("filter"), dict):
        params = {k: str(v) for k, v in data["filter"].items()}
        qs = ContactFilter(params, workspace=request.workspace).qs_or_error()
        return services.selection_from_queryset(workspace=request.workspace, queryset=qs, description=params)
    raise InvalidInput("Send 'contact_ids' (a list of ids) or 'filter' (an object of filters).", code="invalid_selection")


def job_json(job: RestoreJob) -> dict:
    return {
        "id": job.id,
        "status": job.status,
        "requested": job.requested,
        "restored": job.restored,
        "skipped": job.skipped,
        "progress": round(job.progress, 4),
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "error": job.error or None,
    }


@api_view(methods=("POST",), admin_only=True)
def preview(request):
    selection = selection_from_body(request, json_body(request))
    return JsonResponse(services.restore_preview(selection=selection).as_dict())


@api_view(methods=("POST",), admin_only=True)
def jobs(request):
    data = json_body(request)
    confirm = data.get("confirm_overage", False)
    if not isinstance(confirm, bool):
        raise InvalidInput("'confirm_overage' must be true or false.")
    job = services.restore_job_create(selection=selection_from_body(request, data), actor=request.user, confirm_overage=confirm)
    return JsonResponse(job_json(job), status=202)


@api_view(methods=("GET",))
def job_detail(request, job_id: int):
    job = RestoreJob.objects.filter(workspace=request.workspace, id=job_id).first()
    if job is None:
        raise NotFound("No such restore job.")
    return JsonResponse(job_json(job))
