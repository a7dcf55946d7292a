"""G1–G3: erasure, suppression and the access request."""

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cleaned.models import BounceEvent, Cleaning, ExportJob, IncidentRevertJob
from cleaned.services.bounces import BounceInput, bounces_apply
from cleaned.services.cleanings import contact_unclean
from cleaned.services.exports import EXPORTS, export_create, export_path
from contacts_app.api.auth import api_token_create
from contacts_app.models import (
    ArchiveJob,
    ArchiveRecord,
    AuditEvent,
    Contact,
    Deal,
    ErasureJob,
    Notice,
    Suppression,
    WebhookEndpoint,
    WebhookEvent,
)
from contacts_app.services.erasure import contacts_erase
from contacts_app.services.erasure_jobs import ERASURE_JOBS, erasure_request
from contacts_app.services.suppression import address_digest, suppressions_add
from restore.models import FormSubmission, RestoreJob
from restore.services.form_submission import form_submission_save

from .factories import make_contact, make_contacts, make_deal, make_list, make_member, make_tag, subscribe, tag
from .restore_helpers import archive

pytestmark = pytest.mark.django_db

ADDRESS = "Zorglub.Target@example.com"
TERMS = (ADDRESS, ADDRESS.lower(), "Zorglub.Target")


def api(workspace, user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(workspace=workspace, user=user)}")


def post_json(client: Client, path: str, body) -> object:
    return client.post(f"/api/v1/{path}", data=json.dumps(body), content_type="application/json")


def holders(terms=TERMS) -> set[tuple[str, str]]:
    """Every (table, column) of the database — read from the catalogue, not a list —
    whose text, JSON or array value holds one of the terms (any case)."""
    found = set()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND (data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY'))"
        )
        for table, column in cur.fetchall():
            for term in terms:
                cur.execute(f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1', [f"%{term}%"])
                if cur.fetchone():
                    found.add((table, column))
    return found


def files_holding(terms=TERMS) -> list[Path]:
    root = Path(settings.EXPORTS_DIR)
    found = []
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            text = (Path(dirpath) / name).read_bytes().decode("utf-8", "replace").lower()
            if any(t.lower() in text for t in terms):
                found.append(Path(dirpath) / name)
    return found


def the_person_everywhere(workspace, admin_user) -> Contact:
    """A contact whose address is in every place that can hold it."""
    news = make_list(workspace, "News")
    vip = make_tag(workspace, "vip")
    contact = make_contact(workspace, ADDRESS, first_name="Zora", last_name="Glub")
    subscribe(contact, news)
    tag(contact, vip)
    make_deal(workspace, [contact], title="Only theirs")
    WebhookEndpoint.objects.create(workspace=workspace, url="https://receiver.example.org/hook")
    form = workspace.forms.create(name="Newsletter")
    form_submission_save(form=form, email=ADDRESS)
    now = timezone.now()
    bounce = BounceInput(
        event_id="evt-1",
        email=ADDRESS.lower(),
        type="hard",
        occurred_at=now - timedelta(days=2),
        reason=f"550 {ADDRESS} unknown",
        code="5.1.1",
        diagnostic=f"smtp; 550 5.1.1 <{ADDRESS}>: user unknown",
    )
    bounces_apply(workspace=workspace, provider="mailgun", events=[bounce])
    contact_unclean(
        workspace=workspace, contact_id=contact.id, actor=admin_user, reason=f"{ADDRESS} confirmed by phone"
    )
    IncidentRevertJob.objects.create(
        workspace=workspace,
        provider="mailgun",
        bounce_class="undetermined",
        cleaned_from=now - timedelta(days=3),
        cleaned_until=now,
        reason=f"incident including {ADDRESS}",
        status="succeeded",
    )
    job = export_create(workspace=workspace, actor=admin_user, params={"q": ADDRESS}, scope="contacts")
    EXPORTS.run(job_id=job.id)
    ArchiveJob.objects.create(workspace=workspace, selection={"q": ADDRESS.lower()}, status="succeeded")
    RestoreJob.objects.create(workspace=workspace, selection={"filter": {"q": "zorglub.target"}}, status="succeeded")
    Notice.objects.create(workspace=workspace, user=admin_user, message=f"About {ADDRESS}: done.")
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=str(contact.id),
        object_repr=str(contact),
        action_flag=CHANGE,
        change_message=f"Changed email of {ADDRESS}",
    )
    archive(workspace, [contact], actor=admin_user)
    return contact


