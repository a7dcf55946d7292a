"""U1: with JavaScript off, an admin still restores (the preview is a page, not a modal)
and archives cleaned contacts with the typed word (a confirmation page)."""

import re

import pytest
from playwright.sync_api import expect

from contacts_app.models import Contact, Role

from .browser import login, shot
from .factories import make_contact, make_member
from .restore_helpers import archive

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_without_js(browser):
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_u1_restore_and_typed_archive_work_without_javascript(page_without_js, live_server, workspace, worker):
    page = page_without_js
    admin = make_member(workspace, Role.ADMIN)
    ada, bob = make_contact(workspace, email="ada@example.com"), make_contact(workspace, email="bob@example.com")
    archive(workspace, [ada, bob], days=40)
    gone = make_contact(workspace, email="gone@example.com", email_status="cleaned")
    login(page, live_server, admin)

    # The row's own Restore button: preview page, then start.
    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/archived/")
    page.get_by_role("row", name=re.compile("ada@example.com")).get_by_role("button", name="Restore").click()
    expect(page.get_by_role("heading", name="Restore 1 contact?")).to_be_visible()
    shot(page, "nojs-restore-preview")
    page.get_by_role("button", name="Restore 1 contact").click()
    expect(page.get_by_role("heading", name=re.compile(r"Restore job #\d+"))).to_be_visible()
    told = False  # R13: the in-app notice shows once, on whichever page comes next
    for _ in range(60):  # no live progress without JavaScript: the admin reloads
        if page.locator("#notices").count():
            told = True
            expect(page.locator("#notices")).to_contain_text(re.compile(r"Restore job #\d+ succeeded: 1 restored"))
            shot(page, "notice-job-finished", full_page=False)
        if page.locator("#job-status").inner_text() == "Succeeded" and told:
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("#job-status")).to_have_text("Succeeded")
    assert told, "the job-finished notice never showed"

    # Ticked rows and the bulk button.
    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/archived/")
    page.get_by_label("Select bob@example.com").check()
    page.get_by_role("button", name="Restore selected").click()
    expect(page.get_by_role("heading", name="Restore 1 contact?")).to_be_visible()
    page.get_by_role("button", name="Restore 1 contact").click()
    expect(page.get_by_role("heading", name=re.compile(r"Restore job #\d+"))).to_be_visible()

    # C5's typed word on a page of its own.
    page.goto(f"{live_server.url}/w/{workspace.slug}/cleaned/")
    page.get_by_label("Select gone@example.com").check()
    page.get_by_role("button", name="Archive selected").click()
    expect(page.get_by_role("heading", name="Archive cleaned contacts")).to_be_visible()
    page.get_by_label("Type ARCHIVE to confirm").fill("archive")
    shot(page, "nojs-typed-archive", full_page=False)
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_text("Type ARCHIVE in capital letters to confirm.")).to_be_visible()
    assert Contact.objects.get(id=gone.id).status == "active"
    # the same confirmation again, with what was typed: no "Go back" to a page that is gone
    expect(page.get_by_label("Type ARCHIVE to confirm")).to_have_value("archive")
    page.get_by_label("Type ARCHIVE to confirm").fill("ARCHIVE")
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_role("status")).to_contain_text("Archived 1 cleaned contact")
    assert Contact.objects.get(id=gone.id).status == "archived" and Contact.objects.get(id=ada.id).status == "active"


