"""U3 in the browser: a French-speaking admin (the browser asks for French) walks the
restore journey with the help articles' words, then opens the cleaned view."""

import re

import pytest
from playwright.sync_api import expect

from contacts_app.models import ListMembership, Role

from .browser import login, shot
from .factories import make_contacts, make_list, make_member
from .restore_helpers import archive

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def french_page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_u3_a_french_admin_restores_with_the_help_articles_words_and_opens_the_cleaned_view(
    french_page, live_server, workspace, worker
):
    page = french_page
    admin = make_member(workspace, Role.ADMIN)
    news = make_list(workspace, "Newsletter")
    people = make_contacts(workspace, 2)
    ListMembership.objects.bulk_create([ListMembership(contact=c, mailing_list=news) for c in people])
    archive(workspace, people, days=40)
    make_contacts(workspace, 3, email_status="cleaned", cleaned_reason="550 5.1.1 user unknown")  # not billed
    make_contacts(workspace, 4)
    workspace.contact_limit = 5  # 4 billable + 1 restored = 100% of the plan: the restore asks to confirm
    workspace.save()

    login(page, live_server, admin)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_title("Plus d'actions").click()
    page.get_by_role("link", name="Afficher les contacts archivés").click()
    expect(page.get_by_role("heading", name="Contacts archivés")).to_be_visible()
    page.select_option("#f-list", label="Newsletter")
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(page.locator("#active-filters")).to_contain_text("Était sur la liste\u00a0: Newsletter")
    page.get_by_role("row", name=re.compile(people[0].email)).get_by_role("button", name="Restaurer").click()
    dialog = page.locator("dialog#restore-dialog")
    expect(dialog).to_contain_text("Ce qui revient\u00a0:")
    expect(dialog).to_contain_text("1 abonnement à une liste (avec son statut)")
    expect(dialog).to_contain_text("contact facturable")
    expect(dialog.locator("#overage-warning")).to_contain_text("100\u00a0% de votre forfait")
    shot(page, "french-restore-modal", full_page=False)
    dialog.get_by_role("button", name="Confirmer la restauration").click()
    expect(page.locator(".messages")).to_contain_text("Restauration lancée pour 1 contact.")
    expect(page.locator("#job-status")).to_have_text("Réussie", timeout=30_000)
    expect(page.locator("#job-card")).to_contain_text("restauré")

    page.get_by_role("link", name="Contacts", exact=True).click()
    page.get_by_title("Plus d'actions").click()
    page.get_by_role("link", name="Afficher les contacts nettoyés").click()
    expect(page.get_by_role("heading", name="Contacts nettoyés")).to_be_visible()
    expect(page.locator(".pagehead")).to_contain_text("non facturés, jamais contactés, non modifiables")
    expect(page.locator("table.list .badge.cleaned").first).to_have_text("Nettoyé")
    # The switch in the top bar takes the admin back to English, and it is remembered.
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Cleaned contacts")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Cleaned contacts")).to_be_visible()
