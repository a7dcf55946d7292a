"""C2, C4, C5, C6 and S1/S2 for cleaned contacts."""

import csv
import io
import re
from datetime import UTC, datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from cleaned.models import ExportJob
from cleaned.services.exports import (
    EXPORT_HEADER,
    EXPORTS,
    export_create,
    export_path,
)
from contacts_app.models import ArchiveJob, AuditEvent, Contact
from contacts_app.services.archive_jobs import ARCHIVE_JOBS

from .factories import make_contact, make_contacts, make_list, subscribe

pytestmark = pytest.mark.django_db


def url(name, workspace, *args):
    return reverse(name, args=[workspace.slug, *args])


def test_c2_cleaned_contact_cannot_be_edited_and_the_page_says_why(admin_client, workspace):
    c = make_contact(workspace, email="typo@gmial.com", email_status="cleaned", first_name="Fred")
    page = admin_client.get(url("contacts:edit", workspace, c.id)).content.decode()
    assert "read-only" in page and "readonly" in page and "add the corrected address" in page
    response = admin_client.post(url("contacts:edit", workspace, c.id), {"email": "fred@gmail.com", "first_name": "F"})
    assert response.status_code == 409 and "cannot be edited" in response.content.decode()
    c.refresh_from_db()
    assert c.email == "typo@gmial.com" and c.first_name == "Fred"


def test_c2_deliverable_contact_can_be_edited(admin_client, workspace):
    c = make_contact(workspace, email="ok@example.com")
    admin_client.post(
        url("contacts:edit", workspace, c.id),
        {"email": "new@example.com", "first_name": "N", "last_name": "", "phone": ""},
    )
    c.refresh_from_db()
    assert c.email == "new@example.com"


def test_c6_corrected_address_is_a_new_contact_with_permission_and_the_cleaned_one_stays(admin_client, workspace):
    bad = make_contact(
        workspace, email="freddie@mailchii.mp.com", email_status="cleaned", first_name="Freddie", last_name="Mercury"
    )
    form = admin_client.get(url("contacts:new", workspace), {"from": bad.id}).content.decode()
    assert 'value="Freddie"' in form and "This person gave me permission to email them" in form
    refused = admin_client.post(
        url("contacts:new", workspace), {"from": bad.id, "email": "freddie@mailchimp.com", "first_name": "Freddie"}
    )
    assert refused.status_code == 400 and "permission" in refused.content.decode()
    response = admin_client.post(
        url("contacts:new", workspace),
        {"from": bad.id, "email": "freddie@mailchimp.com", "first_name": "Freddie", "consent": "on"},
    )
    assert response.status_code == 302
    new = Contact.objects.get(email="freddie@mailchimp.com")
    assert new.status == "active" and new.email_status == "ok"
    bad.refresh_from_db()
    assert bad.email_status == "cleaned" and bad.status == "active"


def test_c4_cleaned_view_lists_only_this_workspaces_active_cleaned_contacts(admin_client, workspace, other_workspace):
    make_contact(workspace, email="bounced@example.com", email_status="cleaned", cleaned_reason="550 unknown user")
    make_contact(workspace, email="fine@example.com")
    make_contact(other_workspace, email="theirs@example.com", email_status="cleaned")
    page = admin_client.get(url("cleaned:list", workspace)).content.decode()
    assert "bounced@example.com" in page and "550 unknown user" in page
    assert "fine@example.com" not in page and "theirs@example.com" not in page


def test_c4_export_has_header_rows_neutralised_formulas_and_no_other_workspace(workspace, other_workspace, admin_user):
    contacts = make_contacts(workspace, 3000, email_status="cleaned")
    Contact.objects.filter(id=contacts[0].id).update(
        first_name='=HYPERLINK("http://evil")', last_name="+1+cmd|' /C calc'!A0", phone="-2", cleaned_reason="@SUM(A1)"
    )
    make_contacts(workspace, 10)  # deliverable: not exported
    make_contacts(other_workspace, 5, email_status="cleaned")
    job = export_create(workspace=workspace, actor=admin_user, params={})
    assert EXPORTS.run(job_id=job.id).startswith("done")
    job.refresh_from_db()
    assert job.status == "succeeded" and job.rows == 3000
    text = export_path(job).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == EXPORT_HEADER and len(rows) == 3001
    first = next(r for r in rows if r[0] == contacts[0].email)
    assert (
        first[1] == '\'=HYPERLINK("http://evil")'
        and first[2] == "'+1+cmd|' /C calc'!A0"
        and first[3] == "-2"  # a negative number is data
        and first[7] == "'@SUM(A1)"
    )
    assert {r[0] for r in rows[1:]} == {c.email for c in contacts}
    assert EXPORTS.run(job_id=job.id) == "not_claimed"  # a duplicate delivery does nothing
    assert AuditEvent.objects.filter(action="export", count=3000).exists()


