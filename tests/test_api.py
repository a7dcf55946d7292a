"""The JSON API: token auth, S1–S4, R4 under concurrency, B3, R9."""

import json

import pytest
from django.core.management import call_command
from django.test import Client

from contacts_app.api.auth import api_token_create
from contacts_app.models import (
    AuditEvent,
    Automation,
    AutomationRun,
    CampaignSend,
    Contact,
    Form,
    ListMembership,
    Role,
    Trigger,
)
from restore.models import RestoreJob

from .concurrency import at_once
from .factories import (
    days_ago,
    make_contact,
    make_contacts,
    make_list,
    make_member,
    subscribe,
)
from .restore_helpers import archive

pytestmark = pytest.mark.django_db


def api(token=None):
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    class Api:
        def get(self, path, params=None):
            return client.get(f"/api/v1/{path}", params or {}, **headers)

        def post(self, path, body=None, raw=None):
            data = raw if raw is not None else json.dumps(body or {})
            return client.post(f"/api/v1/{path}", data, content_type="application/json", **headers)

    return Api()


@pytest.fixture
def admin_api(workspace, admin_user):
    return api(api_token_create(workspace=workspace, user=admin_user))


@pytest.fixture
def member_api(workspace, member_user):
    return api(api_token_create(workspace=workspace, user=member_user))


def test_create_api_token_command_prints_a_working_token(workspace, admin_user, capsys):
    call_command("create_api_token", workspace=workspace.slug, user=admin_user.username)
    token = capsys.readouterr().out.strip()
    response = api(token).get("workspace")
    assert response.status_code == 200 and response.json()["slug"] == workspace.slug


def test_s1_missing_or_wrong_token_is_401_with_a_json_error(workspace):
    for client in (api(), api("crm_nope")):
        response = client.get("contacts")
        assert response.status_code == 401 and response.json()["error"] == "unauthorized"


def test_b1_workspace_reports_billable_contacts(admin_api, workspace):
    make_contacts(workspace, 3)
    make_contact(workspace, email_status="cleaned")
    make_contact(workspace, status="archived", archived_at=days_ago(40))
    assert admin_api.get("workspace").json() == {"slug": "acme", "contact_limit": 1000, "billable_contacts": 3}


def test_contacts_list_filters_and_shows_restore_dates(admin_api, workspace, other_workspace):
    a = make_contact(workspace, email="a@example.com")
    archive(workspace, [a], days=40)
    make_contact(workspace, email="b@example.com")
    make_contact(other_workspace, email="z@example.com", status="archived", archived_at=days_ago(40))
    body = admin_api.get("contacts", {"status": "archived"}).json()
    assert body["count"] == 1 and body["next"] is None
    row = body["results"][0]
    assert row["email"] == "a@example.com" and row["restorable_from"] and row["restorable_until"]
    assert admin_api.get("contacts", {"restorable": "yes"}).json()["count"] == 1
    assert admin_api.get("contacts", {"restorable": "frozen"}).json()["count"] == 0
    assert admin_api.get("contacts", {"q": "b@ex"}).json()["count"] == 1


def test_s2_s4_filters_with_bad_values_or_foreign_ids_are_400(admin_api, other_workspace):
    foreign_list = make_list(other_workspace)
    for params in ({"archived_after": "31/12/2025"}, {"restorable": "maybe"}, {"list": foreign_list.id}, {"page": "0"}):
        response = admin_api.get("contacts", params)
        assert response.status_code == 400, params
        assert response.json()["error"] in ("invalid_filter", "invalid_page") and response.json()["detail"]


def test_api_contact_create_fires_automations_and_explains_duplicates(admin_api, workspace):
    Automation.objects.create(workspace=workspace, name="Welcome", trigger=Trigger.CONTACT_CREATED, send_subject="Hi")
    response = admin_api.post("contacts", {"email": "New@Example.com", "first_name": "N", "consent": True})
    assert response.status_code == 201 and response.json()["email"] == "New@example.com"
    assert AutomationRun.objects.count() == 1
    again = admin_api.post("contacts", {"email": "new@example.com"})
    assert again.status_code == 409 and again.json()["error"] == "email_taken"
    bad = admin_api.post("contacts", {"email": "not-an-email"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_email"


def test_s1_member_cannot_archive_preview_or_restore(member_api, workspace):
    c = make_contact(workspace)
    for path, body in (
        ("contacts/archive", {"contact_ids": [c.id]}),
        ("restore-jobs/preview", {"contact_ids": [c.id]}),
        ("restore-jobs", {"contact_ids": [c.id]}),
    ):
        response = member_api.post(path, body)
        assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert member_api.get("contacts").status_code == 200  # members can see contacts
    c.refresh_from_db()
    assert c.status == "active"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"contact_ids": []},
        {"contact_ids": ["1"]},
        {"contact_ids": [1], "filter": {}},
        {"filter": {"restorable": "nope"}},
        {"contact_ids": [True]},
    ],
)
def test_s4_bad_restore_requests_are_400_and_create_nothing(admin_api, body):
    response = admin_api.post("restore-jobs", body)
    assert response.status_code == 400 and response.json()["detail"]
    assert not RestoreJob.objects.exists()