def test_a1_r2_without_javascript_archiving_asks_first_and_the_archived_page_says_when_it_comes_back(
    page_without_js, live_server, workspace
):
    """The contact page's Archive button archived at once, then the contact was frozen
    for 30 days with no word of it; re-adding the address said "restore it" with no link."""
    from datetime import timedelta

    from django.utils import timezone
    from django.utils.formats import date_format

    from .factories import make_deal

    page = page_without_js
    admin = make_member(workspace, Role.ADMIN)
    ada = make_contact(workspace, email="ada@example.com", first_name="Ada")
    make_deal(workspace, contacts=[ada], title="Solo deal")
    old = make_contact(workspace, email="old@example.com")
    archive(workspace, [old], days=40)
    login(page, live_server, admin)

    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/{ada.id}/")
    page.get_by_role("button", name="Archive…").click()
    expect(page.get_by_role("heading", name="Archive ada@example.com?")).to_be_visible()
    back = date_format(timezone.localtime(timezone.now() + timedelta(days=30)))
    expect(page.locator("#freeze-dates")).to_contain_text(back)
    expect(page.locator("#deal-consequences")).to_contain_text("1 deal had no other contact and is deleted")
    assert Contact.objects.get(id=ada.id).status == "active"  # the confirmation changes nothing
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(rf"/contacts/{ada.id}/$"))
    page.get_by_role("button", name="Archive…").click()
    page.get_by_role("button", name="Archive 1 contact").click()
    expect(page.get_by_role("status")).to_contain_text("Archived 1 contact")
    assert Contact.objects.get(id=ada.id).status == "archived"

    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/{ada.id}/")
    expect(page.locator("#restorable")).to_contain_text(back)
    expect(page.locator("#restorable")).to_contain_text("Frozen")
    expect(page.get_by_role("button", name="Restore…")).to_have_count(0)  # frozen

    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/new/")
    page.get_by_label("Email", exact=True).fill("ada@example.com")
    page.get_by_label("This person gave me permission to email them").check()
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_text("belongs to an archived contact")).to_be_visible()
    page.get_by_role("link", name="Open that contact").click()
    expect(page).to_have_url(re.compile(rf"/contacts/{ada.id}/$"))

    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/{old.id}/")  # archived 40 days ago
    expect(page.locator("#restorable")).not_to_contain_text("Frozen")
    expect(page.locator("#restorable")).to_contain_text("now, until")  # not "from" a date already past
    page.get_by_role("button", name="Restore…").click()
    expect(page.get_by_role("heading", name="Restore 1 contact?")).to_be_visible()
    shot(page, "nojs-archived-contact-restore", full_page=False)


def test_u1_without_javascript_all_matching_contacts_can_be_restored_or_archived(
    page_without_js, live_server, workspace
):
    """ "Select all matching" did nothing without JavaScript: rows had to be ticked one by one."""
    page = page_without_js
    admin = make_member(workspace, Role.ADMIN)
    people = [make_contact(workspace, email=f"p{i}@example.com") for i in range(3)]
    archive(workspace, people, days=40)
    for i in range(2):
        make_contact(workspace, email=f"gone{i}@example.com", email_status="cleaned")
        make_contact(workspace, email=f"keep{i}@example.com")
    login(page, live_server, admin)
    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/archived/")
    # The page box and the selection count need JavaScript: without it they are not offered.
    expect(page.get_by_label("Select all on this page")).to_be_hidden()
    expect(page.locator("#selection-count")).to_be_hidden()
    expect(page.get_by_label("Select p0@example.com")).to_be_visible()  # rows are ticked one by one
    page.get_by_role("button", name="Restore all 3 matching…").click()
    expect(page.get_by_role("heading", name="Restore 3 contacts?")).to_be_visible()
    page.goto(f"{live_server.url}/w/{workspace.slug}/cleaned/")
    page.get_by_role("button", name="Archive all 2 matching…").click()
    expect(page.get_by_role("heading", name="Archive cleaned contacts")).to_be_visible()
    expect(page.get_by_text("2 cleaned contacts", exact=False).first).to_be_visible()

    # The Contacts page's "all matching" restates its search and asks for the word too.
    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/?q=keep")
    page.get_by_role("button", name="Archive all matching…").click()
    expect(page.locator("#archive-scope")).to_have_text("That is every active contact matching the search “keep”.")
    page.get_by_role("button", name="Archive 2 contacts").click()  # the word not typed: the browser asks for it
    assert Contact.objects.filter(email__startswith="keep", status="active").count() == 2
    page.get_by_label("Type ARCHIVE to confirm").fill("Archive")
    page.get_by_role("button", name="Archive 2 contacts").click()
    expect(page.get_by_text("Type ARCHIVE in capital letters to confirm.")).to_be_visible()
    page.get_by_label("Type ARCHIVE to confirm").fill("ARCHIVE")
    page.get_by_role("button", name="Archive 2 contacts").click()
    expect(page.get_by_role("heading", name=re.compile(r"Archive job #\d+"))).to_be_visible()
