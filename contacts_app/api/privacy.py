"""G1–G3 in the API: erase a contact, erasure jobs, the access request, the suppression
list. Admins only (S1); the same services as the pages."""

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field, model_validator

from contacts_app import selectors
from contacts_app.access_request import contact_data
from contacts_app.api.auth import require_admin
from contacts_app.api.schemas import ContactFilterIn, Email, IdList, QueryId, Reason, Text, api_page, errors
from contacts_app.filters import ContactFilter
from contacts_app.lib.errors import InvalidInput, NotFound
from contacts_app.models import Contact, Suppression
from contacts_app.services import suppression as suppressions
from contacts_app.services.erasure import REASON_MAX_LENGTH
from contacts_app.services.erasure_jobs import erasure_request

router = Router(tags=["privacy"])
PAGE_SIZE = 100


class EraseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: Reason(REASON_MAX_LENGTH, description="Why (an erasure request of …): kept in the activity log.")


class EraseOut(Schema):
    erased: int = Field(description="1: the contact and every piece of its data are gone; its address is suppressed.")


class ErasureJobIn(Schema):
    """Either `contact_ids` or `filter` (every contact matching it, any status), and why."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"oneOf": [{"required": ["contact_ids"]}, {"required": ["filter"]}]}
    )

    contact_ids: IdList = Field(None, description="The contacts to erase.")
    filter: ContactFilterIn = Field(None, description="Every contact matching these filters (GET /contacts's).")
    reason: Reason(REASON_MAX_LENGTH, description="Why: kept in the activity log.")

    @model_validator(mode="after")
    def one_of(self):
        if (self.contact_ids is None) == (self.filter is None):
            raise ValueError("send either 'contact_ids' (a list of ids) or 'filter' (an object of filters)")
        return self


class ErasureJobOut(Schema):
    id: int
    number: int = Field(description="The job's number in its workspace, as its pages and emails say it.")
    status: str = Field(description="queued, running, succeeded, failed or cancelled.")
    requested: int
    erased: int
    not_found: int = Field(description="Not a contact of this workspace (or already erased).")
    not_processed: int
    progress: float = Field(ge=0, le=1)
    reason: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str

    @staticmethod
    def from_job(job) -> "ErasureJobOut":
        return ErasureJobOut(
            id=job.id,
            number=job.number,
            status=job.status,
            requested=job.requested,
            erased=job.erased,
            not_found=job.skipped_not_found,
            not_processed=job.not_processed,
            progress=job.progress,
            reason=job.reason,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            error=job.error,
        )


class SuppressionOut(Schema):
    id: int
    source: str = Field(description="erased (only the hash is kept) or manual (added by hand).")
    address: str | None = Field(description="The address, for a manual entry; null for an erased contact's.")
    digest: str = Field(description="HMAC-SHA256 of the lower-cased address with the workspace's key, in hex.")
    reason: str
    created_at: datetime

    @staticmethod
    def from_row(row: Suppression) -> "SuppressionOut":
        return SuppressionOut(
            id=row.id,
            source=row.source,
            address=row.address or None,
            digest=row.digest,
            reason=row.reason,
            created_at=row.created_at,
        )


class SuppressionPage(Schema):
    count: int
    next: str | None
    results: list[SuppressionOut]


class PageQuery(Schema):
    model_config = ConfigDict(extra="ignore")
    page: QueryId = 1


class SuppressIn(Schema):
    model_config = ConfigDict(extra="forbid")
    addresses: list[Email] = Field(min_length=1, max_length=suppressions.MAX_ADDRESSES_AT_ONCE)
    reason: Text(suppressions.REASON_MAX_LENGTH) = ""


class SuppressOut(Schema):
    added: int
    already: int = Field(description="Already on the list: unchanged.")


class UnsuppressIn(Schema):
    model_config = ConfigDict(extra="forbid")
    address: Email = Field(description="The address to take off the list, whether it was erased or added by hand.")


def _contact(request, contact_id: int) -> Contact:
    contact = Contact.objects.filter(workspace=request.workspace, id=contact_id).select_related("workspace").first()
    if contact is None:
        raise NotFound(_("No such contact."))  # another workspace's too (S2)
    return contact


@router.post(
    "/contacts/{int:contact_id}/erase",
    response={200: EraseOut, **errors(400, 401, 403, 404, 413, 429)},
    summary="Erase a contact and every piece of its data (G1; admins). Its address joins the suppression list",
)
def contact_erase(request, contact_id: int, payload: EraseIn):
    require_admin(request)
    contact = _contact(request, contact_id)
    result = erasure_request(
        workspace=request.workspace,
        actor=request.user,
        contact_ids=[contact.id],
        reason=payload.reason,
        selection={"ids": 1},
    )
    return {"erased": result.erased}


@router.post(
    "/erasure-jobs",
    response={202: ErasureJobOut, **errors(400, 401, 403, 413, 429)},
    summary="Erase many contacts in the background (G1, A6; admins)",
)
def erasure_job_create(request, payload: ErasureJobIn):
    require_admin(request)
    if payload.contact_ids is not None:
        ids, selection = payload.contact_ids, {"ids": len(payload.contact_ids)}
    else:
        params = payload.filter.as_params()
        if not any(v.strip() for v in params.values()):  # "every contact" is never one empty object away
            raise InvalidInput(
                _("Give the filter at least one criterion: an empty filter would erase every contact."),
                code="filter_required",
            )
        qs = ContactFilter(params, workspace=request.workspace).qs_or_error()
        ids, selection = list(qs.order_by("id").values_list("id", flat=True)), {"filter": params}
        if not ids:
            raise InvalidInput(_("No contact matches this filter: nothing to erase."), code="empty_selection")
    result = erasure_request(
        workspace=request.workspace,
        actor=request.user,
        contact_ids=ids,
        reason=payload.reason,
        selection=selection,
        all_matching=True,  # the API's erasure jobs are always jobs
    )
    return Status(202, ErasureJobOut.from_job(result.job))


class ErasureJobPage(Schema):
    count: int
    next: str | None
    results: list[ErasureJobOut]


@router.get(
    "/erasure-jobs",
    response={200: ErasureJobPage, **errors(400, 401, 403, 429)},
    summary="The workspace's erasure jobs (G1; admins), newest first",
)
def erasure_job_list(request, query: Query[PageQuery]):
    require_admin(request)
    page, next_url = api_page(
        request, selectors.erasure_jobs(workspace=request.workspace), number=query.page, size=PAGE_SIZE
    )
    return {"count": page.paginator.count, "next": next_url, "results": [ErasureJobOut.from_job(j) for j in page]}


@router.get(
    "/erasure-jobs/{int:job_id}",
    response={200: ErasureJobOut, **errors(401, 403, 404, 429)},
    summary="An erasure job's progress and counts (G1)",
)
def erasure_job_detail(request, job_id: int):
    require_admin(request)
    job = selectors.erasure_job(workspace=request.workspace, job_id=job_id)
    if job is None:
        raise NotFound(_("No such erasure job."))
    return ErasureJobOut.from_job(job)


@router.get(
    "/contacts/{int:contact_id}/data",
    response={200: dict[str, Any], **errors(401, 403, 404, 429)},
    summary="Everything held about a contact: the access request (G3; admins)",
    description="Sections: contact, lists, tags, deals, archive_history, activity, form_submissions, "
    "bounce_events, cleanings; each a list of objects, dates in ISO 8601.",
)
def contact_data_detail(request, contact_id: int):
    require_admin(request)
    return contact_data(contact=_contact(request, contact_id))


@router.get(
    "/suppressions",
    response={200: SuppressionPage, **errors(400, 401, 403, 429)},
    summary="The suppression list (G2; admins), newest first",
)
def suppression_list(request, query: Query[PageQuery]):
    require_admin(request)
    page, next_url = api_page(
        request, selectors.suppressions(workspace=request.workspace), number=query.page, size=PAGE_SIZE
    )
    return {"count": page.paginator.count, "next": next_url, "results": [SuppressionOut.from_row(r) for r in page]}


@router.post(
    "/suppressions",
    response={201: SuppressOut, **errors(400, 401, 403, 413, 429)},
    summary="Suppress addresses by hand (G2; admins): they cannot be added again",
)
def suppression_add(request, payload: SuppressIn):
    require_admin(request)
    added, already = suppressions.suppressions_add(
        workspace=request.workspace, actor=request.user, addresses=payload.addresses, reason=payload.reason
    )
    return Status(201, {"added": added, "already": already})


@router.delete(
    "/suppressions",
    response={204: None, **errors(400, 401, 403, 404, 413, 429)},
    summary="Take an address off the suppression list (G2; admins), by the address (in the body, not the URL)",
)
def suppression_delete(request, payload: UnsuppressIn):
    require_admin(request)
    suppressions.suppression_remove(workspace=request.workspace, actor=request.user, address=payload.address)
    return Status(204, None)


@router.delete(
    "/suppressions/{int:suppression_id}",
    response={204: None, **errors(401, 403, 404, 429)},
    summary="Take one entry off the suppression list, by its id (G2; admins)",
)
def suppression_delete_one(request, suppression_id: int):
    require_admin(request)
    suppressions.suppression_remove(workspace=request.workspace, actor=request.user, suppression_id=suppression_id)
    return Status(204, None)