def test_s4_malformed_json_is_400(admin_api):
    response = admin_api.post("restore-jobs", raw="{not json")
    assert response.status_code == 400 and response.json()["error"] == "invalid_json"


def test_s3_get_on_a_post_endpoint_is_405_and_changes_nothing(admin_api, workspace):
    c = make_contact(workspace)
    response = admin_api.get("contacts/archive", {"contact_ids": c.id})
    assert response.status_code == 405
    c.refresh_from_db()
    assert c.status == "active"


def test_r12_preview_by_filter_and_b3_job_needs_overage_confirmation(admin_api, workspace):
    workspace.contact_limit = 5
    workspace.save()
    make_contacts(workspace, 3)
    old = make_contacts(workspace, 2)
    archive(workspace, old, days=40)
    frozen = make_contacts(workspace, 1)
    archive(workspace, frozen, days=3)
    preview = admin_api.post("restore-jobs/preview", {"filter": {"status": "archived"}}).json()
    assert {
        k: preview[k]
        for k in ("requested", "restorable", "billable_added", "billable_after", "contact_limit", "needs_confirmation")
    } == {
        "requested": 3,
        "restorable": 2,
        "billable_added": 2,
        "billable_after": 5,
        "contact_limit": 5,
        "needs_confirmation": True,
    }
    assert preview["skipped"]["frozen"] == 1
    refused = admin_api.post("restore-jobs", {"filter": {"status": "archived"}})
    assert refused.status_code == 409 and refused.json()["error"] == "overage_confirmation_required"
    accepted = admin_api.post("restore-jobs", {"filter": {"status": "archived"}, "confirm_overage": True})
    assert accepted.status_code == 202 and accepted.json()["status"] == "queued" and accepted.json()["requested"] == 3
    job = admin_api.get(f"restore-jobs/{accepted.json()['id']}").json()
    assert job["number"] == RestoreJob.objects.get(id=job["id"]).number == 1  # U6: the number people see
    assert job["skipped"] == {
        "frozen": 0,
        "expired": 0,
        "merged": 0,
        "already_active": 0,
        "not_found": 0,
        "email_conflict": 0,
    }


def test_s2_restore_job_of_another_workspace_is_404(admin_api, other_workspace):
    job = RestoreJob.objects.create(workspace=other_workspace, status="succeeded")
    response = admin_api.get(f"restore-jobs/{job.id}")
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_s2_preview_counts_foreign_ids_as_not_found(admin_api, workspace, other_workspace):
    theirs = make_contact(other_workspace)
    archive(other_workspace, [theirs], days=40)
    preview = admin_api.post("restore-jobs/preview", {"contact_ids": [theirs.id]}).json()
    assert preview["restorable"] == 0 and preview["skipped"]["not_found"] == 1


@pytest.mark.django_db(transaction=True)
def test_r4_concurrent_restore_requests_create_exactly_one_job(workspace):
    admins = [make_member(workspace, Role.ADMIN) for _ in range(8)]
    tokens = [api_token_create(workspace=workspace, user=u) for u in admins]
    contacts = make_contacts(workspace, 20)
    archive(workspace, contacts, days=40)

    def click(token):
        response = api(token).post("restore-jobs", {"contact_ids": [c.id for c in contacts]})
        return response.status_code, response.json().get("error")

    results = at_once([lambda t=t: click(t) for t in tokens])

    assert sorted(results) == [(202, None)] + [(409, "job_in_progress")] * 7
    assert RestoreJob.objects.count() == 1


def test_openapi_schema_is_served(client):
    schema = client.get("/api/v1/schema").json()
    assert schema["openapi"].startswith("3.") and "/restore-jobs" in schema["paths"]


# --- R9: automatic restore by form submission ----------------------------------------


@pytest.fixture
def signup(workspace):
    newsletter = make_list(workspace, "Newsletter")
    form = Form.objects.create(workspace=workspace, name="Signup", is_active=True)
    form.lists.set([newsletter])
    Automation.objects.create(
        workspace=workspace, name="Hi", trigger=Trigger.LIST_SUBSCRIBED, trigger_list=newsletter, send_subject="Hi"
    )
    return form, newsletter


def test_r9_active_form_restores_an_archived_contact_at_once_even_when_frozen(workspace, signup):
    form, newsletter = signup
    c = make_contact(workspace, email="back@example.com")
    other = make_list(workspace)
    subscribe(c, other, "unsubscribed")
    archive(workspace, [c], days=2)  # still frozen for manual restore
    response = api().post(f"forms/{form.id}/submissions", {"email": "BACK@example.com"})
    assert response.status_code == 200 and response.json() == {
        "contact_id": c.id,
        "created": False,
        "restored": True,
        "confirmation_required": False,
    }
    c.refresh_from_db()
    assert c.status == "active"
    assert ListMembership.objects.get(contact=c, mailing_list=other).status == "unsubscribed"  # R6 applied
    assert (
        ListMembership.objects.get(contact=c, mailing_list=newsletter).status == "subscribed"
    )  # then the form's effect
    assert AuditEvent.objects.filter(action="auto_restore", contact_ids=[c.id]).exists()


