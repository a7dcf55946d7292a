"""The page fuzzer (S2, S4), as schemathesis is for the API: property-based (Hypothesis,
derandomized) over every URL pattern of the pages, read from the URL configuration,
with every form's fields and every filter's parameters, filled with hostile values by
class (control characters, surrogates, non-ASCII digits, huge and negative numbers, far
dates, long text, odd `next` values, another workspace's ids), as an admin, a member,
anonymous and another workspace's admin. Each answer must be below 500; a refused one
(4xx) must change nothing; a redirect never leaves the site; another workspace's admin
never gets a page of this one."""

import inspect
import os
from urllib.parse import quote, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaned.models import BounceEvent, Cleaning, ExportJob, IncidentRevertJob
from cleaned.services.exports import export_create
from contacts_app.models import ArchiveJob, AuditEvent, Contact, ListMembership, Role
from restore.models import RestoreJob
from restore.services.jobs import restore_job_create
from restore.services.selection import selection_from_ids

from .factories import make_contact, make_contacts, make_list, make_member, make_tag, subscribe, tag
from .restore_helpers import archive

pytestmark = pytest.mark.django_db

# Addresses the fuzzer does not walk: the API (schemathesis), the provider webhooks (the
# provider fuzzer), the Django admin (Django's own), the static JavaScript catalogue.
SKIPPED = ("admin/", "api/", "^api/", "webhooks/", "jsi18n/")


def _routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


ROUTES = sorted({r for r in _routes(get_resolver().url_patterns) if not r.startswith(SKIPPED)})


def _field_names() -> list[str]:
    """Every field of every page form and filter, and the parameters views read."""
    import django_filters
    from django import forms

    from cleaned import forms as cleaned_forms
    from cleaned import selectors as cleaned_selectors
    from contacts_app import filters
    from contacts_app.web import activity
    from contacts_app.web import forms as contact_forms
    from restore import forms as restore_forms

    names = {"page", "per_page", "sort", "from", "next", "ids", "format", "csv", "language", "username", "password"}
    for module in (cleaned_forms, cleaned_selectors, filters, activity, contact_forms, restore_forms):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm):
                names.update(cls.base_fields)
            elif issubclass(cls, django_filters.FilterSet):
                names.update(cls.base_filters)
    return sorted(names)


FIELDS = _field_names()

# Hostile values by class. A request whose every field holds one of these may be
# answered anything below 500 but must change nothing.
HOSTILE_CLASSES = {
    "control characters": ["\x00", "a\x1fb", "\x7f", "\r\nSet-Cookie: x=1"],
    "surrogates and broken escapes": ["\ud800", "\udfff\ud800", "%", "%ff"],
    "digits that are not ASCII": ["²", "١٢", "１", "߁"],
    "numbers out of range": ["-1", "0", "+1", "1.5", "1e309", "0x10", "9223372036854775808", "9" * 26],
    "far or impossible dates": ["9999-12-31", "0001-01-01", "10000-01-01", "2026-02-30", "1969-12-31", "2026-13-01"],
    "long text": ["a" * 5000, "é" * 300],
    "odd next values": [
        "contacts",
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/" + "a" * 3000,
    ],
}
HOSTILE = [v for values in HOSTILE_CLASSES.values() for v in values]
PLAUSIBLE = [
    "",
    "1",
    "yes",
    "on",
    "true",
    "ARCHIVE",
    "all",
    "name",
    "-archived_at",
    "fr",
    "en",
    "soft",
    "address_gone",
    "jane@example.com",
    "2026-11-20",
    "/w/globex/contacts/",
    "<script>alert(1)</script>",
]

STATS = {} if os.getenv("PAGE_FUZZ_STATS") else None
LAST = {}  # the state after the last request, see state()
SLUGS = ["acme", "globex", "nope", "a" * 300]


def _encode(value: str) -> str:
    return quote(value, safe="", errors="surrogatepass")


@pytest.fixture
def world(workspace, other_workspace, admin_user):
    """Two workspaces with something of everything: active, archived and cleaned
    contacts on lists and tags, a restore job, an export."""
    lst, t = make_list(workspace, "Newsletter"), make_tag(workspace, "VIP")
    people = make_contacts(workspace, 30)
    for c in people[:10]:
        subscribe(c, lst)
        tag(c, t)
    archive(workspace, people[10:25], actor=admin_user)
    make_contact(workspace, email="cleaned@example.com", email_status="cleaned")
    job = restore_job_create(selection=selection_from_ids(workspace=workspace, ids=[people[10].id]), actor=admin_user)
    export = export_create(workspace=workspace, actor=admin_user, params={})
    theirs = make_contacts(other_workspace, 5)
    archive(other_workspace, theirs[:2])
    ids = sorted({c.id for c in people + theirs} | {job.id, export.id, lst.id, t.id})
    LAST.clear()
    return {"ids": [str(i) for i in ids[:12] + ids[-12:]]}


def _value(draw, world):
    return draw(
        st.one_of(
            st.sampled_from(HOSTILE), st.sampled_from(PLAUSIBLE), st.sampled_from(world["ids"]), st.text(max_size=20)
        )
    )


def _path(route: str, draw, world) -> str:
    path = route.replace("<slug:slug>", draw(st.sampled_from(["acme"] * 8 + SLUGS)))
    for name in ("contact_id", "job_id", "export_id"):
        token = f"<int:{name}>"
        if token in path:
            number = draw(st.sampled_from(world["ids"] * 4 + ["0", "9223372036854775808"]))
            path = path.replace(token, number)
    return "/" + path


