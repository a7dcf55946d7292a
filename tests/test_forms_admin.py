"""R9/S1–S4/S7/U4: the admins' Forms pages, the embed code, the per-form throttle and
the optional double opt-in."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts_app.models import (
    AuditEvent,
    Automation,
    AutomationRun,
    Contact,
    Form,
    ListMembership,
    Trigger,
)
from restore.models import FormSubmission, RestoreJob, RestoreJobItem
from restore.services.form_confirmation import form_confirmations_send

from .concurrency import at_once
from .factories import make_contact, make_list, subscribe
from .restore_helpers import archive

pytestmark = pytest.mark.django_db


@pytest.fixture
def signup(workspace):
    form = Form.objects.create(workspace=workspace, name="Newsletter signup")
    newsletter = make_list(workspace, name="Newsletter")
    form.lists.add(newsletter)
    return form, newsletter


def settings_post(**overrides) -> dict:
    body = {
        "name": "Spring offers",
        "ask_first_name": "on",
        "consent_text": "Yes, send me the spring offers.",
        "thank_you_message": "See you soon!\nThe Acme team",
        "is_active": "on",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def token_of(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def visit(client, form, **fields):
    page = client.get(reverse("form_public", args=[form.public_id])).content.decode()
    body = {"token": token_of(page), "consent": "on", **fields}
    return client.post(reverse("form_public", args=[form.public_id]), body)


def test_r9_an_admin_creates_a_form_whose_page_asks_what_was_chosen_and_says_its_sentences(
    admin_client, admin_user, workspace, client
):
    offers = make_list(workspace, name="Offers")
    response = admin_client.post(reverse("restore:form_new", args=[workspace.slug]), settings_post(lists=[offers.id]))
    form = Form.objects.get(workspace=workspace, name="Spring offers")
    assert response.status_code == 302 and response["Location"] == reverse(
        "restore:form", args=[workspace.slug, form.public_id]
    )
    assert list(form.lists.all()) == [offers] and form.ask_first_name and not form.ask_last_name
    page = client.get(reverse("form_public", args=[form.public_id])).content.decode()
    assert "Yes, send me the spring offers." in page
    assert 'name="first_name"' in page and 'name="last_name"' not in page
    assert visit(client, form, email="new@example.com").status_code == 302
    thanks = client.get(reverse("form_thanks", args=[form.public_id])).content.decode()
    assert "See you soon!\nThe Acme team" in thanks
    assert ListMembership.objects.get(contact__email="new@example.com").mailing_list == offers
    event = AuditEvent.objects.get(action=AuditEvent.Action.FORM_CHANGE)
    assert event.details["verb"] == "created" and event.actor == admin_user
    activity = unescape(admin_client.get(reverse("activity", args=[workspace.slug])).content.decode())
    assert "Form “Spring offers” created" in activity


def test_r9_an_admin_changes_a_form_and_the_change_is_audited_once(admin_client, workspace, signup):
    form, newsletter = signup
    url = reverse("restore:form", args=[workspace.slug, form.public_id])
    page = admin_client.get(url).content.decode()
    assert 'value="Newsletter signup"' in page and f'value="{newsletter.id}"' in page
    response = admin_client.post(url, settings_post(name="Newsletter", lists=[newsletter.id], double_opt_in="on"))
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.name == "Newsletter" and form.double_opt_in
    changed = AuditEvent.objects.get(action=AuditEvent.Action.FORM_CHANGE).details["changed"]
    assert "name" in changed and "double_opt_in" in changed and "lists" not in changed
    admin_client.post(url, settings_post(name="Newsletter", lists=[newsletter.id], double_opt_in="on"))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.FORM_CHANGE).count() == 1  # nothing changed


def test_r9_the_forms_list_counts_submissions_and_automatic_restores_over_30_days_and_all_time(
    admin_client, workspace, signup, django_assert_max_num_queries
):
    form, _ = signup
    closed = Form.objects.create(workspace=workspace, name="Closed webinar", is_active=False)
    old = timezone.now() - timedelta(days=40)
    for outcome, when in (("created", old), ("restored", old), ("restored", timezone.now()), ("updated", None)):
        FormSubmission.objects.create(form=form, outcome=outcome, **({"created_at": when} if when else {}))
    url = reverse("restore:forms", args=[workspace.slug])
    with django_assert_max_num_queries(12):
        page = admin_client.get(url).content.decode()
    row = re.search(rf'<tr data-form="{form.public_id}">(.*?)</tr>', page, re.S).group(1)
    counts = re.findall(r'<span class="recent">(\d+)</span> / <span class="all">(\d+)</span>', row)
    assert counts == [("2", "4"), ("1", "2")]  # submissions, automatic restores: 30 days / all time
    assert "Newsletter" in row and "Active" in row
    closed_row = re.search(rf'<tr data-form="{closed.public_id}">(.*?)</tr>', page, re.S).group(1)
    assert "Inactive" in closed_row and "Deactivate" not in closed_row
    for _more in range(5):
        Form.objects.create(workspace=workspace, name=f"Another {_more}")
    with django_assert_max_num_queries(12):  # a fixed number of queries, however many forms
        assert admin_client.get(url).status_code == 200


def test_s1_members_read_the_forms_but_cannot_create_change_or_deactivate_them(member_client, workspace, signup):
    form, _ = signup
    page = member_client.get(reverse("restore:forms", args=[workspace.slug])).content.decode()
    assert "Newsletter signup" in page and "New form" not in page and "Deactivate" not in page
    detail = member_client.get(reverse("restore:form", args=[workspace.slug, form.public_id])).content.decode()
    assert 'id="read-only"' in detail and '<fieldset class="plain" disabled>' in detail and "embed-code" in detail
    assert member_client.get(reverse("restore:form_new", args=[workspace.slug])).status_code == 403
    assert member_client.post(reverse("restore:form_new", args=[workspace.slug]), settings_post()).status_code == 403
    url = reverse("restore:form", args=[workspace.slug, form.public_id])
    assert member_client.post(url, settings_post(name="Hacked")).status_code == 403
    deactivate = reverse("restore:form_deactivate", args=[workspace.slug, form.public_id])
    assert member_client.post(deactivate).status_code == 403
    form.refresh_from_db()
    assert form.name == "Newsletter signup" and form.is_active and Form.objects.count() == 1


def test_s2_another_workspaces_form_is_a_404_on_every_admin_page(admin_client, workspace, other_workspace):
    theirs = Form.objects.create(workspace=other_workspace, name="Theirs")
    for url in (
        reverse("restore:form", args=[workspace.slug, theirs.public_id]),
        reverse("restore:form_deactivate", args=[workspace.slug, theirs.public_id]),
    ):
        assert admin_client.post(url, settings_post()).status_code == 404
    assert admin_client.get(reverse("restore:form", args=[workspace.slug, theirs.public_id])).status_code == 404
    assert "Theirs" not in admin_client.get(reverse("restore:forms", args=[workspace.slug])).content.decode()
    theirs.refresh_from_db()
    assert theirs.is_active and theirs.name == "Theirs"
    assert admin_client.get(reverse("restore:forms", args=[other_workspace.slug])).status_code == 404


def test_s3_deactivating_takes_a_post_then_the_page_is_not_available_and_restores_nobody(
    admin_client, client, workspace, signup
):
    form, _ = signup
    deactivate = reverse("restore:form_deactivate", args=[workspace.slug, form.public_id])
    assert admin_client.get(deactivate).status_code == 405
    page = client.get(reverse("form_public", args=[form.public_id])).content.decode()
    assert admin_client.post(deactivate).status_code == 302
    assert admin_client.post(deactivate).status_code == 302  # twice: no second audit row
    assert AuditEvent.objects.filter(action=AuditEvent.Action.FORM_CHANGE, details__verb="deactivated").count() == 1
    back = make_contact(workspace, email="back@example.com")
    archive(workspace, [back], days=40)
    body = {"token": token_of(page), "consent": "on", "email": "back@example.com"}
    assert client.post(reverse("form_public", args=[form.public_id]), body).status_code == 404
    back.refresh_from_db()
    assert back.status == "archived"


def test_s4_bad_settings_are_refused_on_the_page_with_what_was_typed_and_nothing_saved(
    admin_client, workspace, other_workspace, signup
):
    form, _ = signup
    url = reverse("restore:form", args=[workspace.slug, form.public_id])
    too_long = "N" * 201
    theirs = make_list(other_workspace, name="Theirs")
    for body, expected in (
        (settings_post(name=too_long), f'value="{too_long}"'),
        (settings_post(name="   "), "Give the form a name."),
        (settings_post(consent_text="Yes\x07please"), "Yes\x07please"),
        (settings_post(thank_you_message="T" * 1001), "T" * 1001),
        (settings_post(lists=[theirs.id]), "Select a valid choice"),
        (settings_post(lists=["x"]), "Select a valid choice"),
    ):
        response = admin_client.post(url, body)
        assert response.status_code == 400, body
        assert expected in unescape(response.content.decode()), body
    form.refresh_from_db()
    assert form.name == "Newsletter signup" and not AuditEvent.objects.filter(action="form_change").exists()
    new = admin_client.post(reverse("restore:form_new", args=[workspace.slug]), settings_post(name=""))
    assert new.status_code == 400 and Form.objects.count() == 1


def test_r9_the_embed_code_is_a_plain_form_that_posts_to_the_hosted_page_for_one_more_step(
    admin_client, workspace, signup
):
    form, newsletter = signup
    detail = admin_client.get(reverse("restore:form", args=[workspace.slug, form.public_id])).content.decode()
    code = unescape(re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', detail, re.S).group(1))
    assert "<script" not in code and 'name="website"' in code and 'name="consent"' in code
    action = re.search(r'action="([^"]+)"', code).group(1)
    assert action == f"http://testserver/f/{form.public_id}/"
    visitor = Client(enforce_csrf_checks=True)  # on the customer's site: no cookie of ours
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="(\w+)"', code))
    step = visitor.post(action, {**fields, "email": "embed@example.com", "first_name": "Émile", "consent": "on"})
    page = step.content.decode()
    assert step.status_code == 200 and "One more step" in page and 'value="Émile"' in page
    assert not Contact.objects.filter(email="embed@example.com").exists()  # nothing stored without a token
    done = visitor.post(action, {"token": token_of(page), "email": "embed@example.com", "consent": "on"})
    assert done.status_code == 302
    assert ListMembership.objects.get(contact__email="embed@example.com").mailing_list == newsletter


def test_s7_one_form_flooded_from_many_addresses_gets_429_pages_and_api_answers(client, signup, settings):
    from .test_api import api

    settings.THROTTLE_FORM_PAGE = "100/m"
    settings.THROTTLE_FORM_PER_FORM = "2/m"
    form, _ = signup
    codes = []
    for n in range(3):
        page = client.get(reverse("form_public", args=[form.public_id])).content.decode()
        body = {"token": token_of(page), "consent": "on", "email": f"v{n}@example.com"}
        response = client.post(reverse("form_public", args=[form.public_id]), body, REMOTE_ADDR=f"203.0.113.{n + 1}")
        codes.append(response.status_code)
    assert codes == [302, 302, 429]
    assert "too many submissions" in response.content.decode() and int(response["Retry-After"]) >= 1
    assert 'value="v2@example.com"' in response.content.decode()
    api_answer = api().post(f"forms/{form.public_id}/submissions", {"email": "api@example.com"})
    assert api_answer.status_code == 429 and api_answer.json()["error"] == "throttled"
    assert Contact.objects.count() == 2


def _confirmation_link() -> str:
    assert form_confirmations_send() == 1
    (message,) = mail.outbox
    return re.search(r"http://\S+/confirm/\S+/", message.body).group(0).split("testserver", 1)[-1]


def test_r9_double_opt_in_waits_unconfirmed_until_the_emailed_link_is_followed(client, workspace, signup, settings):
    settings.SITE_URL = "http://testserver"
    form, newsletter = signup
    form.double_opt_in = True
    form.save()
    welcome = Automation.objects.create(
        workspace=workspace, name="Welcome", trigger=Trigger.LIST_SUBSCRIBED, trigger_list=newsletter
    )
    back = make_contact(workspace, email="back@example.com")
    archive(workspace, [back], days=2)  # frozen: the form restores it anyway, at submission (R9)
    response = visit(client, form, email="back@example.com")
    assert response["Location"].endswith("?check=email")
    assert "we sent you an email" in client.get(response["Location"]).content.decode()
    back.refresh_from_db()
    assert back.status == "active"
    membership = ListMembership.objects.get(contact=back, mailing_list=newsletter)
    assert membership.status == "unconfirmed" and not AutomationRun.objects.exists()
    link = _confirmation_link()
    assert mail.outbox[0].to == ["back@example.com"] and "Acme" in mail.outbox[0].subject
    assert form_confirmations_send() == 0  # sent once
    assert "Confirm my subscription" in client.get(link).content.decode()
    membership.refresh_from_db()
    assert membership.status == "unconfirmed"  # a GET (a mail scanner's) changes nothing
    confirmed = client.post(link)
    assert confirmed.status_code == 200 and "Subscription confirmed" in confirmed.content.decode()
    membership.refresh_from_db()
    assert membership.status == "subscribed"
    assert AutomationRun.objects.filter(automation=welcome, contact=back).count() == 1
    again = client.post(link)
    assert again.status_code == 200 and "already confirmed" in again.content.decode()
    assert AutomationRun.objects.filter(automation=welcome).count() == 1


def test_r9_a_tampered_or_another_forms_confirmation_link_is_refused_with_a_page(client, workspace, signup, settings):
    settings.SITE_URL = "http://testserver"
    form, newsletter = signup
    form.double_opt_in = True
    form.save()
    other = Form.objects.create(workspace=workspace, name="Other")
    visit(client, form, email="new@example.com")
    link = _confirmation_link()
    token = link.rstrip("/").rsplit("/", 1)[1]
    for bad in (link.replace(token, token[:-2] + "xx"), link.replace(form.public_id, other.public_id)):
        response = client.post(bad)
        assert response.status_code == 400 and "not valid" in response.content.decode(), bad
    assert ListMembership.objects.get(contact__email="new@example.com").status == "unconfirmed"


def test_r6_r9_double_opt_in_never_downgrades_a_subscription_the_restore_put_back(client, workspace, signup):
    form, newsletter = signup
    form.double_opt_in = True
    form.save()
    back = make_contact(workspace, email="back@example.com")
    subscribe(back, newsletter, "subscribed")
    archive(workspace, [back], days=40)
    response = visit(client, form, email="back@example.com")
    assert not response["Location"].endswith("?check=email")  # nothing to confirm
    assert ListMembership.objects.get(contact=back, mailing_list=newsletter).status == "subscribed"
    assert form_confirmations_send() == 0 and mail.outbox == []


def test_r9_the_restore_report_names_the_form_that_brought_back_a_contact_the_job_found_active(
    client, admin_client, workspace, signup
):
    form, _ = signup
    back = make_contact(workspace, email="back@example.com")
    archive(workspace, [back], days=40)
    job = RestoreJob.objects.create(workspace=workspace, requested=1, status="succeeded")
    visit(client, form, email="back@example.com")
    RestoreJobItem.objects.create(job=job, position=0, contact_id=back.id, outcome="already_active")
    response = admin_client.get(reverse("restore:report", args=[workspace.slug, job.number]))
    report = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = report.splitlines()[:2]
    assert header.endswith(",restored_by") and row.endswith("Form “Newsletter signup”")
    page = admin_client.get(reverse("contacts:detail", args=[workspace.slug, back.id])).content.decode()
    assert "automatically by form “Newsletter signup”" in unescape(page)


@pytest.mark.django_db(transaction=True)
def test_r9_sixteen_visitors_sending_one_email_at_once_through_the_page_make_one_contact(workspace, settings):
    settings.THROTTLE_FORM_PAGE = "100/m"
    form = Form.objects.create(workspace=workspace, name="Signup")
    form.lists.set([make_list(workspace)])
    archive(workspace, [make_contact(workspace, email="race@example.com")], days=2)
    token = token_of(Client().get(reverse("form_public", args=[form.public_id])).content.decode())
    body = {"token": token, "consent": "on", "email": "race@example.com"}
    url = reverse("form_public", args=[form.public_id])
    codes = at_once([lambda: Client().post(url, body).status_code] * 16)
    assert codes == [302] * 16
    assert Contact.objects.filter(workspace=workspace, email__iexact="race@example.com").count() == 1
    assert Contact.objects.get(email="race@example.com").status == "active"
    (submission,) = FormSubmission.objects.filter(form=form)  # one person, one submission counted
    assert submission.outcome == "restored"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [True, False])
def test_r9_u1_u2_u3_a_french_admin_on_a_phone_creates_a_form_and_watches_a_contact_come_back(
    browser, live_server, workspace, admin_user, javascript
):
    """The journey of the issue: the admin creates a form from the top bar, a visitor
    sends it with an archived contact's email, the Forms page counts the restore."""
    from playwright.sync_api import expect

    from .browser import login, shot

    make_list(workspace, name="Lettre")
    back = make_contact(workspace, email="ines@example.com")
    archive(workspace, [back], days=2)  # frozen: a form restores it anyway
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=javascript, locale="fr-FR"
    )
    page = context.new_page()
    login(page, live_server, admin_user)
    page.get_by_role("navigation").get_by_role("link", name="Formulaires").click()
    expect(page.get_by_role("heading", name="Formulaires")).to_be_visible()
    page.get_by_role("link", name="Nouveau formulaire").click()
    page.get_by_label("Nom du formulaire *").fill("Inscription printemps")
    page.get_by_label("Lettre").check()
    page.get_by_label("Phrase de consentement").fill("Oui, envoyez-moi vos nouvelles.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Créer le formulaire").click()
    expect(page.get_by_text("Formulaire « Inscription printemps » enregistré.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if javascript:
        shot(page, "phone-form-settings-fr")
    hosted = page.locator("#hosted-url").get_attribute("href")
    visitor = browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=javascript, locale="fr-FR"
    )
    form_page = visitor.new_page()
    form_page.goto(hosted)
    form_page.get_by_role("textbox", name="E-mail").fill("ines@example.com")
    form_page.get_by_label("Oui, envoyez-moi vos nouvelles.").check()
    form_page.get_by_role("button", name="Envoyer").click()
    expect(form_page.get_by_role("heading", name="Merci")).to_be_visible()
    back.refresh_from_db()
    assert back.status == "active"
    assert ListMembership.objects.get(contact=back).mailing_list.name == "Lettre"
    page.get_by_role("navigation").get_by_role("link", name="Formulaires").click()
    row = page.locator("#forms tbody tr", has_text="Inscription printemps")
    expect(row.locator("td.restores")).to_have_text("1 / 1")  # one automatic restore in 30 days, one in all
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if javascript:
        shot(page, "phone-forms-list-fr")
    visitor.close()
    context.close()


def test_r9_the_demo_answers_an_unavailable_form_with_its_own_page_not_the_apps_404(client, signup, settings):
    """With DEBUG on (bin/run), every 404 page was replaced by the CRM's "Back to contacts"."""
    settings.DEBUG = True
    form, _ = signup
    form.is_active = False
    form.save()
    for ref in (form.public_id, "nonsense"):
        page = client.get(reverse("form_public", args=[ref]))
        assert page.status_code == 404 and "This form is not available" in page.content.decode()
        assert "Back to contacts" not in page.content.decode()


def test_r9_one_person_sending_a_double_opt_in_form_again_gets_one_email_and_one_count(client, workspace, signup):
    form, _ = signup
    form.double_opt_in = True
    form.save()
    for _again in range(4):
        assert visit(client, form, email="victim@example.com", first_name="Zoé")["Location"].endswith("?check=email")
    assert FormSubmission.objects.filter(form=form).count() == 1
    assert form_confirmations_send() == 1 and form_confirmations_send() == 0
    (message,) = mail.outbox
    assert message.body.startswith("Hello Zoé,")


def test_r9_an_admin_activates_an_inactive_form_again_from_the_list(admin_client, workspace, signup):
    form, _ = signup
    admin_client.post(reverse("restore:form_deactivate", args=[workspace.slug, form.public_id]))
    page = admin_client.get(reverse("restore:forms", args=[workspace.slug])).content.decode()
    assert "Activate" in page
    admin_client.post(reverse("restore:form_activate", args=[workspace.slug, form.public_id]))
    form.refresh_from_db()
    assert form.is_active
    verbs = list(AuditEvent.objects.filter(action="form_change").order_by("id").values_list("details__verb", flat=True))
    assert verbs == ["deactivated", "activated"]