def test_g1_after_erasure_no_column_of_any_table_nor_any_export_file_holds_the_address(
    admin_client, workspace, admin_user, settings, tmp_path
):
    settings.EXPORTS_DIR = str(tmp_path / "exports")  # this test's files only
    contact = the_person_everywhere(workspace, admin_user)
    before = holders()
    tables = {t for t, _c in before}
    # The scan sees the address where it was put (else "nothing found" would prove nothing).
    assert {
        "contacts_app_contact",
        "cleaned_bounceevent",
        "contacts_app_auditevent",
        "contacts_app_notice",
        "django_admin_log",
        "cleaned_exportjob",
        "cleaned_cleaning",
        "cleaned_incidentrevertjob",
        "contacts_app_archivejob",
        "restore_restorejob",
    } <= tables, tables
    assert files_holding()
    export = ExportJob.objects.get(workspace=workspace)

    response = admin_client.post(
        reverse("contacts:erase", args=[workspace.slug, contact.id]),
        {"reason": f"Erasure request from {ADDRESS}", "confirmation": "ERASE"},
    )

    assert response.status_code == 302
    assert holders() == set()
    assert files_holding() == []
    assert not Contact.objects.filter(id=contact.id).exists()
    assert not ArchiveRecord.objects.filter(contact_id=contact.id).exists()
    assert not BounceEvent.objects.filter(workspace=workspace).exists()
    assert not Cleaning.objects.filter(workspace=workspace).exists()
    assert not Deal.objects.filter(workspace=workspace).exists()  # A3: its only contact
    assert FormSubmission.objects.filter(contact__isnull=True).count() == 1  # counted, anonymous
    export.refresh_from_db()
    assert export.withdrawn and export.file_deleted_at and not export_path(export).exists()
    erase = AuditEvent.objects.get(action="erase")
    assert erase.actor == admin_user and erase.contact_ids == [contact.id]
    assert erase.details["reason"] == "Erasure request from [erased]"
    assert Suppression.objects.filter(
        workspace=workspace, digest=address_digest(workspace=workspace, address=ADDRESS), address=""
    ).exists()
    erased_event = WebhookEvent.objects.get(type="contact.erased")
    assert erased_event.payload["data"] == {"contacts": [contact.id]}
    page = admin_client.get(reverse("cleaned:exports", args=[workspace.slug])).content.decode()
    assert "Withdrawn" in page and "it held a contact who was erased" in page


