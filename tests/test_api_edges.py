"""S4 at the edges: every class of bad input an integrator or a visitor can send gets a
4xx with the error object (or a form error on pages) and changes nothing; every
non-2xx answer under /api/ has the same shape; exports over the API (C4, S1, S2)."""

import csv
import io
import json
import time

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from cleaned.models import BounceEvent, ExportJob
from cleaned.services.exports import EXPORTS
from cleaned.signing import sign
from contacts_app.api.auth import api_token_create
from contacts_app.models import Contact
from restore.models import RestoreJob

from .concurrency import at_once
from .factories import make_contact, make_list

pytestmark = pytest.mark.django_db

HUGE = 2**63  # one past PostgreSQL's bigint
DEEP = b'{"a": ' * 100_000 + b"1" + b"}" * 100_000


@pytest.fixture
def token(workspace, admin_user):
    return api_token_create(workspace=workspace, user=admin_user)


def call(method, path, *, token=None, body=None, raw=None, **extra):
    client = Client()
    if token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    if method == "GET":
        return client.get(path, body or {}, **extra)
    return client.generic(method, path, data or b"", content_type="application/json", **extra)


def signed(workspace, raw: bytes, *, timestamp: str | None = None):
    ts = timestamp or str(int(time.time()))
    return call(
        "POST",
        "/api/v1/bounces",
        raw=raw,
        HTTP_X_WORKSPACE=workspace.slug,
        HTTP_X_TIMESTAMP=ts,
        HTTP_X_SIGNATURE=sign(secret=workspace.webhook_secret, timestamp=ts, body=raw),
    )


def event(**overrides):
    e = {
        "id": "e-1",
        "email": "jane@example.com",
        "type": "hard",
        "occurred_at": "2026-01-01T00:00:00Z",
        "reason": "gone",
    }
    e.update(overrides)
    return e


def state():
    return (
        list(Contact.objects.order_by("id").values_list("id", "email", "first_name", "status", "email_status")),
        RestoreJob.objects.count(),
        BounceEvent.objects.count(),
        ExportJob.objects.count(),
    )


def assert_error_object(response, status=400):
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"error", "detail"} and body["error"] and body["detail"]
    return body


# (class of bad input, method, path, body or raw bytes)
API_CASES = [
    ("control character in a name", "POST", "/api/v1/contacts", {"email": "ok@example.com", "first_name": "A\x00B"}),
    ("bell character in an email", "POST", "/api/v1/contacts", {"email": "o\x07k@example.com"}),
    ("unpaired surrogate", "POST", "/api/v1/contacts", b'{"email": "ok@example.com", "last_name": "\\ud800"}'),
    ("email longer than its column", "POST", "/api/v1/contacts", {"email": "a" * 250 + "@example.com"}),
    ("name longer than its column", "POST", "/api/v1/contacts", {"email": "ok@example.com", "first_name": "x" * 101}),
    ("id beyond 64 bits (archive)", "POST", "/api/v1/contacts/archive", {"contact_ids": [HUGE]}),
    ("id beyond 64 bits (preview)", "POST", "/api/v1/restore-jobs/preview", {"contact_ids": [1, HUGE]}),
    ("id beyond 64 bits (start)", "POST", "/api/v1/restore-jobs", {"contact_ids": [HUGE * 1000]}),
    ("id as a string", "POST", "/api/v1/restore-jobs", {"contact_ids": ["1"]}),
    (
        "date at the end of the calendar",
        "POST",
        "/api/v1/restore-jobs/preview",
        {"filter": {"archived_before": "9999-12-31"}},
    ),
    ("date before the epoch", "POST", "/api/v1/exports", {"filter": {"archived_after": "0001-01-01"}}),
    ("list id beyond 64 bits in a filter", "POST", "/api/v1/exports", {"filter": {"list": HUGE}}),
    ("unknown filter", "POST", "/api/v1/exports", {"filter": {"colour": "red"}}),
    ("deeply nested JSON", "POST", "/api/v1/restore-jobs", DEEP),
    ("not JSON", "POST", "/api/v1/contacts", b"{nope"),
    (
        "control character in a form submission",
        "POST",
        "/api/v1/forms/{form}/submissions",
        {"email": "v@example.com", "first_name": "\x1b[31m"},
    ),
    (
        "long email in a form submission",
        "POST",
        "/api/v1/forms/{form}/submissions",
        {"email": "v" * 260 + "@example.com"},
    ),
    ("deep JSON in a form submission", "POST", "/api/v1/forms/{form}/submissions", DEEP),
]


