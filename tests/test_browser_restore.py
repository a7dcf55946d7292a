"""The admin's restore path in headless chromium, against the live server and a
REAL Celery worker (R1–R10, B3, S1). Screenshots go to docs/screenshots/."""

import re

import pytest
from playwright.sync_api import expect

from contacts_app.models import Contact, ListMembership, Role
from contacts_app.services.merge import contacts_merge

from .browser import login, shot
from .factories import days_ago, make_contact, make_contacts, make_list, make_member
from .restore_helpers import archive

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_r5_b3_admin_filters_selects_all_matching_confirms_overage_and_finds_restored_contacts(
    page, live_server, workspace, worker
):
    admin = make_member(workspace, Role.ADMIN)
    newsletter, other = make_list(workspace, "Newsletter"), make_list(workspace, "Partners")
    wanted = make_contacts(workspace, 60)
    ListMembership.objects.bulk_create([ListMembership(contact=c, mailing_list=newsletter) for c in wanted])
    unrelated = make_contacts(workspace, 5)
    ListMembership.objects.bulk_create([ListMembership(contact=c, mailing_list=other) for c in unrelated])
    promo = make_list(workspace, "Spring promo")
    ListMembership.objects.bulk_create([ListMembership(contact=c, mailing_list=promo) for c in wanted])
    archive(workspace, wanted + unrelated, days=45)
    promo.delete()  # deleted since archiving: the preview says it will not come back (R12)
    make_contacts(workspace, 40)  # active and billable
    workspace.contact_limit = 100  # 40 + 60 = 100% of the plan: the overage warning must show
    workspace.save()

    login(page, live_server, admin)
    page.get_by_title("More actions").click()
    page.get_by_role("link", name="Show archived contacts").click()
    expect(page.get_by_role("heading", name="Archived contacts")).to_be_visible()
    expect(page.get_by_text("65 in total")).to_be_visible()

    page.select_option("#f-list", label="Newsletter")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"list=\d+"))
    expect(page.get_by_text("60 matching")).to_be_visible()

    page.get_by_label("Select all on this page").check()
    page.get_by_role("button", name="Select all 60 contacts matching this filter").click()
    expect(page.get_by_text("All 60 contacts matching this filter are selected.")).to_be_visible()
    shot(page, "archived-list-select-all")

    page.get_by_role("button", name="Restore 60 selected").click()
    dialog = page.locator("dialog#restore-dialog")
    expect(dialog.get_by_role("heading", name="Confirm restore — billing overage")).to_be_visible()
    expect(dialog.get_by_test_id("will-restore")).to_have_text("60")
    expect(dialog.get_by_role("alert")).to_contain_text("100% of your plan")
    expect(dialog.locator("#not-coming-back")).to_contain_text("List “Spring promo” (60 contacts)")
    shot(page, "restore-overage-modal", full_page=False)
    dialog.get_by_role("button", name="Confirm restore").click()

    expect(page.get_by_role("heading", name=re.compile(r"Restore job #\d+"))).to_be_visible()
    expect(page.locator("#job-status")).to_have_text("Succeeded", timeout=30_000)
    expect(page.locator("#progress-fill")).to_have_attribute("style", re.compile("width: 100%"))
    expect(page.locator("#restored-count")).to_have_text("60")
    shot(page, "restore-job-done")

    page.get_by_role("link", name="Find restored contacts").click()
    expect(page.locator(".pagination")).to_contain_text("60 contacts")
    expect(page.get_by_text("Showing the contacts restored by")).to_be_visible()
    shot(page, "restored-contacts")
    assert Contact.objects.filter(id__in=[c.id for c in wanted], status="active").count() == 60
    assert Contact.objects.filter(id__in=[c.id for c in unrelated], status="archived").count() == 5
    assert ListMembership.objects.filter(mailing_list=newsletter).count() == 60


def test_r13_with_javascript_the_admin_who_stays_on_the_job_page_sees_the_finished_notice(
    page, live_server, workspace, worker
):
    admin = make_member(workspace, Role.ADMIN)
    contacts = make_contacts(workspace, 5)
    archive(workspace, contacts, days=45)
    login(page, live_server, admin)
    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/archived/")
    page.get_by_label("Select all on this page").check()
    page.get_by_role("button", name="Restore 5 selected").click()
    page.locator("dialog#restore-dialog").get_by_role("button", name="Restore 5 contacts").click()
    expect(page.get_by_role("heading", name=re.compile(r"Restore job #\d+"))).to_be_visible()
    # No navigation: the page polls, then reloads itself once the job is done and told.
    expect(page.locator("#notices")).to_contain_text(
        re.compile(r"Restore job #\d+ succeeded: 5 restored"), timeout=30_000
    )
    expect(page.locator("#job-status")).to_have_text("Succeeded")


def test_r1_r3_s1_frozen_and_merged_rows_explain_why_and_members_see_no_restore(page, live_server, workspace):
    admin = make_member(workspace, Role.ADMIN)
    member = make_member(workspace, Role.MEMBER)
    frozen = make_contact(workspace, email="frozen@example.com")
    archive(workspace, [frozen], days=10)
    survivor = make_contact(workspace, email="survivor@example.com")
    dup = make_contact(workspace, email="dup@example.com")
    contacts_merge(workspace=workspace, survivor_id=survivor.id, duplicate_id=dup.id)
    ok = make_contact(workspace, email="ready@example.com")
    archive(workspace, [ok], days=40)

    login(page, live_server, admin)
    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/archived/")
    frozen_row = page.get_by_role("row").filter(has_text="frozen@example.com")
    expect(frozen_row.get_by_role("button", name="Restore")).to_be_disabled()
    restorable_from = (days_ago(10) + __import__("datetime").timedelta(days=30)).strftime("%b %-d, %Y")
    expect(frozen_row).to_contain_text(f"Can be restored from {restorable_from}")
    merged_row = page.get_by_role("row").filter(has_text="dup@example.com")
    expect(merged_row.get_by_role("button", name="Restore")).to_have_count(0)  # it never comes back
    expect(merged_row).to_contain_text("Merged")
    expect(merged_row).to_contain_text("into survivor@example.com")
    expect(merged_row.get_by_role("link", name="survivor@example.com")).to_be_visible()
    shot(page, "archived-list")

    # A single restore from the row: the preview names it, no overage for one contact.
    page.get_by_role("row").filter(has_text="ready@example.com").get_by_role("button", name="Restore").click()
    expect(page.locator("dialog#restore-dialog").get_by_role("button", name="Restore 1 contact")).to_be_visible()
    page.locator("dialog#restore-dialog").get_by_role("button", name="Cancel").click()
    expect(page.locator("dialog#restore-dialog")).not_to_be_visible()

    page.get_by_role("button", name="Log out").click()
    login(page, live_server, member)
    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/archived/")
    expect(page.get_by_text("ready@example.com")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Restore"))).to_have_count(0)