def test_g1_the_confirmation_states_what_goes_and_a_wrong_word_shows_it_again_with_what_was_typed(
    admin_client, workspace, admin_user
):
    contact = make_contact(workspace, "ask@example.com")
    make_deal(workspace, [contact], title="Solo")
    bounces_apply(
        workspace=workspace,
        provider="mailgun",
        events=[BounceInput(event_id="e", email="ask@example.com", type="soft", occurred_at=timezone.now())],
    )
    url = reverse("contacts:erase", args=[workspace.slug, contact.id])
    page = admin_client.get(url).content.decode()
    assert "Erase ask@example.com?" in page and "cannot be undone" in page
    assert "Bounce events and their diagnostics: 1" in page and "1 deal that has no other contact" in page
    assert "Activity about this contact:" not in page  # the facts stay, scrubbed: not "deleted"
    response = admin_client.post(url, {"reason": "Request of 2 May, ticket 41", "confirmation": "erase"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Type ERASE in capital letters to confirm." in body and 'value="Request of 2 May, ticket 41"' in body
    response = admin_client.post(url, {"reason": "   ", "confirmation": "ERASE"})
    assert response.status_code == 400 and "Say why the contact is erased" in response.content.decode()
    assert Contact.objects.filter(id=contact.id).exists()  # nothing changed


def test_g2_an_erased_address_is_refused_by_the_page_the_api_the_imports_and_the_bounces(
    admin_client, workspace, admin_user, tmp_path
):
    contact = make_contact(workspace, ADDRESS)
    contacts_erase(workspace=workspace, contact_ids=[contact.id], actor=admin_user, reason="request")
    # The contacts page
    response = admin_client.post(
        reverse("contacts:new", args=[workspace.slug]), {"email": ADDRESS.upper(), "consent": "on"}
    )
    assert response.status_code in (400, 409) and "is on the suppression list" in response.content.decode()
    # The API
    response = post_json(api(workspace, admin_user), "contacts", {"email": ADDRESS})
    assert response.status_code == 409 and response.json()["error"] == "address_suppressed"
    # An import of contacts
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(f"email,first_name\n{ADDRESS.lower()},Zora\nnew@example.com,New\n")
    call_command("import_contacts", str(csv_file), workspace=workspace.slug)
    # import_bounces and the signed bounce webhook record nothing for it
    bounces = tmp_path / "bounces.csv"
    bounces.write_text(f"id,email,type,occurred_at,reason\nb1,{ADDRESS},hard,2026-11-30T10:00:00Z,gone\n")
    call_command("import_bounces", str(bounces), workspace=workspace.slug)
    result = bounces_apply(
        workspace=workspace,
        provider="signed",
        events=[BounceInput(event_id="b2", email=ADDRESS, type="hard", occurred_at=timezone.now())],
    )
    assert result.suppressed == 1 and result.accepted == 0
    assert not Contact.objects.filter(workspace=workspace, email__iexact=ADDRESS).exists()
    assert Contact.objects.filter(workspace=workspace, email="new@example.com").exists()
    assert not BounceEvent.objects.filter(workspace=workspace).exists()


def test_g2_import_reports_the_suppressed_row_with_its_line(workspace, admin_user, tmp_path, capsys):
    suppressions_add(workspace=workspace, actor=admin_user, addresses=["blocked@example.com"])
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("email\nok@example.com\nblocked@example.com\n")
    call_command("import_contacts", str(csv_file), workspace=workspace.slug)
    out = capsys.readouterr()
    assert "1 contacts added, 1 refused." in out.out
    assert "people.csv line 3: blocked@example.com is on the suppression list" in out.err


def test_g2_only_the_owner_of_a_suppressed_address_lifts_it_by_following_the_emailed_link(
    workspace, admin_user, monkeypatch
):
    """A form submission for a suppressed address stores nothing and answers like a
    double opt-in ("check your email"), whatever the form's setting: anyone can type an
    address, only its owner can follow the link that lifts the suppression (audited)."""
    from django.core import mail

    from restore.services import form_submission
    from restore.services.form_confirmation import form_comeback_email_send

    sent = []
    monkeypatch.setattr(form_submission, "publish_soon", lambda send, name: send())
    monkeypatch.setattr(form_submission, "publish", lambda task, *args: sent.append((task, args)) or True)
    contact = make_contact(workspace, ADDRESS)
    contacts_erase(workspace=workspace, contact_ids=[contact.id], actor=admin_user, reason="request")
    news = make_list(workspace, "News")
    form = workspace.forms.create(name="Come back")
    form.lists.add(news)
    refused = post_json(Client(), f"forms/{form.public_id}/submissions", {"email": "x@example.com", "consent": False})
    assert refused.status_code == 400 and refused.json()["error"] == "consent_required"

    response = post_json(Client(), f"forms/{form.public_id}/submissions", {"email": ADDRESS})
    assert response.status_code == 200
    # The answer any address gets from this form (no double opt-in): nothing says "suppressed".
    assert response.json() == {"contact_id": None, "created": False, "restored": False, "confirmation_required": False}
    assert not Contact.objects.filter(workspace=workspace).exists()
    assert Suppression.objects.filter(workspace=workspace).exists()
    hosted = Client()
    page = hosted.get(reverse("form_public", args=[form.public_id])).content.decode()
    token_field = page.split('name="token" value="')[1].split('"')[0]
    answer = hosted.post(
        reverse("form_public", args=[form.public_id]), {"token": token_field, "email": ADDRESS, "consent": "on"}
    )
    assert answer.status_code == 302 and answer.url == reverse("form_thanks", args=[form.public_id])
    assert not Contact.objects.filter(workspace=workspace).exists()

    (task, (form_id, token)), *_more = sent
    assert task == "restore.tasks.form_comeback_email_task" and form_id == form.id
    assert form_comeback_email_send(form_id=form_id, token=token)
    assert mail.outbox[-1].to == [ADDRESS] and token in mail.outbox[-1].body
    link = reverse("form_confirm", args=[form.public_id, token])
    assert "Confirm my subscription" in Client().get(link).content.decode()
    assert Suppression.objects.filter(workspace=workspace).exists()  # a GET (a mail scanner) lifts nothing
    confirmed = Client().post(link)
    assert confirmed.status_code == 200 and "Subscription confirmed" in confirmed.content.decode()
    back = Contact.objects.get(workspace=workspace)
    assert back.email == ADDRESS and back.list_memberships.get().status == "subscribed"
    assert not Suppression.objects.filter(workspace=workspace).exists()
    lifted = AuditEvent.objects.get(action="suppression", details__verb="lifted_by_consent")
    assert lifted.details == {"verb": "lifted_by_consent", "form_id": form.id}
    again = Client().get(link).content.decode()
    assert "You had already confirmed" in again and "Confirm my subscription" not in again
    assert Client().post(link).status_code == 200  # twice is harmless
    assert Contact.objects.filter(workspace=workspace).count() == 1
    assert FormSubmission.objects.get(contact=back).confirmed_at is not None
    assert AuditEvent.objects.get(action="contact_create").actor_label == "form"
    assert ADDRESS.lower() not in token.lower() and "zorglub" not in token.lower()  # an opaque link
    bad = Client().get(reverse("form_confirm", args=[form.public_id, token[:-2] + "xx"]))
    assert bad.status_code == 400


def test_g2_admins_suppress_addresses_by_hand_see_them_and_remove_them(admin_client, workspace):
    url = reverse("contacts:suppressions", args=[workspace.slug])
    response = admin_client.post(
        url, {"addresses": "a@example.com\nnot an address\nb@example.com\nfoo@bar", "reason": "x"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Line 2: “not an address” is not a valid email address. Line 4: “foo@bar”" in body
    assert "Nothing was added." in body
    assert "not an address" in body.split("</textarea>")[0]  # what was typed, kept
    assert not Suppression.objects.exists()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("list.csv", b"email,name\nok@example.com,A\nnot-one,B\n", content_type="text/csv")
    response = admin_client.post(url, {"addresses": "", "file": upload})
    assert response.status_code == 400 and "File, line 3:" in response.content.decode()
    response = admin_client.post(url, {"addresses": "a@example.com\nB@Example.com\n\na@example.com", "reason": "asked"})
    assert response.status_code == 302
    page = admin_client.get(url).content.decode()
    assert "a@example.com" in page and "B@example.com" in page and "Added by hand" in page
    assert "2 addresses added to the suppression list." in page
    row = Suppression.objects.get(address="a@example.com")
    remove = reverse("contacts:suppression_remove", args=[workspace.slug, row.id])
    asked = admin_client.post(remove)
    assert asked.status_code == 200 and "Take this address off the suppression list?" in asked.content.decode()
    assert Suppression.objects.filter(id=row.id).exists()  # asked first
    response = admin_client.post(remove, {"confirm": "1"})
    assert response.status_code == 302 and not Suppression.objects.filter(id=row.id).exists()
    removed = AuditEvent.objects.get(action="suppression", details__verb="removed")
    assert removed.details["address"] == "a@example.com"


def test_g2_the_suppressions_api_lists_adds_and_removes(workspace, other_workspace, admin_user):
    client = api(workspace, admin_user)
    contact = make_contact(workspace, "gone@example.com")
    contacts_erase(workspace=workspace, contact_ids=[contact.id], actor=admin_user, reason="request")
    response = post_json(client, "suppressions", {"addresses": ["hand@example.com", "gone@example.com"]})
    assert response.status_code == 201 and response.json() == {"added": 1, "already": 1}
    listed = client.get("/api/v1/suppressions").json()
    assert listed["count"] == 2
    by_source = {r["source"]: r for r in listed["results"]}
    assert by_source["manual"]["address"] == "hand@example.com" and by_source["erased"]["address"] is None
    assert len(by_source["erased"]["digest"]) == 64
    assert post_json(client, "suppressions", {"addresses": ["nope"]}).status_code == 400
    assert post_json(client, "suppressions", {"addresses": []}).status_code == 400
    response = client.delete(
        "/api/v1/suppressions", data=json.dumps({"address": "GONE@example.com"}), content_type="application/json"
    )
    assert response.status_code == 204
    response = client.delete(
        "/api/v1/suppressions", data=json.dumps({"address": "never@example.com"}), content_type="application/json"
    )
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert post_json(client, "contacts", {"email": "gone@example.com"}).status_code == 201  # lifted
    hand = Suppression.objects.get(workspace=workspace)
    assert client.delete(f"/api/v1/suppressions/{hand.id}").status_code == 204
    assert client.delete(f"/api/v1/suppressions/{hand.id}").status_code == 404
    assert client.get("/api/v1/suppressions?page=2").status_code == 400
    other = make_member(other_workspace)
    assert api(other_workspace, other).get("/api/v1/suppressions").json()["count"] == 0  # S2


def test_g3_the_access_request_holds_everything_as_json_and_as_a_page(admin_client, workspace, admin_user):
    contact = make_contact(workspace, "ask@example.com", first_name="Ada")
    subscribe(contact, make_list(workspace, "Weekly"))
    tag(contact, make_tag(workspace, "friend"))
    make_deal(workspace, [contact], title="Big deal")
    form = workspace.forms.create(name="Signup")
    form_submission_save(form=form, email="ask@example.com")
    bounces_apply(
        workspace=workspace,
        provider="mailgun",
        events=[
            BounceInput(event_id="e1", email="ask@example.com", type="hard", occurred_at=timezone.now(), code="5.1.1")
        ],
    )
    url = reverse("contacts:data", args=[workspace.slug, contact.id])
    response = admin_client.get(url + "?format=json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["contact"]["email"] == "ask@example.com" and data["contact"]["first_name"] == "Ada"
    assert data["lists"][0]["list"] == "Weekly" and data["tags"] == [{"tag": "friend"}]
    assert data["deals"][0]["deal"] == "Big deal"
    assert data["form_submissions"][0]["form"] == "Signup"
    assert data["bounce_events"][0]["code"] == "5.1.1" and data["cleanings"][0]["code"] == "5.1.1"
    assert {e["action"] for e in data["activity"]} >= {"clean"}
    page = admin_client.get(url).content.decode()
    for words in ("Weekly", "friend", "Big deal", "Signup", "5.1.1", "Bounce evidence", "Download as JSON"):
        assert words in page
    api_data = api(workspace, admin_user).get(f"/api/v1/contacts/{contact.id}/data").json()
    assert api_data["contact"]["email"] == "ask@example.com"
    assert admin_client.get(url + "?format=xml").status_code == 400


def test_g3_the_access_page_shows_stored_words_in_french(admin_client, workspace):
    contact = make_contact(workspace, "fr@example.com")
    subscribe(contact, make_list(workspace, "Hebdo"))
    url = reverse("contacts:data", args=[workspace.slug, contact.id])
    page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Abonné" in page and "Actif" in page


def test_s1_members_can_neither_erase_nor_download_the_access_file(member_client, workspace, member_user):
    contact = make_contact(workspace, "keep@example.com")
    for url in (
        reverse("contacts:erase", args=[workspace.slug, contact.id]),
        reverse("contacts:data", args=[workspace.slug, contact.id]),
        reverse("contacts:suppressions", args=[workspace.slug]),
    ):
        assert member_client.get(url).status_code == 403
    response = member_client.post(
        reverse("contacts:erase", args=[workspace.slug, contact.id]), {"reason": "x", "confirmation": "ERASE"}
    )
    assert response.status_code == 403
    client = api(workspace, member_user)
    assert post_json(client, f"contacts/{contact.id}/erase", {"reason": "x"}).status_code == 403
    assert client.get(f"/api/v1/contacts/{contact.id}/data").status_code == 403
    assert post_json(client, "erasure-jobs", {"contact_ids": [contact.id], "reason": "x"}).status_code == 403
    assert client.get("/api/v1/suppressions").status_code == 403
    assert Contact.objects.filter(id=contact.id).exists()


def test_s2_another_workspace_s_contact_cannot_be_erased_or_read(admin_client, workspace, other_workspace, admin_user):
    stranger = make_contact(other_workspace, "stranger@example.com")
    assert admin_client.get(reverse("contacts:erase", args=[workspace.slug, stranger.id])).status_code == 404
    assert admin_client.get(reverse("contacts:data", args=[workspace.slug, stranger.id])).status_code == 404
    client = api(workspace, admin_user)
    assert post_json(client, f"contacts/{stranger.id}/erase", {"reason": "x"}).status_code == 404
    assert client.get(f"/api/v1/contacts/{stranger.id}/data").status_code == 404
    job = post_json(client, "erasure-jobs", {"contact_ids": [stranger.id], "reason": "x"}).json()
    ERASURE_JOBS.run(job_id=job["id"])
    assert client.get(f"/api/v1/erasure-jobs/{job['id']}").json()["not_found"] == 1
    assert [j["id"] for j in client.get("/api/v1/erasure-jobs").json()["results"]] == [job["id"]]
    assert Contact.objects.filter(id=stranger.id).exists()
    assert not Suppression.objects.filter(workspace=other_workspace).exists()


@pytest.mark.parametrize(
    "path, body",
    [
        ("contacts/{id}/erase", {}),
        ("contacts/{id}/erase", {"reason": "   "}),
        ("contacts/{id}/erase", {"reason": "x" * 501}),
        ("contacts/{id}/erase", {"reason": "ok", "extra": 1}),
        ("erasure-jobs", {"reason": "ok"}),
        ("erasure-jobs", {"contact_ids": [1], "filter": {}, "reason": "ok"}),
        ("erasure-jobs", {"contact_ids": [], "reason": "ok"}),
        ("erasure-jobs", {"contact_ids": ["x"], "reason": "ok"}),
        ("erasure-jobs", {"filter": {"status": "nope"}, "reason": "ok"}),
        ("erasure-jobs", {"filter": {}, "reason": "ok"}),
        ("erasure-jobs", {"filter": {"q": "nobody-matches-this"}, "reason": "ok"}),
        ("suppressions", {"addresses": ["a@example.com"], "reason": "x" * 501}),
        ("suppressions", {"addresses": "a@example.com"}),
    ],
)
def test_s4_bad_privacy_input_is_a_400_that_changes_nothing(workspace, admin_user, path, body):
    contact = make_contact(workspace, "stay@example.com")
    response = post_json(api(workspace, admin_user), path.format(id=contact.id), body)
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"error", "detail"}
    assert Contact.objects.filter(id=contact.id).exists()
    assert not ErasureJob.objects.exists() and not Suppression.objects.exists()


def test_g1_erasing_from_the_archived_list_all_matching_makes_a_job_that_erases_them(
    admin_client, workspace, admin_user
):
    keep = make_contact(workspace, "keep@example.com")
    doomed = make_contacts(workspace, 30)
    archive(workspace, doomed)
    confirm = admin_client.post(
        reverse("contacts:erase_confirm", args=[workspace.slug]), {"select_all": "1", "filter": "q=bulk"}
    )
    body = confirm.content.decode()
    assert confirm.status_code == 200 and "Erase 30 contacts" in body and "Name or email: <strong>bulk</strong>" in body
    response = admin_client.post(
        reverse("contacts:erase_selection", args=[workspace.slug]),
        {"select_all": "1", "filter": "q=bulk", "reason": "purge early", "confirmation": "ERASE"},
    )
    job = ErasureJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("contacts:erasure_job", args=[workspace.slug, 1])
    assert Contact.objects.filter(workspace=workspace).count() == 31  # nothing in the request (A6)
    ERASURE_JOBS.run(job_id=job.id)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.erased == 30
    assert list(Contact.objects.filter(workspace=workspace)) == [keep]
    page = admin_client.get(reverse("contacts:erasure_job", args=[workspace.slug, 1])).content.decode()
    assert "30" in page and "purge early" in page
    assert Suppression.objects.filter(workspace=workspace).count() == 30


def test_g1_a_contact_merged_into_the_erased_one_goes_with_it(workspace, admin_user):
    survivor = make_contact(workspace, "main@example.com")
    old = make_contact(workspace, "old@example.com", status="merged", merged_into=survivor, archived_at=timezone.now())
    outcomes = contacts_erase(workspace=workspace, contact_ids=[survivor.id], actor=admin_user, reason="request")
    assert outcomes == {survivor.id: "erased"}
    assert not Contact.objects.filter(id__in=[survivor.id, old.id]).exists()
    assert Suppression.objects.filter(workspace=workspace).count() == 2


@pytest.mark.django_db(transaction=True)
def test_g1_a6_bulk_erasure_of_10000_archived_contacts_survives_a_killed_worker_and_leaves_nothing(
    workspace, admin_user, workers
):
    from .test_export_jobs import wait_until

    doomed = make_contacts(workspace, 10_000)
    archive(workspace, doomed)
    slow = {"JOB_CHUNK_SIZE": 500, "JOB_CHUNK_PAUSE": 0.2, "JOB_STALE_AFTER": 3, "JOB_SWEEP_INTERVAL": 1}
    first = workers(beat=True, **slow)
    job = erasure_request(
        workspace=workspace,
        actor=admin_user,
        contact_ids=[c.id for c in doomed],
        reason="expired anyway",
        selection={"ids": 10_000},
        all_matching=True,
    ).job

    def erased():
        return ErasureJob.objects.values_list("erased", flat=True).get(id=job.id)

    wait_until(lambda: erased() >= 1000, timeout=90, what="two chunks erased")
    first.kill()
    assert erased() < 10_000, "the erasure finished before the kill point"
    workers(beat=True, **slow)
    wait_until(lambda: ErasureJob.objects.get(id=job.id).status == "succeeded", timeout=180, what="erasure to finish")
    job.refresh_from_db()
    # Resumed, not restarted, and no chunk counted twice: a committed chunk erased again
    # would count its contacts "not found".
    assert job.erased == 10_000 and job.skipped_not_found == 0 and job.cursor == 10_000
    assert not Contact.objects.filter(workspace=workspace).exists()
    assert not ArchiveRecord.objects.filter(workspace=workspace).exists()
    assert Suppression.objects.filter(workspace=workspace).count() == 10_000
    assert holders(terms=("bulk",)) == set()


def test_g2_a_purged_contact_is_not_suppressed(workspace):
    from contacts_app.services.purge import contacts_purge

    contact = make_contact(workspace, "expired@example.com")
    archive(workspace, [contact], days=400)
    contacts_purge(workspace=workspace, contact_ids=[contact.id], reason="one year after archiving")
    assert not Suppression.objects.exists()


def test_g2_an_address_suppressed_by_hand_gets_no_campaign_nor_automation_email(admin_client, workspace, admin_user):
    from contacts_app.models import Automation, CampaignSend
    from contacts_app.services.contacts import campaign_send, list_subscribe

    news = make_list(workspace, "News")
    kept, blocked = make_contact(workspace, "kept@example.com"), make_contact(workspace, "Blocked@example.com")
    subscribe(kept, news)
    subscribe(blocked, news)
    suppressions_add(workspace=workspace, actor=admin_user, addresses=["blocked@EXAMPLE.com"])
    assert campaign_send(workspace=workspace, mailing_list=news, subject="Hello") == 1
    assert list(CampaignSend.objects.values_list("contact_id", flat=True)) == [kept.id]
    weekly = make_list(workspace, "Weekly")
    Automation.objects.create(
        workspace=workspace, name="Welcome", trigger="list_subscribed", trigger_list=weekly, send_subject="Welcome!"
    )
    list_subscribe(contact=blocked, mailing_list=weekly)
    assert not CampaignSend.objects.filter(contact=blocked).exists()
    page = admin_client.get(reverse("contacts:detail", args=[workspace.slug, blocked.id])).content.decode()
    assert "suppression list" in page and "it receives no email" in page
