"""Issue #13's items as an admin clicks them, in headless chromium: presets, a chip that
removes one filter, sorting by name, the purge forecast and its link, the plain
(no-overage) restore preview, the Activity page with its filter and CSV, the corrected
address started from a cleaned contact and linked both ways, the workspace switcher."""

import re

import pytest
from playwright.sync_api import expect

from contacts_app.models import Contact, ListMembership, Role

from .browser import login, shot
from .factories import make_contact, make_list, make_member, make_workspace
from .restore_helpers import archive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_u5_r12_u4_c6_admin_walks_filters_forecast_plain_preview_activity_and_corrected_address(
    page, live_server, workspace
):
    admin = make_member(workspace, Role.ADMIN)
    globex = make_workspace(name="Globex Corp")
    make_member(globex, Role.ADMIN, user=admin)
    workspace.contact_limit = 1000
    workspace.save()
    news = make_list(workspace, "Newsletter")
    zed = make_contact(workspace, email="zed@example.com", first_name="Zed", last_name="Zimmer")
    amy = make_contact(workspace, email="amy@example.com", first_name="Amy", last_name="Adams")
    for c in (zed, amy):
        ListMembership.objects.create(contact=c, mailing_list=news)
    archive(workspace, [zed, amy], actor=admin, days=45)
    old = make_contact(workspace, email="old@example.com", first_name="Old")
    archive(workspace, [old], actor=admin, days=350)  # deleted for good within 30 days
    login(page, live_server, admin)
    base = f"{live_server.url}/w/{workspace.slug}"

    # U5: the forecast, and its link to those contacts.
    page.goto(base + "/contacts/archived/")
    expect(page.locator("#purge-forecast")).to_contain_text(
        "1 archived contact will be deleted for good in the next 30 days"
    )
    page.locator("#purge-forecast").get_by_role("link", name="Show it").click()
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("table.list")).to_contain_text("old@example.com")
    # Presets and chips: "Restorable now", then remove that one filter with its chip.
    page.get_by_role("link", name="Restorable now").click()
    expect(page.locator("#active-filters")).to_contain_text("Restorable now")
    expect(page.locator("table.list tbody tr")).to_have_count(3)  # the 350-day one is restorable too, until day 365
    page.select_option("#f-list", label="Newsletter")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#active-filters .chip")).to_have_count(2)
    page.locator("#active-filters .chip", has_text="Restorable").click()
    expect(page.locator("#active-filters .chip")).to_have_count(1)
    expect(page.locator("#active-filters")).to_contain_text("Newsletter")
    # Sort by name: Amy before Zed, then reversed.
    page.get_by_role("link", name=re.compile("^Name")).click()
    expect(page.locator("table.list tbody tr").first).to_contain_text("amy@example.com")
    page.get_by_role("link", name=re.compile("^Name")).click()
    expect(page.locator("table.list tbody tr").first).to_contain_text("zed@example.com")
    shot(page, "archived-chips-sorted", full_page=False)

    # R12 on the plain path (no overage): what comes back, and the billing after.
    page.get_by_role("row", name=re.compile("amy@example.com")).get_by_role("button", name="Restore").click()
    dialog = page.locator("dialog#restore-dialog")
    expect(dialog).to_contain_text("After restoring you will have")
    expect(dialog).to_contain_text("1 list membership")
    expect(dialog).to_contain_text("you will have 1 billable contact for a plan of")
    expect(dialog).not_to_contain_text("over your plan")
    dialog.get_by_role("button", name="Cancel").click()

    # U4: the Activity page, filtered to archives, with its CSV.
    page.get_by_role("link", name="Activity").click()
    page.select_option("#id_action", "archive")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#activity tbody tr")).to_have_count(2)
    expect(page.locator("#activity")).to_contain_text(admin.username)
    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    assert info.value.suggested_filename.endswith(".csv")

    # C6: the corrected address starts from the cleaned contact, not its email, and links both ways.
    gone = make_contact(
        workspace,
        email="jnae@exmaple.com",
        first_name="Jane",
        last_name="Doe",
        phone="+33 6 12",
        email_status="cleaned",
        cleaned_reason="550 5.1.1 user unknown",
    )
    page.goto(f"{base}/contacts/{gone.id}/")
    page.get_by_role("link", name="Add corrected address").first.click()
    expect(page.locator("#id_first_name")).to_have_value("Jane")
    expect(page.locator("#id_phone")).to_have_value("+33 6 12")
    expect(page.locator("#id_email")).to_have_value("")
    page.fill("#id_email", "jane@example.com")
    page.check("#id_consent")
    page.get_by_role("button", name="Add contact").click()
    expect(page.locator(".messages", has_text="Replaces")).to_contain_text("jnae@exmaple.com")
    new = Contact.objects.get(email="jane@example.com")
    assert new.replaces_id == gone.id
    page.goto(f"{base}/contacts/{gone.id}/")
    expect(page.locator(".messages", has_text="Replaced by")).to_contain_text("jane@example.com")

    # The workspace switcher: the same list in the other workspace.
    page.goto(base + "/contacts/archived/")
    page.locator("details.switcher summary").click()
    page.get_by_role("link", name="Globex Corp").click()
    expect(page).to_have_url(re.compile(f"/w/{globex.slug}/contacts/archived/$"))
