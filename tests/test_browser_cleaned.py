"""Cleaned contacts as an admin clicks them, in headless chromium with a real worker:
filter, export and download the CSV, select all, type ARCHIVE, find them archived."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from contacts_app.models import Contact, ListMembership, Role

from .browser import login, shot
from .factories import make_contact, make_contacts, make_list, make_member

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_c4_c5_admin_filters_exports_downloads_then_archives_all_with_the_typed_word(
    page, live_server, workspace, worker
):
    admin = make_member(workspace, Role.ADMIN)
    newsletter = make_list(workspace, "Newsletter")
    bounced = make_contacts(workspace, 55, email_status="cleaned", cleaned_reason="550 5.1.1 mailbox does not exist")
    ListMembership.objects.bulk_create(
        [ListMembership(contact=c, mailing_list=newsletter, status="bounced") for c in bounced]
    )
    other = make_contacts(workspace, 4, email_status="cleaned")
    make_contacts(workspace, 10)

    login(page, live_server, admin)
    page.get_by_title("More actions").click()
    page.get_by_role("link", name="Show cleaned contacts").click()
    expect(page.get_by_role("heading", name="Cleaned contacts")).to_be_visible()
    page.select_option("#f-list", label="Newsletter")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".pagehead")).to_contain_text("55 matching")
    shot(page, "cleaned-contacts", full_page=False)

    page.get_by_role("button", name="Export CSV").click()
    expect(page.get_by_role("heading", name="Exports")).to_be_visible()
    download_link = page.get_by_role("link", name="Download CSV")
    expect(download_link).to_be_visible(timeout=30_000)
    shot(page, "exports", full_page=False)
    with page.expect_download() as info:
        download_link.click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == 55 and {r["email"] for r in rows} == {c.email for c in bounced}

    page.go_back()
    page.goto(f"{live_server.url}/w/{workspace.slug}/cleaned/?list={newsletter.id}")
    page.get_by_role("button", name="Select all 55 matching").click()
    page.get_by_role("button", name="Archive selected").click()
    dialog = page.locator("dialog#archive-dialog")
    expect(dialog).to_contain_text("55 cleaned contacts")
    confirm = dialog.get_by_role("button", name="Archive")
    expect(confirm).to_be_disabled()
    dialog.get_by_label("Type ARCHIVE to confirm").fill("archive")
    expect(confirm).to_be_disabled()
    dialog.get_by_label("Type ARCHIVE to confirm").fill("ARCHIVE")
    expect(confirm).to_be_enabled()
    shot(page, "archive-typed-confirmation", full_page=False)
    confirm.click()

    # A6: "all matching" runs as an archive job; its page follows it to the end.
    expect(page).to_have_url(re.compile(r"/contacts/archive-jobs/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Archiving 55 contacts in the background")
    expect(page.locator("#job-status")).to_have_text("Succeeded", timeout=30_000)
    expect(page.locator("#archived-count")).to_have_text("55")
    shot(page, "archive-job-done")
    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/archived/?email_status=cleaned")
    expect(page.locator(".pagination")).to_contain_text("55 contacts")
    assert Contact.objects.filter(id__in=[c.id for c in bounced], status="archived").count() == 55
    assert Contact.objects.filter(id__in=[c.id for c in other], status="active").count() == 4


def test_c7_c8_admin_sees_why_a_contact_was_cleaned_uncleans_it_then_reverts_an_incident(
    page, live_server, workspace, worker
):
    """From the cleaned view: open a cleaned contact, read its bounce history, un-clean it
    with a reason; then revert a provider incident from the cleaned view, with a real
    worker running the job, and see the addresses deliverable again."""
    from datetime import timedelta

    from django.utils import timezone

    from cleaned.services.bounces import BounceInput, bounces_apply

    admin = make_member(workspace, Role.ADMIN)
    news = make_list(workspace, "Newsletter")
    jane = make_contact(workspace, email="jane@example.com")
    ListMembership.objects.create(contact=jane, mailing_list=news, status="unsubscribed")
    when = timezone.now().replace(second=0, microsecond=0) - timedelta(days=1)
    bounces_apply(
        workspace=workspace,
        provider="amazon_ses",
        events=[
            BounceInput(event_id="d1", email=jane.email, type="delivered", occurred_at=when - timedelta(days=9)),
            BounceInput(
                event_id="h1",
                email=jane.email,
                type="hard",
                occurred_at=when,
                code="5.1.1",
                diagnostic="smtp; 550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown",
            ),
        ],
    )
    victims = make_contacts(workspace, 12)
    ListMembership.objects.bulk_create([ListMembership(contact=c, mailing_list=news) for c in victims])
    bounces_apply(
        workspace=workspace,
        provider="mailgun",
        events=[
            BounceInput(
                event_id=f"m{c.id}",
                email=c.email,
                type="hard",
                occurred_at=when + timedelta(minutes=i),
                code="5.1.1",
                diagnostic="550 5.1.1 mailbox unavailable (DNS lookup of MX failed)",
            )
            for i, c in enumerate(victims)
        ],
    )

    login(page, live_server, admin)
    page.goto(f"{live_server.url}/w/{workspace.slug}/cleaned/?provider=amazon_ses")
    page.get_by_role("link", name="jane@example.com").click()
    why = page.locator("#why-cleaned")
    expect(why).to_contain_text("Address gone")
    expect(why.locator("#bounce-history")).to_contain_text("550 5.1.1 <jane@example.com>: Recipient address rejected")
    expect(why.locator("#bounce-history tbody tr")).to_have_count(2)
    shot(page, "why-cleaned")
    page.get_by_label(re.compile("The address works again")).fill("Jane confirmed by phone that her mailbox works.")
    page.get_by_role("button", name="Un-clean this address").click()
    expect(page.locator(".messages")).to_contain_text("jane@example.com is deliverable again")
    expect(page.locator("h2:text-is('Lists') + table")).to_contain_text(
        "Unsubscribed"
    )  # her list status from before, not "subscribed"
    expect(page.locator("#why-cleaned")).to_contain_text("un-cleaned on")

    page.goto(f"{live_server.url}/w/{workspace.slug}/cleaned/")
    page.get_by_role("link", name="Revert an incident").click()
    page.select_option("#i-provider", "mailgun")
    page.select_option("#i-class", "address_gone")
    page.fill("#i-from", (when - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#i-until", (when + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Show matching cleanings").click()
    expect(page.locator("#incident-count")).to_have_text("12")
    expect(page.locator("#incident-sample li")).to_have_count(10)
    page.get_by_label("Why are these addresses deliverable again?").fill("Mailgun MX lookup outage")
    shot(page, "incident-revert")
    page.get_by_role("button", name="Un-clean 12 addresses").click()
    expect(page.locator("#revert-status")).to_have_text("Succeeded", timeout=30_000)
    expect(page.locator("#reverted-count")).to_have_text("12")
    assert not Contact.objects.filter(id__in=[c.id for c in victims], email_status="cleaned").exists()
    assert set(ListMembership.objects.filter(contact__in=victims).values_list("status", flat=True)) == {"subscribed"}
