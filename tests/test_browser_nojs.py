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
    page.go_back()
    page.get_by_label("Type ARCHIVE to confirm").fill("ARCHIVE")
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_role("status")).to_contain_text("Archived 1 cleaned contact")
    assert Contact.objects.get(id=gone.id).status == "archived" and Contact.objects.get(id=ada.id).status == "active"
