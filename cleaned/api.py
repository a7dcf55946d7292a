"""JSON API of the cleaned app: the signed bounce webhook (C1, S5), exports (C4) and
un-cleaning a contact (C8)."""

from datetime import datetime
from typing import Literal

from django.http import FileResponse
from django.urls import reverse
from ninja import Header, Router, Schema, Status
from pydantic import ConfigDict, Field

from contacts_app.api.auth import require_admin
from contacts_app.api.schemas import ContactFilterIn, ContactOut, Reason, errors
from contacts_app.api.throttling import BounceWebhookThrottle
from contacts_app.lib.errors import Conflict, Gone, NotFound, ServiceError
from contacts_app.models import Workspace

from .models import ExportJob, ExportScope, ExportStatus
from .parsing import BounceBatchIn, bounce_inputs_from_json
from .services import cleanings
from .services.bounces import bounces_apply
from .services.cleanings import REASON_MAX
from .services.exports import XLSX_TYPE, export_create, export_file
from .signing import signature_problem

router = Router(tags=["bounces and exports"])


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"


def _inline_refs(schema: dict) -> dict:
    """A pydantic JSON schema with its $defs written in place (for openapi_extra)."""
    defs = schema.pop("$defs", {})

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


class BouncesOut(Schema):
    accepted: int = Field(description="Events stored and applied by this call.")
    duplicates: int = Field(description="Events whose id was already received (from any earlier or concurrent call).")
    suppressed: int = Field(
        description="Events for an address on the workspace's suppression list (G2): not recorded, nothing changed."
    )


@router.post(
    "/bounces",
    auth=None,
    throttle=[BounceWebhookThrottle()],
    response={202: BouncesOut, **errors(400, 401, 413, 429)},
    summary="Bounce events from a sending provider (signed webhook)",
    description=(
        "Signed with the workspace's `webhook_secret`: `X-Signature: sha256=<hex HMAC-SHA256 of "
        '"<X-Timestamp>.<raw body>">`. A timestamp more than 5 minutes away is refused as a replay (401). '
        "A malformed batch is refused whole (400) and nothing is written."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inline_refs(BounceBatchIn.model_json_schema())}},
        }
    },
)
def bounces(
    request,
    x_workspace: str = Header("", alias="X-Workspace", description="The workspace's slug."),
    x_timestamp: str = Header("", alias="X-Timestamp", description="Unix time in seconds."),
    x_signature: str = Header("", alias="X-Signature", description="sha256=<hex>"),
):
    workspace = (
        Workspace.objects.filter(slug=x_workspace).first()
        if x_workspace.isascii() and x_workspace.isprintable()
        else None
    )
    problem = (
        "Unknown workspace or bad signature."
        if workspace is None
        else signature_problem(
            secret=workspace.webhook_secret, timestamp=x_timestamp, body=request.body, signature=x_signature
        )
    )
    if problem:
        raise Unauthorized(problem)
    result = bounces_apply(
        workspace=workspace, provider="generic", events=bounce_inputs_from_json(request.body), actor_label="webhook"
    )
    return Status(202, {"accepted": result.accepted, "duplicates": result.duplicates, "suppressed": result.suppressed})


class ExportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    filter: ContactFilterIn = Field(description="The same filters as GET /contacts; {} exports every contact.")


class ExportOut(Schema):
    id: int
    number: int = Field(description="U6: the export's number in its workspace, as its pages and emails say it.")
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    total: int = Field(description="Contacts matching when it was requested.")
    rows: int = Field(description="Rows written so far.")
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None = Field(
        description="When the file is deleted (EXPORT_RETENTION_DAYS after it is ready)."
    )
    download_url: str | None = Field(description="The CSV, for the same token; null until the export succeeded.")
    withdrawn: bool = Field(
        description="The file was deleted because it held a contact who was erased (G1): start a new export."
    )


def _export_out(request, job: ExportJob) -> dict:
    url = request.build_absolute_uri(reverse("api:export_download", args=[job.id])) if job.downloadable else None
    return {
        "id": job.id,
        "number": job.number,
        "status": job.status,
        "total": job.total,
        "rows": job.rows,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "expires_at": job.expires_at,
        "download_url": url,
        "withdrawn": job.withdrawn,
    }


def _own_export(request, export_id: int) -> ExportJob:
    job = ExportJob.objects.filter(workspace=request.workspace, id=export_id).first()
    if job is None:
        raise NotFound("No such export.")  # another workspace's export too (S2)
    return job


@router.post(
    "/exports",
    response={202: ExportOut, **errors(400, 401, 403, 413, 429)},
    summary="Export contacts to CSV in the background (admins)",
)
def export_start(request, payload: ExportIn):
    require_admin(request)
    job = export_create(
        workspace=request.workspace, actor=request.user, params=payload.filter.as_params(), scope=ExportScope.CONTACTS
    )
    return Status(202, _export_out(request, job))


@router.get(
    "/exports/{int:export_id}",
    response={200: ExportOut, **errors(401, 403, 404, 429)},
    summary="An export's status (admins)",
)
def export_detail(request, export_id: int):
    require_admin(request)
    return _export_out(request, _own_export(request, export_id))


@router.get(
    "/exports/{int:export_id}/download",
    url_name="export_download",
    response={200: None, **errors(400, 401, 403, 404, 409, 410, 429)},
    summary="The export's CSV, or with format=xlsx its Excel copy (admins); 410 export_expired once deleted",
    openapi_extra={
        "responses": {
            "200": {
                "description": "UTF-8 CSV with a byte-order mark and a header row; or an .xlsx workbook "
                "(400 too_many_rows when the export was too large for its Excel copy)",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def export_download(request, export_id: int, format: Literal["csv", "xlsx"] = "csv"):
    require_admin(request)
    job = _own_export(request, export_id)
    if job.status in (ExportStatus.FAILED, ExportStatus.CANCELLED):
        raise Gone(
            f"This export {job.get_status_display().lower()}: it will not be ready; start a new one.",
            code="export_cancelled" if job.status == ExportStatus.CANCELLED else "export_failed",
        )
    if job.status != ExportStatus.SUCCEEDED:
        raise Conflict(
            f"This export is {job.get_status_display().lower()}, not ready yet: poll GET /exports/{job.id}.",
            code="export_not_ready",
        )
    path, filename, content_type = export_file(job, xlsx=format == "xlsx")
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename, content_type=content_type)


class UncleanIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: Reason(REASON_MAX, description="Why the address is deliverable again; kept in the activity log.")


@router.post(
    "/contacts/{int:contact_id}/unclean",
    response={200: ContactOut, **errors(400, 401, 403, 404, 409, 413, 429)},
    summary="Un-clean a contact (C8, admins): its lists get back their statuses from before the cleaning",
    tags=["contacts"],
)
def contact_unclean(request, contact_id: int, payload: UncleanIn):
    require_admin(request)
    contact = cleanings.contact_unclean(
        workspace=request.workspace, contact_id=contact_id, actor=request.user, reason=payload.reason
    )
    return ContactOut.from_contact(contact)
