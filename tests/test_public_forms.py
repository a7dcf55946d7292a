"""R9/S3/S4/S7: a form's hosted public page — visitors, no login, no session."""

import re
from html import unescape

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from contacts_app.models import Contact, Form, ListMembership

from .factories import make_contact, make_list
from .restore_helpers import archive

pytestmark = pytest.mark.django_db


@pytest.fixture
def signup(workspace):
    workspace.name = "Acme Outdoor Co."
    workspace.save(update_fields=["name"])
    form = Form.objects.create(workspace=workspace, name="Newsletter signup")
    newsletter = make_list(workspace, name="Newsletter")
    form.lists.add(newsletter)
    return form, newsletter


def visit(client, form, **fields):
    page = client.get(reverse("form_public", args=[form.public_id])).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    body = {"token": token, "consent": "on", **fields}
    return client.post(reverse("form_public", args=[form.public_id]), body)


def test_r9_a_visitor_with_an_archived_frozen_contacts_email_is_restored_through_the_hosted_page(workspace, signup):
    form, newsletter = signup
    client = Client(enforce_csrf_checks=True)  # no CSRF cookie from another site: the signed token stands for it
    page = client.get(reverse("form_public", args=[form.public_id]))
    assert page.status_code == 200 and "Acme Outdoor Co." in page.content.decode()
    back = make_contact(workspace, email="back@example.com")
    archive(workspace, [back], days=2)  # frozen for a manual restore
    response = visit(client, form, email="BACK@example.com")
    assert response.status_code == 302 and response["Location"] == reverse("form_thanks", args=[form.public_id])
    back.refresh_from_db()
    assert back.status == "active"
    assert ListMembership.objects.get(contact=back, mailing_list=newsletter).status == "subscribed"
    assert "Thank you" in client.get(response["Location"]).content.decode()


def test_s3_unknown_inactive_and_integer_addresses_are_one_friendly_404(client, signup):
    form, _ = signup
    inactive = Form.objects.create(workspace=form.workspace, name="Closed", is_active=False)
    for ref in (inactive.public_id, "nope", str(form.id)):
        response = client.get(reverse("form_public", args=[ref]))
        assert response.status_code == 404 and "This form is not available" in response.content.decode(), ref


def test_s4_bad_input_is_answered_on_the_page_with_the_values_kept(client, signup):
    form, _ = signup
    response = visit(client, form, email="not-an-address", first_name="Inès" * 30)
    page = unescape(response.content.decode())
    assert response.status_code == 400 and 'value="not-an-address"' in page and ("Inès" * 30) in page
    no_consent = visit(client, form, email="ok@example.com", consent="")
    assert no_consent.status_code == 400 and "Tick the box" in no_consent.content.decode()
    assert not Contact.objects.filter(email__in=["not-an-address", "ok@example.com"]).exists()


def test_s7_a_missing_or_expired_token_and_a_filled_honeypot_store_nothing(client, signup, settings):
    form, _ = signup
    url = reverse("form_public", args=[form.public_id])
    missing = client.post(url, {"email": "a@example.com", "consent": "on"})
    assert missing.status_code == 400 and "could not be checked" in missing.content.decode()
    import time
    from unittest import mock

    token = signing.dumps(form.public_id, salt="restore.public_forms")  # as the page signs it
    with mock.patch("time.time", return_value=time.time() + 3 * 3600):  # three hours later
        expired = client.post(url, {"email": "a@example.com", "consent": "on", "token": token})
    assert expired.status_code == 400 and "open too long" in expired.content.decode()
    bot = visit(client, form, email="bot@example.com", website="http://spam.example")
    assert bot.status_code == 302  # thanked, as a person would be
    assert not Contact.objects.filter(email__in=["a@example.com", "bot@example.com"]).exists()


def test_s7_too_many_submissions_from_one_address_get_a_429_page_with_retry_after(client, signup, settings):
    form, _ = signup
    settings.THROTTLE_FORM_PAGE = "2/m"
    answers = [visit(client, form, email=f"p{i}@example.com").status_code for i in range(3)]
    assert answers[:2] == [302, 302]
    last = visit(client, form, email="p9@example.com")
    assert last.status_code == 429 and int(last["Retry-After"]) >= 1 and "Too many submissions" in last.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r9_u1_u2_u3_a_french_visitor_on_a_phone_without_javascript_comes_back(browser, live_server, workspace):
    """The hosted page in the visitor's language, on a 390 px phone, without JavaScript."""
    from playwright.sync_api import expect

    from .browser import shot

    form = Form.objects.create(workspace=workspace, name="Lettre d'information")
    back = make_contact(workspace, email="ines@example.com")
    archive(workspace, [back], days=2)
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server.url}/f/{form.public_id}/")
    page.get_by_role("textbox", name="E-mail").fill("ines@example.com")
    page.get_by_label("Prénom").fill("Inès")
    page.get_by_label(re.compile("J'accepte de recevoir")).check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "phone-form-public-fr")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", name="Merci")).to_be_visible()
    back.refresh_from_db()
    assert back.status == "active"
    context.close()


def test_r9_the_admin_sees_a_contact_came_back_through_a_form(client, admin_client, workspace, signup):
    """Nothing on the admin side said that a contact came back through a form."""
    form, _ = signup
    back = make_contact(workspace, email="back@example.com")
    archive(workspace, [back], days=40)
    assert visit(client, form, email="back@example.com").status_code == 302
    activity = unescape(admin_client.get(reverse("activity", args=[workspace.slug])).content.decode())
    assert "Restored automatically by form “Newsletter signup”" in activity and "a form submission" in activity
    page = admin_client.get(reverse("contacts:detail", args=[workspace.slug, back.id])).content.decode()
    assert 'id="restored-by-form"' in page