@pytest.mark.parametrize("label,method,path,body", API_CASES, ids=[c[0] for c in API_CASES])
def test_s4_bad_api_input_is_a_400_with_the_error_object_and_changes_nothing(
    label, method, path, body, token, workspace
):
    from contacts_app.models import Form

    form = Form.objects.create(workspace=workspace, name="Signup", is_active=True)
    make_contact(workspace, email="jane@example.com")
    before = state()
    raw = body if isinstance(body, bytes) else None
    response = call(method, path.format(form=form.id), token=token, body=None if raw else body, raw=raw)
    assert_error_object(response, 400)
    assert state() == before


@pytest.mark.parametrize(
    "label,query",
    [
        ("NUL in a search", {"q": "ab\x00"}),
        ("date at the end of the calendar", {"archived_before": "9999-12-31"}),
        ("date with non-ASCII digits", {"archived_after": "２０２６-01-01"}),
        ("id beyond 64 bits", {"list": str(HUGE)}),
        ("page with a superscript digit", {"page": "²"}),
        ("search longer than 200 characters", {"q": "x" * 201}),
    ],
)
def test_s4_bad_contact_filters_are_400_on_the_api(label, query, token):
    assert_error_object(call("GET", "/api/v1/contacts", token=token, body=query), 400)


WEBHOOK_CASES = [
    ("impossible calendar date", {"events": [event(occurred_at="2026-02-30T10:00:00Z")]}),
    ("date at the end of the calendar", {"events": [event(occurred_at="9999-12-31T23:59:59-05:00")]}),
    ("date at the start of the calendar", {"events": [event(occurred_at="0001-01-01T00:00:00+05:00")]}),
    ("control character in the reason", {"events": [event(reason="bad\x00reason")]}),
    ("reason longer than its column", {"events": [event(reason="r" * 501)]}),
    ("email longer than its column", {"events": [event(email="a" * 250 + "@example.com")]}),
    ("malformed status code", {"events": [event(code="5.1")]}),
    ("deeply nested JSON", DEEP),
    (
        "unpaired surrogate",
        b'{"events": [{"id": "\\udfff", "email": "jane@example.com", "type": "hard", '
        b'"occurred_at": "2026-01-01T00:00:00Z"}]}',
    ),
]


@pytest.mark.parametrize("label,payload", WEBHOOK_CASES, ids=[c[0] for c in WEBHOOK_CASES])
def test_s4_s5_bad_signed_webhook_batches_are_400_and_store_nothing(label, payload, workspace):
    make_contact(workspace, email="jane@example.com")
    before = state()
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    body = assert_error_object(signed(workspace, raw), 400)
    assert body["error"] == "malformed"
    assert state() == before


@pytest.mark.parametrize("timestamp", ["１７００００００００", "1e9", "²", ""])
def test_s4_s5_a_timestamp_header_with_non_ascii_digits_is_401_not_500(timestamp, workspace):
    raw = json.dumps({"events": [event()]}).encode()
    response = call(
        "POST",
        "/api/v1/bounces",
        raw=raw,
        HTTP_X_WORKSPACE=workspace.slug,
        HTTP_X_TIMESTAMP=timestamp,
        HTTP_X_SIGNATURE=sign(secret=workspace.webhook_secret, timestamp=timestamp, body=raw),
    )
    assert assert_error_object(response, 401)["error"] == "unauthorized"
    assert not BounceEvent.objects.exists()


def test_s4_a_workspace_header_with_a_nul_byte_is_401(workspace):
    response = call(
        "POST",
        "/api/v1/bounces",
        raw=b"{}",
        HTTP_X_WORKSPACE="acme\x00",
        HTTP_X_TIMESTAMP=str(int(time.time())),
        HTTP_X_SIGNATURE="x",
    )
    assert_error_object(response, 401)


@pytest.mark.parametrize(
    "label,row",
    [
        ("impossible calendar date", "x-1,jane@example.com,hard,2026-02-30T00:00:00Z,gone"),
        ("date at the end of the calendar", "x-1,jane@example.com,hard,9999-12-31T23:00:00-05:00,gone"),
        ("control character", "x-1,jane@example.com,hard,2026-01-01T00:00:00Z,bad\x07reason"),
    ],
)
def test_s4_import_bounces_refuses_bad_rows_and_writes_nothing(label, row, tmp_path, workspace):
    make_contact(workspace, email="jane@example.com")
    path = tmp_path / "bounces.csv"
    path.write_text("id,email,type,occurred_at,reason\n" + row + "\n")
    with pytest.raises(CommandError, match="Nothing from this batch was applied"):
        call_command("import_bounces", str(path), workspace=workspace.slug)
    assert not BounceEvent.objects.exists()
    assert Contact.objects.get(email="jane@example.com").email_status == "ok"