def test_c4_u6_exports_keep_phones_and_accents_in_csv_and_excel_read_back_by_real_readers(
    workspace, admin_user, admin_client
):
    import openpyxl

    people = [
        make_contact(workspace, email="ines@example.com", first_name="Inès", phone="+33 6 34 93 93 71"),
        make_contact(workspace, email="zoe@example.com", first_name="Zoë", phone="(555) 010-9999"),
        make_contact(workspace, email="eve@example.com", first_name="=1+2", phone="-42"),
    ]
    Contact.objects.filter(id__in=[c.id for c in people]).update(email_status="cleaned", bounce_count=3)
    job = export_create(workspace=workspace, actor=admin_user, params={})
    assert EXPORTS.run(job_id=job.id).startswith("done")
    csv_response = admin_client.get(reverse("cleaned:download", args=[workspace.slug, job.number]))
    raw = b"".join(csv_response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark: Excel reads UTF-8
    assert csv_response["Content-Disposition"].endswith(
        f'filename="{workspace.slug}-cleaned-contacts-{job.number}.csv"'
    )
    rows = {r["email"]: r for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))}
    assert rows["ines@example.com"]["first_name"] == "Inès"
    assert rows["ines@example.com"]["phone"] == "+33 6 34 93 93 71"
    assert rows["zoe@example.com"]["phone"] == "(555) 010-9999"
    assert rows["eve@example.com"]["phone"] == "-42" and rows["eve@example.com"]["first_name"] == "'=1+2"

    xlsx_response = admin_client.get(reverse("cleaned:download", args=[workspace.slug, job.number]), {"format": "xlsx"})
    assert xlsx_response.status_code == 200
    assert xlsx_response["Content-Disposition"].endswith(
        f'filename="{workspace.slug}-cleaned-contacts-{job.number}.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx_response.streaming_content)), read_only=True)
    table = list(book.active.iter_rows(values_only=True))
    header = list(table[0])
    assert header == EXPORT_HEADER
    cells = {r[0]: dict(zip(header, r, strict=True)) for r in table[1:]}
    ines = cells["ines@example.com"]
    assert ines["first_name"] == "Inès" and ines["phone"] == "+33 6 34 93 93 71"
    assert cells["eve@example.com"]["first_name"] == "=1+2"  # a text cell: shown, never run
    assert ines["bounce_count"] == 3 and isinstance(ines["created_at"], datetime)  # typed cells
    editable = openpyxl.load_workbook(
        io.BytesIO(
            b"".join(
                admin_client.get(
                    reverse("cleaned:download", args=[workspace.slug, job.number]), {"format": "xlsx"}
                ).streaming_content
            )
        )
    )
    sheet = editable.active  # opens readable: addresses and dates not cut to "####", filter arrows on
    assert sheet.column_dimensions["A"].width >= 30 and sheet.auto_filter.ref.startswith("A1:")


def test_c4_export_download_is_for_admins_of_the_workspace_only(
    admin_client, workspace, other_workspace, admin_user, member_user
):
    from django.test import Client

    member_client = Client()
    member_client.force_login(member_user)
    make_contacts(workspace, 2, email_status="cleaned")
    job = export_create(workspace=workspace, actor=admin_user, params={})
    EXPORTS.run(job_id=job.id)
    response = admin_client.get(url("cleaned:download", workspace, job.number))
    assert response.status_code == 200 and b"email,first_name" in b"".join(response.streaming_content)
    assert member_client.get(url("cleaned:download", workspace, job.number)).status_code == 403
    assert member_client.post(url("cleaned:export", workspace)).status_code == 403
    ExportJob.objects.create(workspace=other_workspace, status="succeeded", file_name="x.csv")
    theirs = ExportJob.objects.create(workspace=other_workspace, status="succeeded", file_name="y.csv")
    assert theirs.number == 2 and job.number == 1  # numbered in each workspace (U7)
    # S2: pages address exports by the workspace's own numbers: theirs is not reachable
    assert admin_client.get(url("cleaned:download", workspace, theirs.number)).status_code == 404
    assert admin_client.get(url("cleaned:download", workspace, theirs.id)).status_code == 404


def test_c4_export_from_the_page_keeps_the_filter(admin_client, workspace):
    newsletter = make_list(workspace, "Newsletter")
    on_list = make_contacts(workspace, 3, email_status="cleaned")
    for c in on_list:
        subscribe(c, newsletter, "bounced")
    make_contacts(workspace, 2, email_status="cleaned")
    response = admin_client.post(url("cleaned:export", workspace), {"filter": f"list={newsletter.id}"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.filter == {"list": str(newsletter.id)} and job.total == 3


def test_c5_archive_requires_the_typed_word_and_keeps_data(admin_client, workspace):
    c = make_contact(workspace, email_status="cleaned")
    subscribe(c, make_list(workspace), "bounced")
    refused = admin_client.post(url("cleaned:archive", workspace), {"ids": [c.id], "confirmation": "archive"})
    again = refused.content.decode()
    assert refused.status_code == 400 and "Type ARCHIVE" in again
    # U1: no dead end without JavaScript — the confirmation again, with the selection,
    # what was typed, and when the contact could come back
    assert f'name="ids" value="{c.id}"' in again and 'name="confirmation" value="archive"' in again
    assert "30-day freeze" in again and 'id="freeze-dates"' in again
    c.refresh_from_db()
    assert c.status == "active"
    response = admin_client.post(url("cleaned:archive", workspace), {"ids": [c.id], "confirmation": "ARCHIVE"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == "archived" and c.email_status == "cleaned"
    assert c.archive_records.get().list_memberships.get().status == "bounced"  # A2: data kept


def test_c5_select_all_matching_archives_only_cleaned_contacts_of_the_filter(admin_client, workspace):
    cleaned = make_contacts(workspace, 60, email_status="cleaned")
    fine = make_contacts(workspace, 5)
    admin_client.post(
        url("cleaned:archive", workspace),
        {"select_all": "1", "filter": "", "confirmation": "ARCHIVE", "ids": [fine[0].id]},
    )
    job = ArchiveJob.objects.get()  # A6: "all matching" is an archive job
    assert job.requested == 60
    ARCHIVE_JOBS.run(job_id=job.id)
    assert Contact.objects.filter(id__in=[c.id for c in cleaned], status="archived").count() == 60
    assert Contact.objects.filter(id__in=[c.id for c in fine], status="active").count() == 5


def test_s1_members_cannot_archive_cleaned_contacts(member_client, workspace):
    c = make_contact(workspace, email_status="cleaned")
    assert (
        member_client.post(url("cleaned:archive", workspace), {"ids": [c.id], "confirmation": "ARCHIVE"}).status_code
        == 403
    )
    c.refresh_from_db()
    assert c.status == "active"


def test_c2_api_edit_of_a_cleaned_contact_is_409_contact_cleaned(workspace, admin_user):
    import json

    from django.test import Client

    from contacts_app.api.auth import api_token_create

    token = api_token_create(workspace=workspace, user=admin_user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    cleaned = make_contact(workspace, email="typo@gmial.com", email_status="cleaned")
    fine = make_contact(workspace, email="fine@example.com")
    response = client.patch(
        f"/api/v1/contacts/{cleaned.id}", json.dumps({"email": "typo@gmail.com"}), content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["error"] == "contact_cleaned"
    cleaned.refresh_from_db()
    assert cleaned.email == "typo@gmial.com"
    ok = client.patch(
        f"/api/v1/contacts/{fine.id}", json.dumps({"first_name": "Fine"}), content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["first_name"] == "Fine"


def test_c4_a_queued_export_never_started_is_picked_up_by_the_sweeper(workspace, admin_user, settings):
    import json
    from datetime import timedelta

    import redis
    from django.utils import timezone

    from .worker import flush_broker

    settings.JOB_STALE_AFTER = 0
    flush_broker()
    stuck = ExportJob.objects.create(
        workspace=workspace, requested_by=admin_user, created_at=timezone.now() - timedelta(seconds=5)
    )
    ExportJob.objects.create(workspace=workspace, requested_by=admin_user, status="succeeded")
    try:
        assert EXPORTS.sweep() == 1
        queued = redis.Redis.from_url(settings.CELERY_BROKER_URL).lrange("exports", 0, -1)  # R14: the exports queue
        headers = [json.loads(m)["headers"] for m in queued]
        assert [(h["task"], h["argsrepr"]) for h in headers] == [("cleaned.tasks.export_run_task", f"[{stuck.id}]")]
    finally:
        flush_broker()


def test_c4_every_timestamp_in_the_export_is_iso_8601_utc_with_its_zone(workspace, admin_user):
    import re
    from datetime import datetime

    c = make_contact(workspace, email_status="cleaned")
    Contact.objects.filter(id=c.id).update(
        cleaned_at=datetime(2026, 11, 18, 10, 0, 0, 123456, tzinfo=UTC),
        created_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    job = export_create(workspace=workspace, actor=admin_user, params={})
    EXPORTS.run(job_id=job.id)
    job.refresh_from_db()
    header, row = list(csv.reader(io.StringIO(export_path(job).read_text("utf-8-sig"))))
    values = dict(zip(header, row, strict=True))
    assert values["cleaned_at"] == "2026-11-18T10:00:00Z" and values["created_at"] == "2025-01-02T03:04:05Z"
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", values[k]) for k in ("cleaned_at", "created_at"))


def test_c6_the_corrected_address_starts_from_the_cleaned_contact_and_both_link_to_each_other(admin_client, workspace):
    from .factories import make_account, make_list, make_tag, subscribe, tag

    bad = make_contact(
        workspace,
        email="fred@gmial.com",
        email_status="cleaned",
        first_name="Fred",
        last_name="Flint",
        phone="+33 1 23",
    )
    Contact.objects.filter(id=bad.id).update(account=make_account(workspace, "Quarry Inc"))
    news, promo = make_list(workspace, "News"), make_list(workspace, "Promo")
    subscribe(bad, news, "bounced")
    subscribe(bad, promo, "bounced")
    tag(bad, make_tag(workspace, "vip"))
    form = admin_client.get(url("contacts:new", workspace), {"from": bad.id}).content.decode()
    assert 'value="Fred"' in form and 'value="Flint"' in form and 'value="+33 1 23"' in form
    assert 'value="fred@gmial.com"' not in form  # not its email: that is what was wrong
    assert form.count("checked") >= 3 and "News" in form and "Promo" in form and "vip" in form and "Quarry Inc" in form
    response = admin_client.post(
        url("contacts:new", workspace),
        {
            "from": bad.id,
            "email": "fred@gmail.com",
            "first_name": "Fred",
            "last_name": "Flint",
            "phone": "+33 1 23",
            "lists": [news.id],
            "tags": [t.id for t in bad.tags.all()],
            "consent": "on",
        },
    )
    assert response.status_code == 302
    new = Contact.objects.get(email="fred@gmail.com")
    assert (
        new.replaces_id == bad.id
        and new.account.name == "Quarry Inc"
        and list(new.tags.values_list("name", flat=True)) == ["vip"]
    )
    assert list(new.list_memberships.values_list("mailing_list__name", "status")) == [
        ("News", "subscribed")
    ]  # promo unticked
    bad.refresh_from_db()
    assert bad.email_status == "cleaned" and bad.email == "fred@gmial.com"  # left as it is
    assert "Replaces" in admin_client.get(url("contacts:detail", workspace, new.id)).content.decode()
    assert "Replaced by" in admin_client.get(url("contacts:detail", workspace, bad.id)).content.decode()


def test_u5_export_them_first_keeps_lists_tags_account_and_the_deletion_day(workspace, admin_user, admin_client):
    from cleaned.models import ExportScope
    from contacts_app.lifecycle import restorable_until
    from tests.factories import make_account, make_list, make_tag, subscribe, tag
    from tests.restore_helpers import archive

    jane = make_contact(workspace, email="jane@example.com", first_name="Jane", phone="+33 6 00 00 00 01")
    news, vip, acme = make_list(workspace, "Newsletter"), make_tag(workspace, "VIP"), make_account(workspace, "Acme SA")
    subscribe(jane, news)
    tag(jane, vip)
    Contact.objects.filter(id=jane.id).update(account=acme)
    archive(workspace, [jane], actor=admin_user, days=340)
    job = export_create(
        workspace=workspace, actor=admin_user, params={"status": "archived"}, scope=ExportScope.CONTACTS
    )
    assert EXPORTS.run(job_id=job.id).startswith("done")
    response = admin_client.get(reverse("cleaned:download", args=[workspace.slug, job.number]))
    assert response["Content-Disposition"].endswith(f'filename="{workspace.slug}-contacts-{job.number}.csv"')
    (row,) = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    jane.refresh_from_db()
    assert row["lists"] == "Newsletter" and row["tags"] == "VIP" and row["account"] == "Acme SA"
    assert (
        row["archived_at"].endswith("Z") and row["deleted_on"] == restorable_until(jane.archived_at).date().isoformat()
    )
    assert row["phone"] == "+33 6 00 00 00 01" and row["status"] == "archived"


@pytest.mark.parametrize("query", ["status=archived", "restorable=frozen", "archived_after=2026-11-01"])
def test_c5_select_all_matching_carries_every_filter_the_cleaned_list_used(admin_client, workspace, query):
    """The list said "Select all 0 matching" for ?status=archived, but its hidden filter
    carried only some keys, and confirming archived all 61 cleaned contacts."""
    make_contacts(workspace, 5, email_status="cleaned")
    url = reverse("cleaned:list", args=[workspace.slug])
    page = admin_client.get(f"{url}?{query}").content.decode()
    carried = re.search(r'name="filter" value="([^"]*)"', page).group(1)
    assert unescape(carried) == query
    confirm = admin_client.post(
        reverse("cleaned:archive_confirm", args=[workspace.slug]), {"select_all": "1", "filter": unescape(carried)}
    )
    assert "5 " not in re.sub(r"<[^>]+>", "", confirm.content.decode()).split("Archive cleaned contacts")[-1][:300]
    assert Contact.objects.filter(workspace=workspace, status="active").count() == 5


def test_u7_stored_words_are_rendered_in_the_readers_language(admin_client, workspace):
    """The French cleaned list showed "Address gone (5.1.1): …" and `amazon_ses` while
    its filter said « Adresse inexistante »."""
    from cleaned.services.bounces import BounceInput, bounces_apply

    jane = make_contact(workspace, email="jane@example.com")
    event = BounceInput(
        event_id="e1",
        email=jane.email,
        type="hard",
        occurred_at=timezone.now(),
        code="5.1.1",
        diagnostic="550 5.1.1 user unknown",
    )
    bounces_apply(workspace=workspace, provider="amazon_ses", events=[event])
    url = reverse("cleaned:list", args=[workspace.slug])
    page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Adresse inexistante (5.1.1)" in page and "550 5.1.1 user unknown" in page
    assert "Address gone" not in page and ">Amazon SES<" in page and ">amazon_ses<" not in page
    activity = admin_client.get(reverse("activity", args=[workspace.slug]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Amazon SES" in activity.content.decode() and "bounces:amazon_ses" not in activity.content.decode()


def test_u7_every_provider_key_reads_as_a_name_in_both_languages():
    """`file` (import_bounces' default) showed as a raw code."""
    from django.utils import translation

    from contacts_app.deliverability import provider_label

    with translation.override("en"):
        assert provider_label("file") == "File import" and provider_label("amazon_ses") == "Amazon SES"
    with translation.override("fr"):
        assert provider_label("file") != "file" and provider_label("demo") != "demo"


def test_u7_a_cleaned_reason_in_french_puts_a_no_break_space_before_its_colon():
    """ "Adresse inexistante (5.1.1): smtp…" broke French typography on the cleaned view."""
    from django.utils import translation

    from cleaned.models import BounceClass
    from cleaned.services.bounces import cleaned_reason_display

    with translation.override("en"):
        stored = f"{BounceClass.ADDRESS_GONE.label} (5.1.1): smtp; 550 5.1.1 user unknown"
        assert cleaned_reason_display(reason=stored, bounce_class=BounceClass.ADDRESS_GONE, code="5.1.1") == stored
    with translation.override("fr"):
        shown = cleaned_reason_display(reason=stored, bounce_class=BounceClass.ADDRESS_GONE, code="5.1.1")
    assert shown.endswith("(5.1.1)\u00a0: smtp; 550 5.1.1 user unknown") and not shown.startswith("Address")


def test_u2_select_all_matching_is_offered_only_where_it_works_with_javascript(admin_client, workspace):
    """Without JavaScript "Select all N matching" was a button that did nothing (the
    no-JS way is "Archive all N matching…", in a <noscript>)."""
    make_contact(workspace, email="gone@example.com", email_status="cleaned")
    page = admin_client.get(reverse("cleaned:list", args=[workspace.slug])).content.decode()
    assert re.search(r'<button[^>]*id="select-all-button"[^>]*\bhidden>', page)
    assert 'id="archive-all-nojs"' in page
