"""JSON API for restore previews and jobs, and the public form endpoint that restores
automatically (same services as the pages)."""

from datetime import datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import Throttled
from pydantic import ConfigDict, Field, StrictBool, model_validator

from contacts_app.api.auth import require_admin
from contacts_app.api.schemas import ContactFilterIn, Email, IdList, Text, errors
from contacts_app.api.throttling import FormSubmissionThrottle, FormTotalThrottle
from contacts_app.filters import ContactFilter
from contacts_app.lib.errors import NotFound

from .models import RestoreJob
from .services.form_submission import form_get, form_submission_save
from .services.jobs import restore_job_create
from .services.preview import restore_preview
from .services.selection import Selection, selection_from_ids, selection_from_queryset

router = Router(tags=["restore"])


class SelectionIn(Schema):
    """Either `contact_ids` or `filter` (every contact matching it, resolved on the server)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"oneOf": [{"required": ["contact_ids"]}, {"required": ["filter"]}]}
    )

    # Not nullable: absent means "not this way of selecting".
    contact_ids: IdList = Field(None, description="The contacts to restore.")
    filter: ContactFilterIn = Field(None, description="Every contact matching these filters.")

    @model_validator(mode="after")
    def one_of(self):
        if self.contact_ids is not None and self.filter is not None:
            raise ValueError("send either 'contact_ids' (a list of ids) or 'filter' (an object of filters), not both")
        if self.contact_ids is None and self.filter is None:
            raise ValueError("send 'contact_ids' (a list of ids) or 'filter' (an object of filters)")
        return self

    def selection(self, request) -> Selection:
        if self.contact_ids is not None:
            return selection_from_ids(workspace=request.workspace, ids=self.contact_ids)
        params = self.filter.as_params()
        qs = ContactFilter(params, workspace=request.workspace).qs_or_error()
        return selection_from_queryset(workspace=request.workspace, queryset=qs, description=params)


class RestoreJobIn(SelectionIn):
    confirm_overage: StrictBool = Field(
        False, description="B3: accept a possible overage when the restore reaches 90% of the plan."
    )


class NotComingBack(Schema):
    name: str
    contacts: int


class SkippedOut(Schema):
    frozen: int
    expired: int
    merged: int
    already_active: int
    not_found: int
    email_conflict: int


class PreviewOut(Schema):
    requested: int
    restorable: int
    billable_added: int
    billable_after: int
    contact_limit: int
    needs_confirmation: bool = Field(description="B3: starting it needs `confirm_overage: true`.")
    skipped: SkippedOut = Field(description="R10: contacts that would not be restored, by reason.")
    coming_back: dict[str, int] = Field(
        description="R12: list memberships, tags, account links and deal links that come back, by kind."
    )
    not_coming_back: dict[str, list[NotComingBack]] = Field(
        description="R12: lists, tags, accounts and deals deleted since archiving."
    )


class JobOut(Schema):
    id: int
    number: int = Field(description="U6: the job's number in its workspace, as its pages and emails say it.")
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    requested: int
    restored: int
    skipped: SkippedOut
    progress: float = Field(ge=0, le=1)
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None

    @staticmethod
    def from_job(job: RestoreJob) -> dict:
        return {
            "id": job.id,
            "number": job.number,
            "status": job.status,
            "requested": job.requested,
            "restored": job.restored,
            "skipped": job.skipped,
            "progress": round(job.progress, 4),
            "created_at": job.created_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
            "error": job.error or None,
        }


class SubmissionIn(Schema):
    email: Email
    first_name: Text(100) = ""
    last_name: Text(100) = ""
    consent: bool | None = Field(
        None,
        description="The visitor ticked the form's consent box; false is refused (400 consent_required). "
        "Absent: the embedding page asked for it (existing clients).",
    )


class SubmissionOut(Schema):
    contact_id: int | None = Field(description="null while an emailed link waits to be followed (G2).")
    created: bool
    restored: bool = Field(description="R9: an archived contact with this email was restored.")
    confirmation_required: bool = Field(
        False, description="The form's lists wait until the visitor follows the emailed link (double opt-in)."
    )


@router.post(
    "/restore-jobs/preview",
    response={200: PreviewOut, **errors(400, 401, 403, 413, 429)},
    summary="What a restore would give (R12, B3; admins)",
)
def preview(request, payload: SelectionIn):
    require_admin(request)
    return restore_preview(selection=payload.selection(request)).as_dict()


@router.post(
    "/restore-jobs",
    response={202: JobOut, **errors(400, 401, 403, 409, 413, 429)},
    summary="Start a restore job (admins); 409 job_in_progress or overage_confirmation_required",
)
def jobs(request, payload: RestoreJobIn):
    require_admin(request)
    job = restore_job_create(
        selection=payload.selection(request), actor=request.user, confirm_overage=payload.confirm_overage
    )
    return Status(202, JobOut.from_job(job))


@router.get(
    "/restore-jobs/{int:job_id}",
    response={200: JobOut, **errors(401, 404, 429)},
    summary="A restore job's progress and counts",
)
def job_detail(request, job_id: int):
    job = RestoreJob.objects.filter(workspace=request.workspace, id=job_id).first()
    if job is None:
        raise NotFound(_("No such restore job."))
    return JobOut.from_job(job)


@router.post(
    "/forms/{form_id}/submissions",
    auth=None,
    throttle=[FormSubmissionThrottle()],
    response={200: SubmissionOut, 201: SubmissionOut, **errors(400, 404, 409, 413, 429)},
    summary="A visitor submits a public form (no token; R9 restores an archived contact)",
)
def form_submission(request, form_id: str, payload: SubmissionIn):
    """`form_id`: the form's public id (its integer id still works for existing clients).
    Throttled per address, then per form (S7)."""
    form = form_get(form_ref=form_id)
    throttle = FormTotalThrottle()
    if not throttle.allow_form(request, form_id=form.id):
        raise Throttled(throttle.wait())
    result = form_submission_save(
        form=form,
        email=payload.email,
        first_name=payload.first_name,
        last_name=payload.last_name,
        consent=payload.consent,
    )
    body = {
        "contact_id": result.contact.id if result.contact else None,
        "created": result.created,
        "restored": result.restored,
        "confirmation_required": result.needs_confirmation,
    }
    return Status(201 if result.created else 200, body)  # a suppressed address: 200, nothing stored (G2)
