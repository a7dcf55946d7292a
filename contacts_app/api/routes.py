"""JSON API for the workspace and its contacts. Same services as the pages."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field, StrictBool, model_validator

from contacts_app import selectors
from contacts_app.api.auth import require_admin
from contacts_app.api.schemas import ContactFilterIn, ContactOut, Email, Id, IdList, QueryId, Text, api_page, errors
from contacts_app.filters import ContactFilter
from contacts_app.lib.errors import InvalidInput, NotFound
from contacts_app.models import Contact
from contacts_app.services.archive_jobs import archive_request
from contacts_app.services.contacts import contact_create, contact_update

API_PAGE_SIZE = 100
router = Router(tags=["contacts"])


class WorkspaceOut(Schema):
    slug: str
    contact_limit: int
    billable_contacts: int = Field(description="B1: active contacts whose address is not cleaned.")


class ContactPage(Schema):
    count: int
    next: str | None = Field(description="The next page's URL, or null on the last page.")
    results: list[ContactOut]


class ContactListQuery(ContactFilterIn):
    model_config = ConfigDict(extra="ignore")  # other query parameters are not filters

    page: QueryId = 1  # ASCII digits only: "1_0" is not 10 (S4)
    # Query strings carry text: the ids are read with the one integer parser (on GET the
    # JSON-integer rule made list=, tag= and account= unusable).
    list: QueryId | None = Field(None, description="Is (or, archived, was) on this list.")
    tag: QueryId | None = Field(None, description="Has (or, archived, had) this tag.")
    account: QueryId | None = Field(None, description="Is (or, archived, was) at this account.")


class ContactIn(Schema):
    model_config = ConfigDict(extra="forbid")

    email: Email
    first_name: Text(100) = ""
    last_name: Text(100) = ""
    lists: list[Id] = Field(default_factory=list, max_length=1000)
    tags: list[Id] = Field(default_factory=list, max_length=1000)
    consent: StrictBool = Field(
        False, description="This person gave permission to email them; without it list memberships are `unconfirmed`."
    )


class ContactPatch(Schema):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    email: Email = None
    first_name: Text(100) = None
    last_name: Text(100) = None
    phone: Text(40) = None


class ArchiveIn(Schema):
    """Either `contact_ids` or `filter` (every contact matching it, resolved on the server)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"oneOf": [{"required": ["contact_ids"]}, {"required": ["filter"]}]}
    )

    # Not nullable: absent means "not this way of selecting".
    contact_ids: IdList = Field(None, description="The contacts to archive; over 1,000 make an archive job.")
    filter: ContactFilterIn = Field(None, description="Every contact matching these filters: always an archive job.")

    @model_validator(mode="after")
    def one_of(self):
        if self.contact_ids is not None and self.filter is not None:
            raise ValueError("send either 'contact_ids' (a list of ids) or 'filter' (an object of filters), not both")
        if self.contact_ids is None and self.filter is None:
            raise ValueError("send 'contact_ids' (a list of ids) or 'filter' (an object of filters)")
        return self


class ArchiveOut(Schema):
    archived: int = Field(description="How many were active and are archived now; the others were left as is.")


class ArchiveSkippedOut(Schema):
    not_active: int = Field(description="Already archived, or merged: left as they were.")
    not_found: int = Field(description="Not a contact of this workspace.")


class ArchiveJobOut(Schema):
    """A6: a bulk archive running in the background."""

    id: int
    number: int = Field(description="U6: the job's number in its workspace, as its pages and emails say it.")
    status: str = Field(description="queued, running, succeeded, failed or cancelled.")
    requested: int
    archived: int
    skipped: ArchiveSkippedOut
    not_processed: int = Field(description="What a cancelled or failed job never reached.")
    progress: float = Field(ge=0, le=1)
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str

    @staticmethod
    def from_job(job) -> "ArchiveJobOut":
        return ArchiveJobOut(
            id=job.id,
            number=job.number,
            status=job.status,
            requested=job.requested,
            archived=job.archived,
            skipped=ArchiveSkippedOut(not_active=job.skipped_not_active, not_found=job.skipped_not_found),
            not_processed=job.not_processed,
            progress=job.progress,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            error=job.error,
        )


