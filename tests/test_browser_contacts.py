"""The contacts page as an admin clicks it, in headless chromium."""

import re

import pytest
from playwright.sync_api import expect

from contacts_app.models import Contact, Role

from .browser import login, shot
from .factories import days_ago, make_contact, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a1_admin_archives_from_contacts_and_finds_them_via_the_three_dot_menu(page, live_server, workspace):
    admin = make_member(workspace, Role.ADMIN)
    ada = make_contact(workspace, email="ada@example.com", first_name="Ada", last_name="Lovelace")
    make_contact(workspace, email="grace@example.com", first_name="Grace", last_name="Hopper")
    make_contact(workspace, email="older@example.com", status="archived", archived_at=days_ago(45))

    login(page, live_server, admin)
    expect(page.get_by_role("heading", name="Contacts")).to_be_visible()
    expect(page.get_by_text("grace@example.com")).to_be_visible()
    shot(page, "contacts")

    page.get_by_label("Select ada@example.com").check()
    page.get_by_role("button", name="Archive selected").click()
    # A real confirmation (not the browser's confirm()): when it can come back, and deals.
    expect(page.get_by_role("heading", name="Archive ada@example.com?")).to_be_visible()
    expect(page.locator("#freeze-dates")).to_contain_text("after the 30-day freeze")
    shot(page, "archive-confirm", full_page=False)
    page.get_by_role("button", name="Archive 1 contact").click()
    expect(page.get_by_role("status")).to_have_text("Archived 1 contact.")
    expect(page.get_by_text("ada@example.com")).to_have_count(0)

    page.get_by_title("More actions").click()
    page.get_by_role("link", name="Show archived contacts").click()
    expect(page).to_have_url(re.compile(r"/contacts/archived/$"))
    expect(page.get_by_text("ada@example.com")).to_be_visible()
    expect(page.get_by_text("older@example.com")).to_be_visible()
    assert Contact.objects.get(id=ada.id).status == "archived"


def test_s1_member_sees_contacts_without_archive_controls(page, live_server, workspace):
    member = make_member(workspace, Role.MEMBER)
    make_contact(workspace, email="ada@example.com")
    login(page, live_server, member)
    expect(page.get_by_text("ada@example.com")).to_be_visible()
    expect(page.get_by_role("button", name="Archive selected")).to_have_count(0)
    expect(page.get_by_text("(member)")).to_be_visible()


def test_c6_the_consent_checkbox_sits_beside_its_label(page, live_server, workspace):
    admin = make_member(workspace, Role.ADMIN)
    login(page, live_server, admin)
    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/new/")
    box = page.locator("#id_consent").bounding_box()
    label = page.locator("label", has=page.locator("#id_consent")).bounding_box()
    assert box["width"] < 30, box  # not stretched across the form
    assert label["height"] < 2 * box["height"] + 10, label  # one line: the box and its words side by side
    assert abs((box["y"] + box["height"] / 2) - (label["y"] + label["height"] / 2)) < 8
