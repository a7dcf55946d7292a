"""U2: at 390 px wide (a phone), no page scrolls sideways as a whole; lists scroll
inside their own box; the modals fit the screen. Screenshots go to docs/screenshots/."""

import pytest
from playwright.sync_api import expect

from cleaned.models import ExportJob
from cleaned.services.bounces import BounceInput, bounces_apply
from contacts_app.models import Role
from contacts_app.services.suppression import suppressions_add
from restore.models import RestoreJob

from .browser import login, shot
from .factories import days_ago, make_contact, make_member, make_workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_u2_every_page_and_modal_fits_a_390_px_phone(browser, live_server, workspace, admin_user):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    admin = make_member(workspace, Role.ADMIN)
    for i in range(8):
        make_contact(
            workspace,
            email=f"a-rather-long-address-{i}@example-company.com",
            first_name="Ada",
            last_name=f"Lovelace {i}",
        )
        make_contact(workspace, email=f"old-{i}@example-company.com", status="archived", archived_at=days_ago(45))
        make_contact(
            workspace,
            email=f"gone-{i}@example-company.com",
            email_status="cleaned",
            cleaned_reason="550 5.1.1 user unknown",
        )
    job = RestoreJob.objects.create(
        workspace=workspace, status="succeeded", requested=8, restored=8, cursor=8, requested_by=admin
    )
    ExportJob.objects.create(
        workspace=workspace, status="succeeded", requested=8, cursor=8, file_name="x.csv", requested_by=admin
    )
    bounced = make_contact(workspace, email="a-long-bounced-address@example-company.com")
    bounces_apply(
        workspace=workspace,
        provider="amazon_ses",
        events=[
            BounceInput(
                event_id="e1",
                email=bounced.email,
                type="hard",
                occurred_at=days_ago(1),
                code="5.1.1",
                diagnostic=(
                    "smtp; 550 5.1.1 <a-long-bounced-address@example-company.com>: "
                    "Recipient address rejected: User unknown in virtual mailbox table"
                ),
            )
        ],
    )
    suppressions_add(
        workspace=workspace, actor=admin, addresses=["a-very-long-suppressed-address@example-company.com"], reason="x"
    )
    login(page, live_server, admin)
    base = f"{live_server.url}/w/{workspace.slug}"
    for name, path in (
        ("contacts", "/contacts/"),
        ("archived", "/contacts/archived/"),
        ("cleaned", "/cleaned/"),
        ("job", f"/restore-jobs/{job.number}/"),
        ("exports", "/cleaned/exports/"),
        ("jobs", "/restore-jobs/"),
        ("why-cleaned", f"/contacts/{bounced.id}/"),
        ("data-held", f"/contacts/{bounced.id}/data/"),  # G3
        ("erase", f"/contacts/{bounced.id}/erase/"),  # G1
        ("privacy", "/contacts/suppressions/"),  # G2
        (
            "incident",
            "/cleaned/incidents/?provider=amazon_ses&cleaned_from=2026-01-01T00:00&cleaned_until=2099-12-31T00:00",
        ),
    ):
        response = page.goto(base + path)
        assert response.status == 200, f"{name}: {response.status}"  # the page itself, not an error page
        scroll, inner = page_width(page)
        assert scroll <= inner, f"{name}: the page is {scroll} px wide on a {inner} px screen"
        shot(page, f"phone-{name}")
    expect(page.locator("#incident-count")).to_have_text("1")  # the incident preview, with its match
    page.goto(base + "/contacts/archived/")
    page.get_by_role("button", name="Restore", exact=True).first.click()
    dialog = page.locator("dialog#restore-dialog")
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["height"] <= PHONE["height"]
    shot(page, "phone-restore-modal", full_page=False)
    context.close()


TOP_BAR_LABELS = ".topbar nav a, .topbar .who, .topbar .switcher summary, .topbar button"


@pytest.mark.parametrize("width", [390, 1024, 1280])
def test_u2_the_french_top_bar_keeps_every_label_on_one_line(browser, live_server, workspace, admin_user, width):
    """French labels are the longest: no link, name or button of the top bar breaks over
    two lines (or letter by letter), at a phone's, a tablet's and a laptop's width."""
    workspace.name = "Acme Outdoor Co."  # a real name's length, and a second workspace: the switcher
    workspace.save(update_fields=["name"])
    make_workspace(slug="globex", name="Globex Corporation").memberships.create(user=admin_user, role=Role.ADMIN)
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 800})
    page = context.new_page()
    login(page, live_server, admin_user)
    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/archived/")
    expect(page.locator(".topbar .who")).to_contain_text("administrateur")
    heights = page.evaluate(
        f"""[...document.querySelectorAll({TOP_BAR_LABELS!r})].map(e => [e.textContent.trim(),
            e.getBoundingClientRect().height, parseFloat(getComputedStyle(e).lineHeight)
            || parseFloat(getComputedStyle(e).fontSize) * 1.5])"""
    )
    assert len(heights) >= 8
    for text, height, line in heights:
        assert height < 1.8 * line, f"{text!r} breaks over lines at {width} px ({height} px high)"
    scroll, inner = page_width(page)
    assert scroll <= inner
    context.close()


def test_u2_the_more_actions_menu_opens_inside_a_390_px_screen(browser, live_server, workspace, admin_user):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    make_contact(workspace, email="ada@example.com")
    login(page, live_server, admin_user)
    for language in ("en", "fr"):
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/")
        page.locator(".pagehead .menu summary").click()
        items = page.locator(".menu .menu-items")
        expect(items).to_be_visible()
        box = items.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{language}: {box}"
        scroll, inner = page_width(page)
        assert scroll <= inner, f"{language}: the open menu makes the page {scroll} px wide"
    context.close()


@pytest.mark.parametrize("language,label", [("en", "Deletion date"), ("fr", "Date de suppression")])
def test_u2_the_archived_list_reads_as_cards_on_a_phone_with_its_sort_links(
    browser, live_server, workspace, admin_user, language, label
):
    """At 390 px the archived table scrolled sideways with only the email in view: each
    contact is now a card, each date under its column's name, and the sorts stay."""
    for i in range(3):
        make_contact(
            workspace,
            email=f"a-rather-long-address-{i}@example-company.com",
            first_name="Ada",
            last_name=f"Lovelace {i}",
            status="archived",
            archived_at=days_ago(45 + i),
        )
    context = browser.new_context(viewport=PHONE, locale=language)
    page = context.new_page()
    login(page, live_server, admin_user)
    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/archived/")
    table = page.locator("#archived-table")
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth + 1")  # nothing hidden to the right
    row = table.locator("tbody tr").first
    expect(row.locator(f'td[data-label="{label}"]')).to_be_visible()
    for cell in (
        row.locator("td.email"),
        row.get_by_role("button", name="Restore" if language == "en" else "Restaurer"),
    ):
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # on the screen, not off to the right
    sort_links = table.locator("thead th.sort a")
    expect(sort_links).to_have_count(3)
    expect(sort_links.first).to_be_visible()
    scroll, inner = page_width(page)
    assert scroll <= inner
    shot(page, f"phone-archived-cards-{language}")
    context.close()