@router.get(
    "/workspace", response={200: WorkspaceOut, **errors(401, 429)}, summary="The token's workspace and its billing"
)
def workspace_detail(request):
    ws = request.workspace
    return {
        "slug": ws.slug,
        "contact_limit": ws.contact_limit,
        "billable_contacts": selectors.billable_count(workspace=ws),
    }


@router.get("/contacts", response={200: ContactPage, **errors(400, 401, 429)}, summary="Contacts, filtered")
def contact_list(request, filters: Query[ContactListQuery]):
    params = filters.as_params()
    number = filters.page
    del params["page"]
    qs = ContactFilter(params, workspace=request.workspace).qs_or_error().order_by("-id")
    page, next_url = api_page(request, qs, number=number, size=API_PAGE_SIZE)
    return {
        "count": page.paginator.count,
        "next": next_url,
        "results": [ContactOut.from_contact(c) for c in page.object_list],
    }


@router.post(
    "/contacts",
    response={201: ContactOut, **errors(400, 401, 404, 409, 413, 429)},
    summary="Add a contact (fires automations)",
)
def contact_add(request, payload: ContactIn):
    contact = contact_create(
        workspace=request.workspace,
        email=payload.email,
        first_name=payload.first_name,
        last_name=payload.last_name,
        list_ids=payload.lists,
        tag_ids=payload.tags,
        consent=payload.consent,
        actor=request.user,
    )
    return Status(201, ContactOut.from_contact(contact))


@router.post(
    "/contacts/archive",
    response={200: ArchiveOut, 202: ArchiveJobOut, **errors(400, 401, 403, 413, 429)},
    summary="Archive contacts (A1–A3, A6; admins): 200 at once for up to 1,000 ids, else 202 with an archive job",
)
def contacts_archive(request, payload: ArchiveIn):
    require_admin(request)
    if payload.contact_ids is not None:
        ids, selection = payload.contact_ids, {"ids": len(payload.contact_ids)}
    else:
        params = payload.filter.as_params()
        matching = ContactFilter(params, workspace=request.workspace).qs_or_error().active()  # what can be archived
        ids, selection = list(matching.order_by("id").values_list("id", flat=True)), params
        if not ids:
            raise InvalidInput(_("No active contact matches this filter: nothing to archive."), code="empty_selection")
    result = archive_request(
        workspace=request.workspace,
        actor=request.user,
        contact_ids=ids,
        selection=selection,
        all_matching=payload.filter is not None,
    )
    if result.job is not None:
        return Status(202, ArchiveJobOut.from_job(result.job))
    return {"archived": result.archived}


@router.get(
    "/archive-jobs/{int:job_id}",
    response={200: ArchiveJobOut, **errors(401, 404, 429)},
    summary="An archive job's progress and counts (A6)",
)
def archive_job_detail(request, job_id: int):
    job = selectors.archive_job(workspace=request.workspace, job_id=job_id)
    if job is None:
        raise NotFound(_("No such archive job."))  # another workspace's job too (S2)
    return ArchiveJobOut.from_job(job)


def _own_contact(request, contact_id: int) -> Contact:
    contact = Contact.objects.filter(workspace=request.workspace, id=contact_id).first()
    if contact is None:
        raise NotFound(_("No such contact."))  # another workspace's contact too (S2)
    return contact


@router.get("/contacts/{int:contact_id}", response={200: ContactOut, **errors(401, 404, 429)}, summary="One contact")
def contact_detail(request, contact_id: int):
    return ContactOut.from_contact(_own_contact(request, contact_id))


@router.patch(
    "/contacts/{int:contact_id}",
    response={200: ContactOut, **errors(400, 401, 404, 409, 413, 429)},
    summary="Edit a contact (409 contact_cleaned for a cleaned one: C2)",
)
def contact_edit(request, contact_id: int, payload: ContactPatch):
    contact = _own_contact(request, contact_id)
    fields = {k: getattr(contact, k) if v is None else v for k, v in payload.model_dump().items()}
    contact_update(contact=contact, actor=request.user, **fields)
    return ContactOut.from_contact(contact)
