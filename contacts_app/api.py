"""JSON API for the workspace and its contacts. Same services as the pages."""
from django.core.paginator import Paginator
from django.http import JsonResponse

from . import selectors
from .api_auth import api_view, id_list, json_body
from .errors import InvalidInput, NotFound
from .filters import ContactFilter
from .lifecycle import restorable_from, restorable_until
from .models import Contact, ContactStatus
from .services.archive import contacts_archive as archive_service
from .services.contacts import contact_create, contact_update

API_PAGE_SIZE = 100


def contact_json(c) -> dict:
    until = restorable_until(c.archived_at) if c.status == ContactStatus.ARCHIVED else None
    return {
        "id": c.id,
        "email": c.email,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "status": c.status,
        "email_status": c.email_status,
        "created_at": c.created_at.isoformat(),
        "archived_at": c.archived_at.isoformat() if c.archived_at else None,
        "restorable_from": restorable_from(c.archived_at).isoformat() if until else None,
        "restorable_until": until.isoformat() if until else None,
        "merged_into": c.merged_into_id,
    }


@api_view(methods=("GET",))
def workspace_detail(request):
    ws = request.workspace
    return JsonResponse({"slug": ws.slug, "contact_limit": ws.contact_limit, "billable_contacts": selectors.billable_count(workspace=ws)})


@api_view(methods=("GET", "POST"))
def contacts(request):
    if request.method == "POST":
        return _contact_create(request)
    qs = ContactFilter(request.GET, workspace=request.workspace).qs_or_error().order_by("-id")
    page_raw = request.GET.get("page", "1")
    if not page_raw.isdigit() or int(page_raw) < 1:
        raise InvalidInput("'page' must be a positive integer.", code="invalid_page")
    paginator = Paginator(qs, API_PAGE_SIZE)
    number = int(page_raw)
    if number > max(paginator.num_pages, 1):
        raise InvalidInput(f"There are only {paginator.num_pages} pages.", code="invalid_page")
    page = paginator.page(number)
    next_url = None
    if page.has_next():
        params = request.GET.copy()
        params["page"] = str(number + 1)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return JsonResponse({"count": paginator.count, "next": next_url, "results": [contact_json(c) for c in page.object_list]})


def _contact_create(request):
    data = json_body(request)
    for key in ("email", "first_name", "last_name"):
        if key in data and not isinstance(data[key], str):
            raise InvalidInput(f"'{key}' must be a string.")
    contact = contact_create(
        workspace=request.workspace,
        email=data.get("email", ""),
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
        list_ids=id_list(data, "lists") if "lists" in data else (),
        tag_ids=id_list(data, "tags") if "tags" in data else (),
        consent=data.get("consent") is True,
        actor=request.user,
    )
    return JsonResponse(contact_json(contact), status=201)


@api_view(methods=("POST",), admin_only=True)
def contacts_archive(request):
    ids = id_list(json_body(request), "contact_ids")
    if not ids:
        raise InvalidInput("'contact_ids' is empty.", code="empty_selection")
    return JsonResponse({"archived": archive_service(workspace=request.workspace, contact_ids=ids, actor=request.user)})


@api_view(methods=("GET", "PATCH"))
def contact_detail(request, contact_id: int):
    """GET one contact; PATCH edits it. C2: a cleaned contact answers 409 contact_cleaned."""
    contact = Contact.objects.filter(workspace=request.workspace, id=contact_id).first()
    if contact is None:
        raise NotFound("No such contact.")
    if request.method == "PATCH":
        data = json_body(request)
        fields = {k: data.get(k, getattr(contact, k)) for k in ("email", "first_name", "last_name", "phone")}
        if not all(isinstance(v, str) for v in fields.values()):
            raise InvalidInput("email, first_name, last_name and phone must be strings.")
        contact_update(contact=contact, actor=request.user, **fields)
    return JsonResponse(contact_json(contact))
