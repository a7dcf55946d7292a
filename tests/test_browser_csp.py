"""S6: the Content-Security-Policy allows no inline script or style, and the pages —
ours and the Django admin's — run under it without a single violation."""

import pytest
from playwright.sync_api import expect

from contacts_app.models import Role

from .browser import login
from .factories import days_ago, make_contact, make_member, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_violations(page) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None)
    return seen


def test_s6_pages_and_the_modal_run_under_the_csp_without_violations(page, live_server, workspace):
    admin = make_member(workspace, Role.ADMIN)
    contact = make_contact(workspace, email="ada@example.com")
    make_contact(workspace, email="old@example.com", status="archived", archived_at=days_ago(45))
    make_contact(workspace, email="gone@example.com", email_status="cleaned")
    violations = watch_violations(page)
    login(page, live_server, admin)
    base = f"{live_server.url}/w/{workspace.slug}"
    for path in (
        "/contacts/",
        f"/contacts/{contact.id}/",
        "/contacts/new/",
        "/cleaned/",
        "/cleaned/exports/",
        "/restore-jobs/",
    ):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    page.goto(base + "/contacts/archived/")
    page.get_by_role("button", name="Restore", exact=True).click()  # the modal is fetched and scripted
    expect(page.locator("dialog#restore-dialog")).to_be_visible()
    assert violations == []


def test_s6_the_django_admin_runs_under_the_csp_without_violations(page, live_server, workspace):
    support = make_user("support-2", is_staff=True, is_superuser=True)
    contact = make_contact(workspace, email="ada@example.com")
    violations = watch_violations(page)
    login(page, live_server, support)
    for path in (
        "/admin/",
        "/admin/contacts_app/contact/",
        f"/admin/contacts_app/contact/{contact.id}/change/",
        "/admin/restore/restorejob/",
    ):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    assert violations == []