def _methods(route: str, world) -> list[str]:
    """The methods the route's view answers (probed once, as the admin, plainly):
    drawing a method it refuses with 405 would be a wasted example."""
    methods = world.setdefault("methods", {})
    if route not in methods:
        client = _logged_in(world["clients"]["probe"])
        path = "/" + route.replace("<slug:slug>", "acme")
        for name in ("contact_id", "job_id", "export_id"):
            path = path.replace(f"<int:{name}>", world["ids"][0])
        allowed = [m for m in ("GET", "POST") if getattr(client, m.lower())(path).status_code != 405]
        LAST.clear()  # the probe may have changed something
        methods[route] = allowed or ["GET", "POST"]
    return methods[route]


def state() -> tuple:
    """What a refused request must leave as it was: contacts by status and email status,
    list memberships by status, and how many of each COUNTED row there are, in one query.
    Read once per request: the state after one is the state before the next (only these
    requests write), until a probe or a new world clears LAST."""
    with connection.cursor() as cursor:
        cursor.execute(STATE_SQL)
        return cursor.fetchone()


COUNTED = (AuditEvent, RestoreJob, ArchiveJob, ExportJob, IncidentRevertJob, BounceEvent, Cleaning)
STATE_SQL = "SELECT " + ", ".join(
    [
        f"(SELECT array_agg(concat_ws(' ', status, email_status, n) ORDER BY status, email_status) FROM "
        f"(SELECT status, email_status, count(*) n FROM {Contact._meta.db_table} GROUP BY 1, 2) s)",
        f"(SELECT array_agg(concat_ws(' ', status, n) ORDER BY status) FROM "
        f"(SELECT status, count(*) n FROM {ListMembership._meta.db_table} GROUP BY 1) s)",
        *(f"(SELECT count(*) FROM {model._meta.db_table})" for model in COUNTED),
    ]
)


def _client(role, workspace, other_workspace) -> Client:
    client = Client()
    if role != "anonymous":
        member_of = other_workspace if role == "other_admin" else workspace
        client.fuzz_user = make_member(member_of, Role.MEMBER if role == "member" else Role.ADMIN)
    return client


def _logged_in(client: Client) -> Client:
    """The role's session, again if an example logged it out."""
    user = getattr(client, "fuzz_user", None)
    if user is not None and "_auth_user_id" not in client.session:
        client.force_login(user)
    return client


ROLES = ["admin", "member", "anonymous", "other_admin"]


def _world_client(world, role, workspace, other_workspace) -> Client:
    clients = world.setdefault("clients", {})
    if "probe" not in clients:
        clients["probe"] = _client("admin", workspace, other_workspace)
    if role not in clients:
        clients[role] = _client(role, workspace, other_workspace)
    return _logged_in(clients[role])


def _send(client, method, path, pairs, *, role, all_hostile: bool):
    """One request and every rule an answer must keep."""
    _logged_in(client)
    encoded = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in pairs)
    before = LAST.get("state") or state()
    if method == "GET":
        response = client.get(f"{path}?{encoded}" if encoded else path)
    else:
        response = client.post(path, encoded, content_type="application/x-www-form-urlencoded")
    if STATS is not None:
        STATS[(role, response.status_code)] = STATS.get((role, response.status_code), 0) + 1
    where = (role, method, path, [(k, v[:80]) for k, v in pairs], response.status_code)
    assert response.status_code < 500, where
    LAST["state"] = after = state()
    if all_hostile or 400 <= response.status_code < 500:
        assert after == before, where  # refused, or nothing in it could mean an action
    if 300 <= response.status_code < 400:
        location = response["Location"]
        parts = urlsplit(location)
        off_site = parts.scheme or parts.netloc or location.startswith(("//", "/\\", "\\"))
        assert not off_site, (*where, location)
    if role == "other_admin" and path.startswith("/w/acme/") and response.status_code < 400:
        pytest.fail(f"another workspace's admin was answered {where}")


@pytest.mark.parametrize("role", ROLES)
def test_s2_s4_page_sweep_every_route_with_every_field_hostile_by_class(world, workspace, other_workspace, role):
    """Deterministic: each route, with each method it answers, with every field at once
    set to a value of each hostile class (`ids` twice). The admin gets every value of
    every class; the other roles one value per class, turning with the route."""
    client = _world_client(world, role, workspace, other_workspace)
    for n, route in enumerate(ROUTES):
        path = "/" + route.replace("<slug:slug>", "acme")
        for name in ("contact_id", "job_id", "export_id"):
            path = path.replace(f"<int:{name}>", world["ids"][n % len(world["ids"])])
        for method in _methods(route, world):
            for label, values in HOSTILE_CLASSES.items():
                for value in values if role == "admin" else [values[n % len(values)]]:
                    pairs = [(name, value) for name in FIELDS] + [("ids", value)]
                    # "contacts" is a fine search or export scope: only a URL makes it odd
                    _send(client, method, path, pairs, role=role, all_hostile=label != "odd next values")


@pytest.mark.parametrize("role", ROLES)
@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_s2_s4_page_fuzzer_never_500_and_a_refused_request_changes_nothing(
    world, workspace, other_workspace, role, data
):
    """Property-based: a route (any slug, any id), a method it answers, a few fields
    with hostile, plausible, real-id or random values."""
    client = _world_client(world, role, workspace, other_workspace)
    draw = data.draw
    route = draw(st.sampled_from(ROUTES), label="route")
    path = _path(route, draw, world)
    method = draw(st.sampled_from(_methods(route, world)), label="method")
    names = draw(st.lists(st.sampled_from(FIELDS), max_size=8), label="fields")
    pairs = [(name, _value(draw, world)) for name in names]
    _send(client, method, path, pairs, role=role, all_hostile=False)


def teardown_module():
    if STATS:
        print("\nPAGE FUZZ", sorted(STATS.items()))