# --- pages ------------------------------------------------------------------------------


PAGE_CASES = [("contacts:list", {"q": "a\x00b"}), ("contacts:list", {"q": "x" * 201})] + [
    (name, query)
    for name in ("restore:archived", "cleaned:list")
    for query in ({"q": "a\x00b"}, {"q": "x" * 201}, {"archived_before": "9999-12-31"}, {"list": str(HUGE)})
]


@pytest.mark.parametrize("name,query", PAGE_CASES)
def test_s4_list_pages_answer_bad_filters_with_a_400_page_never_a_500(name, query, admin_client, workspace):
    response = admin_client.get(reverse(name, args=[workspace.slug]), query)
    assert response.status_code == 400


def test_s4_add_contact_refuses_a_260_character_email_instead_of_cutting_it(admin_client, workspace):
    email = "a" * 248 + "@example.com"  # 260 characters
    response = admin_client.post(reverse("contacts:new", args=[workspace.slug]), {"email": email, "consent": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "at most 254 characters" in page and email in page  # what was typed is shown back whole
    assert not Contact.objects.exists()


def test_s4_add_contact_refuses_control_characters_with_a_form_error(admin_client, workspace):
    response = admin_client.post(
        reverse("contacts:new", args=[workspace.slug]),
        {"email": "ok@example.com", "first_name": "A\x1bB", "consent": "on"},
    )
    assert response.status_code == 400 and "control character" in response.content.decode()
    assert not Contact.objects.exists()


# --- one error shape under /api/ ---------------------------------------------------------------


def test_api_unknown_paths_and_bad_path_parameters_are_json_404(token):
    for path in ("/api/v1/nope", "/api/v1/contacts/abc", "/api/v1/restore-jobs/1.5", "/api/v2/contacts", "/api/"):
        assert assert_error_object(call("GET", path, token=token), 404)["error"] == "not_found", path
    assert assert_error_object(call("POST", "/api/v1/nope", token=token, body={}), 404)["error"] == "not_found"


def test_api_wrong_method_is_json_405_with_allow(token):
    response = call("DELETE", "/api/v1/contacts", token=token)
    assert assert_error_object(response, 405)["error"] == "method_not_allowed"
    assert "GET" in response["Allow"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_api_body_over_the_limit_is_413_body_too_large(token, workspace):
    response = call(
        "POST", "/api/v1/contacts", token=token, body={"email": "big@example.com", "first_name": "x" * 2000}
    )
    assert assert_error_object(response, 413)["error"] == "body_too_large"
    assert not Contact.objects.exists()


def test_api_server_error_is_json_500(token, monkeypatch):
    from contacts_app import selectors

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "billable_count", broken)
    body = assert_error_object(call("GET", "/api/v1/workspace", token=token), 500)
    assert body["error"] == "server_error" and "boom" not in body["detail"]


def test_api_malformed_content_length_is_400(token):
    response = Client().generic(
        "POST",
        "/api/v1/contacts",
        b"{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        CONTENT_LENGTH="１０",
    )
    assert_error_object(response, 400)


def test_c1_unconfigured_anymail_providers_are_404(client):
    assert client.post("/webhooks/anymail/mailjet/tracking/", "[]", content_type="application/json").status_code == 404
    assert client.post("/webhooks/anymail/postmark/tracking/", "{}", content_type="application/json").status_code != 404


def test_openapi_schema_documents_every_endpoint_with_constraints_and_errors(client):
    schema = client.get("/api/v1/schema").json()
    paths = schema["paths"]
    for path in (
        "/workspace",
        "/contacts",
        "/contacts/archive",
        "/contacts/{contact_id}",
        "/restore-jobs/preview",
        "/restore-jobs",
        "/restore-jobs/{job_id}",
        "/forms/{form_id}/submissions",
        "/bounces",
        "/exports",
        "/exports/{export_id}",
        "/exports/{export_id}/download",
    ):
        assert path in paths, path
    text = json.dumps(schema)
    assert '"maxLength": 254' in text and '"maximum": 9223372036854775807' in text
    bounce = paths["/bounces"]["post"]
    assert {p["name"] for p in bounce["parameters"]} == {"X-Workspace", "X-Timestamp", "X-Signature"}
    assert bounce["requestBody"]["content"]["application/json"]["schema"]["properties"]["events"]
    assert "400" in paths["/restore-jobs"]["post"]["responses"] and "409" in paths["/restore-jobs"]["post"]["responses"]


# --- concurrency: exact webhook counts ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_c1_identical_events_posted_at_once_are_accepted_exactly_once(workspace):
    raw = json.dumps({"events": [event(id="same-event", email="nobody@example.com")]}).encode()
    answers = [r.json() for r in at_once([lambda: signed(workspace, raw)] * 16)]
    assert sum(a["accepted"] for a in answers) == 1 and sum(a["duplicates"] for a in answers) == 15
    assert BounceEvent.objects.count() == 1


# --- exports over the API (C4, S1, S2) --------------------------------------------------------


def test_c4_api_export_runs_in_the_background_and_downloads_with_the_same_token(token, workspace, other_workspace):
    newsletter = make_list(workspace, "Newsletter")
    mine = make_contact(workspace, email="=cmd@example.com", first_name="@SUM(A1)")
    from .factories import subscribe

    subscribe(mine, newsletter)
    make_contact(workspace, email="off-list@example.com")
    make_contact(other_workspace, email="theirs@example.com")
    started = call("POST", "/api/v1/exports", token=token, body={"filter": {"list": newsletter.id}})
    assert started.status_code == 202
    job = started.json()
    assert job["status"] == "queued" and job["total"] == 1 and job["download_url"] is None
    not_yet = call("GET", f"/api/v1/exports/{job['id']}/download", token=token)
    assert assert_error_object(not_yet, 409)["error"] == "export_not_ready"

    assert EXPORTS.run(job_id=job["id"]).startswith("done")  # what the worker does
    done = call("GET", f"/api/v1/exports/{job['id']}", token=token).json()
    assert done["status"] == "succeeded" and done["download_url"].endswith(f"/api/v1/exports/{job['id']}/download")
    download = Client().get(done["download_url"], HTTP_AUTHORIZATION=f"Bearer {token}")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "email" and len(rows) == 2
    assert rows[1][0] == "'=cmd@example.com" and rows[1][1] == "'@SUM(A1)"  # formulas neutralised


def test_s2_s1_another_workspaces_export_is_404_and_members_get_403(
    token, workspace, other_workspace, member_user, admin_user
):
    theirs = ExportJob.objects.create(workspace=other_workspace, status="succeeded", file_name="x.csv")
    for path in (f"/api/v1/exports/{theirs.id}", f"/api/v1/exports/{theirs.id}/download"):
        assert assert_error_object(call("GET", path, token=token), 404)["error"] == "not_found"
    mine = ExportJob.objects.create(workspace=workspace, status="succeeded", file_name="y.csv", requested_by=admin_user)
    member = api_token_create(workspace=workspace, user=member_user)
    assert (
        assert_error_object(call("POST", "/api/v1/exports", token=member, body={"filter": {}}), 403)["error"]
        == "forbidden"
    )
    for path in (f"/api/v1/exports/{mine.id}", f"/api/v1/exports/{mine.id}/download"):
        assert assert_error_object(call("GET", path, token=member), 403)["error"] == "forbidden"
    assert ExportJob.objects.count() == 2


def test_s4_get_contacts_filters_by_list_tag_and_account_written_in_the_query_string(token, workspace):
    """On GET the ids arrive as text: `list=1` used to be refused as "must be an integer"."""
    from .factories import make_account, make_tag, subscribe, tag

    news, vip, acme = make_list(workspace, "News"), make_tag(workspace, "vip"), make_account(workspace, "Acme")
    on_list = make_contact(workspace, email="list@example.com")
    subscribe(on_list, news)
    tagged = make_contact(workspace, email="tag@example.com")
    tag(tagged, vip)
    employee = make_contact(workspace, email="acme@example.com", account=acme)
    make_contact(workspace, email="none@example.com")
    for name, target, who in (("list", news, on_list), ("tag", vip, tagged), ("account", acme, employee)):
        response = call("GET", "/api/v1/contacts", token=token, body={name: str(target.id)})
        assert response.status_code == 200, (name, response.content)
        assert [c["email"] for c in response.json()["results"]] == [who.email]
    for bad in ("abc", "²", "١", "0", "-1", "1.5"):
        response = call("GET", "/api/v1/contacts", token=token, body={"list": bad})
        assert response.status_code == 400 and response.json()["error"] == "invalid_filter", bad


# --- S4: the OpenAPI document states exactly what the server accepts -----------------------


def _schema_property(schema, component, name):
    node = schema["components"]["schemas"][component]["properties"][name]
    return node.get("anyOf", [node])[0]


@pytest.mark.parametrize(
    "email",
    [
        "jane@example.com",
        "x.y+z@sub.example.fr",
        "jane@xn--exmple-cua.com",
        "0@0",
        "a@b.c",
        "a..b@example.com",
        " jane@example.com",
        "jane@exämple.com",
        "jane@-example.com",
        "jane@example.1com",
    ],
)
def test_s4_the_documents_email_pattern_is_the_servers_rule(token, email):
    import re

    pattern = _schema_property(call("GET", "/api/v1/schema").json(), "ContactIn", "email")["pattern"]
    response = call("POST", "/api/v1/contacts", token=token, body={"email": email})
    assert (response.status_code == 201) is bool(re.search(pattern, email)), (email, response.content[:200])
    if response.status_code != 201:
        assert response.json()["error"] == "invalid_email"


@pytest.mark.parametrize(
    "reason", [" ", "\u00a0", "\u3000\u2003", "\ufeff", "\u200b", "\u2061\u00ad", "\u202e", "\u0300", "ok", " mistake "]
)
def test_s4_a_blank_reason_is_refused_as_the_document_says(token, workspace, reason):
    import re

    contact = make_contact(workspace, email="cleaned@example.com", email_status="cleaned")
    pattern = _schema_property(call("GET", "/api/v1/schema").json(), "UncleanIn", "reason")["pattern"]
    response = call("POST", f"/api/v1/contacts/{contact.id}/unclean", token=token, body={"reason": reason})
    documented = bool(re.search(pattern, reason))
    assert documented is (reason.strip(" \u00a0\u3000\u2003\ufeff\u200b\u2061\u00ad\u202e\u0300") != "")
    assert (response.status_code != 400) is documented, (repr(reason), response.content[:200])


@pytest.mark.parametrize(
    "day, accepted", [("1970-01-01", True), ("2099-12-31", True), ("1969-12-31", False), ("2100-01-01", False)]
)
def test_s4_date_filters_state_their_bounds_in_the_document(token, day, accepted):
    import re

    schema = call("GET", "/api/v1/schema").json()
    parameter = next(p for p in schema["paths"]["/contacts"]["get"]["parameters"] if p["name"] == "archived_after")
    pattern = parameter["schema"].get("anyOf", [parameter["schema"]])[0]["pattern"]
    assert bool(re.search(pattern, day)) is accepted
    assert (call("GET", "/api/v1/contacts", token=token, body={"archived_after": day}).status_code == 200) is accepted


@pytest.mark.parametrize(
    "occurred_at, accepted",
    [("2026-01-01T00:00:00Z", True), ("2026-01-01T00:00", True), (1767225600, False), ("9999-01-01T00:00Z", False)],
)
def test_s4_the_signed_webhooks_dates_are_iso_text_within_bounds_as_documented(workspace, occurred_at, accepted):
    import re

    schema = call("GET", "/api/v1/schema").json()
    body = schema["paths"]["/bounces"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    pattern = body["properties"]["events"]["items"]["properties"]["occurred_at"]["pattern"]
    assert (isinstance(occurred_at, str) and bool(re.search(pattern, occurred_at))) is accepted
    raw = json.dumps({"events": [event(occurred_at=occurred_at)]}).encode()
    assert (signed(workspace, raw).status_code == 202) is accepted


@pytest.mark.parametrize("offset", ["+16:00", "-23:59"])
def test_s4_offsets_past_postgresqls_range_are_taken_in_utc_on_the_webhook_and_the_incident_page(
    workspace, admin_client, offset
):
    """PostgreSQL refuses offsets past ±15:59: a signed bounce, an incident window or an
    admin filter written so answered 500 (found by an outside attack)."""
    raw = json.dumps({"events": [event(occurred_at=f"2026-06-01T00:00:00{offset}")]}).encode()
    assert signed(workspace, raw).status_code == 202
    stored = BounceEvent.objects.get()
    assert stored.occurred_at.isoformat().startswith("2026-05-31" if offset == "+16:00" else "2026-06-01")
    incident = reverse("cleaned:incident", args=[workspace.slug])
    query = {
        "provider": "sendgrid",
        "cleaned_from": f"2026-06-01T00:00:00{offset}",
        "cleaned_until": "2026-12-31T00:00",
    }
    assert admin_client.get(incident, query).status_code in (200, 400)