def test_r8_r9_automatic_restore_fires_nothing_itself_only_the_forms_new_subscription_does(workspace, signup):
    form, newsletter = signup
    c = make_contact(workspace, email="was-subscribed@example.com")
    subscribe(c, newsletter)  # already on the form's list before archiving
    archive(workspace, [c], days=40)
    api().post(f"forms/{form.id}/submissions", {"email": c.email})
    assert not AutomationRun.objects.filter(contact=c).exists() and not CampaignSend.objects.filter(contact=c).exists()


def test_r9_inactive_form_is_404_and_restores_nobody(workspace, signup):
    form, _ = signup
    form.is_active = False
    form.save()
    c = make_contact(workspace, email="stay@example.com")
    archive(workspace, [c], days=40)
    response = api().post(f"forms/{form.id}/submissions", {"email": c.email})
    assert response.status_code == 404
    c.refresh_from_db()
    assert c.status == "archived"


def test_r9_merged_contact_is_not_restored_a_new_contact_is_created(workspace, signup):
    form, _ = signup
    make_contact(workspace, email="merged@example.com", status="merged", archived_at=days_ago(10))
    response = api().post(f"forms/{form.id}/submissions", {"email": "merged@example.com"})
    assert response.status_code == 201 and response.json()["created"] is True
    assert Contact.objects.filter(email="merged@example.com", status="merged").count() == 1


def test_r9_submission_for_a_new_email_creates_a_subscribed_contact(workspace, signup):
    form, newsletter = signup
    response = api().post(f"forms/{form.id}/submissions", {"email": "fresh@example.com", "first_name": "F"})
    assert response.status_code == 201
    assert ListMembership.objects.get(contact_id=response.json()["contact_id"]).status == "subscribed"
    assert AutomationRun.objects.count() == 1  # a real new subscription does fire


def test_r9_bad_submission_is_400(workspace, signup):
    form, _ = signup
    assert api().post(f"forms/{form.id}/submissions", {"email": "nope"}).status_code == 400
    assert api().post("forms/999999/submissions", {"email": "a@b.co"}).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("archived", [False, True])
def test_r9_concurrent_submissions_never_create_a_duplicate(workspace, archived):
    form = Form.objects.create(workspace=workspace, name="Signup", is_active=True)
    form.lists.set([make_list(workspace)])
    if archived:
        archive(workspace, [make_contact(workspace, email="race@example.com")], days=40)
    codes = at_once([lambda: api().post(f"forms/{form.id}/submissions", {"email": "race@example.com"}).status_code] * 6)
    assert Contact.objects.filter(workspace=workspace, email="race@example.com").count() == 1
    assert Contact.objects.get(email="race@example.com").status == "active"
    assert sorted(codes) == ([200] * 6 if archived else [200] * 5 + [201])


def test_s4_oversized_archive_request_is_400_and_archives_nothing(admin_api, workspace, settings):
    settings.MAX_SELECTION_SIZE = 2
    contacts = make_contacts(workspace, 3)
    response = admin_api.post("contacts/archive", {"contact_ids": [c.id for c in contacts]})
    assert response.status_code == 400 and response.json()["error"] == "selection_too_large"
    assert not Contact.objects.filter(workspace=workspace, status="archived").exists()


def test_r12_api_refuses_to_start_a_restore_with_nothing_restorable(admin_api, workspace):
    frozen = make_contacts(workspace, 2)
    archive(workspace, frozen, days=3)
    response = admin_api.post("restore-jobs", {"contact_ids": [c.id for c in frozen], "confirm_overage": True})
    assert response.status_code == 400 and response.json()["error"] == "nothing_to_restore"
    assert (
        "2 — archived less than 30 days ago" in response.json()["detail"]
        and "can be restored from" in response.json()["detail"]
    )
    assert not RestoreJob.objects.exists()


def test_s3_r9_a_form_is_addressed_by_a_random_public_id_and_ids_reveal_nothing(workspace, signup, other_workspace):
    """Form ids were sequential integers: every workspace's forms could be enumerated and
    spammed. Each form has a random public id; the integer path still works for the
    clients that have it; unknown, inactive and guessed addresses answer alike."""
    form, _newsletter = signup
    other = Form.objects.create(workspace=other_workspace, name="Theirs")
    assert len(form.public_id) >= 20 and form.public_id != other.public_id
    response = api().post(f"forms/{form.public_id}/submissions", {"email": "new@example.com"})
    assert response.status_code == 201 and response.json()["created"] is True
    assert api().post(f"forms/{form.id}/submissions", {"email": "old@example.com"}).status_code == 201
    form.is_active = False
    form.save()
    guessed = form.public_id[:-1] + ("B" if form.public_id.endswith("A") else "A")
    answers = [
        api().post(f"forms/{ref}/submissions", {"email": "x@example.com"})
        for ref in (form.public_id, guessed, "x-y", "9" * 40)
    ]
    assert {r.status_code for r in answers} == {404} and len({r.content for r in answers}) == 1
