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
from .factories import make_contacts, make_list, make_member

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]



def test_c4_c5_admin_filters_exports_downloads_then_archives_all_with_the_typed_word(page, live_server, workspace, worker):
    admin = make_member(workspace, Role.ADMIN)
    newsletter = make_list(workspace, "Newsletter")
    bounced = make_contacts(workspace, 55, email_status="cleaned", cleaned_reason="550 5.1.1 mailbox does not exist")
    ListMembership.objects.bulk_create([ListMembership(contact=c, mailing_list=newsletter, status="bounced") for c in bounced])
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
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
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

    expect(page).to_have_url(re.compile(r"/contacts/archived/\?email_status=cleaned"))
    expect(page.get_by_role("status")).to_contain_text("Archived 55 cleaned contacts")
    expect(page.locator(".pagination")).to_contain_text("55 contacts")
    assert Contact.objects.filter(id__in=[c.id for c in bounced], status="archived").count() == 55
    assert Contact.objects.filter(id__in=[c.id for c in other], status="active").count() == 4
