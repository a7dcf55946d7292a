"""JSON API for restore previews and jobs, and the public form endpoint that
restores automatically (same services as the pages)."""
from django.http import JsonResponse

from contacts_app.api_auth import api_view, id_list, json_body
from contacts_app.errors import InvalidInput, NotFound
from contacts_app.filters import ContactFilter

from .models import RestoreJob
from .services.form_submission import form_submit
from .services.jobs import restore_job_create
from .services.preview import restore_preview
from .services.selection import Selection, selection_from_ids, selection_from_queryset


def selection_from_body(request, data: dict) -> Selection:
    if "contact_ids" in data and "filter" in data:
        raise InvalidInput("Send either 'contact_ids' or 'filter', not both.", code="invalid_selection")
    if "contact_ids" in data:
        return selection_from_ids(workspace=request.workspace, ids=id_list(data, "contact_ids"))
    if isinstance(data.get("filter"), dict):
        params = {k: str(v) for k, v in data["filter"].items()}
        qs = ContactFilter(params, workspace=request.workspace).qs_or_error()
        return selection_from_queryset(workspace=request.workspace, queryset=qs, description=params)
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
    return JsonResponse(restore_preview(selection=selection).as_dict())


@api_view(methods=("POST",), admin_only=True)
def jobs(request):
    data = json_body(request)
    confirm = data.get("confirm_overage", False)
    if not isinstance(confirm, bool):
        raise InvalidInput("'confirm_overage' must be true or false.")
    job = restore_job_create(selection=selection_from_body(request, data), actor=request.user, confirm_overage=confirm)
    return JsonResponse(job_json(job), status=202)


@api_view(methods=("GET",))
def job_detail(request, job_id: int):
    job = RestoreJob.objects.filter(workspace=request.workspace, id=job_id).first()
    if job is None:
        raise NotFound("No such restore job.")
    return JsonResponse(job_json(job))


@api_view(methods=("POST",), public=True)
def form_submission(request, form_id: int):
    """R9: a visitor's submission of a public form (no token)."""
    data = json_body(request)
    fields = {k: data.get(k, "") for k in ("email", "first_name", "last_name")}
    if not all(isinstance(v, str) for v in fields.values()):
        raise InvalidInput("email, first_name and last_name must be strings.")
    result = form_submit(form_id=form_id, **fields)
    return JsonResponse(
        {"contact_id": result.contact.id, "created": result.created, "restored": result.restored},
        status=201 if result.created else 200,
    )
