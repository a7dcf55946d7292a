"""C7: every bounce keeps its evidence and is classified by it; C8: un-clean one
contact. Provider-shaped payloads go through anymail's own parsers for each provider,
then through our receiver, as a webhook delivery would."""

import json
from datetime import timedelta

import pytest
from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cleaned.classification import bounce_classify
from cleaned.models import BounceEvent, Cleaning
from cleaned.services.bounces import BounceInput, bounces_apply
from cleaned.webhooks import anymail_tracking
from contacts_app.models import AuditEvent, Contact, ListMembership
from contacts_app.services.archive import contacts_archive

from .factories import make_contact, make_list, make_member, subscribe
from .test_bounces import event, post_signed

pytestmark = pytest.mark.django_db
NOW = timezone.now().replace(microsecond=0)


def status_of(contact):
    contact.refresh_from_db()
    return contact.email_status


@pytest.mark.parametrize(
    "label, code, expected_class, cleans",
    [
        ("soft", "5.1.1", "address_gone", True),  # the evidence wins over a soft label
        ("hard", "5.1.10", "address_gone", True),  # null MX
        ("hard", "5.2.1", "address_gone", True),  # mailbox disabled
        ("hard", "5.2.2", "mailbox_full", False),
        ("hard", "4.2.2", "mailbox_full", False),
        ("hard", "5.7.1", "blocked", False),  # policy / reputation block: never cleans at once
        ("hard", "5.7.26", "blocked", False),
        ("hard", "4.4.1", "temporary", False),
        ("hard", "", "undetermined", True),  # no code: the label keeps its meaning
        ("soft", "", "undetermined", False),
        ("hard", "5.3.4", "undetermined", True),  # a code outside the table: the label decides
    ],
)
def test_c7_signed_webhook_events_are_classified_by_their_code(client, workspace, label, code, expected_class, cleans):
    c = make_contact(workspace, email="x@example.com")
    ev = {**event(1, c.email, label), **({"code": code, "diagnostic": f"550 {code} said the server"} if code else {})}
    assert post_signed(client, workspace, {"events": [ev]}).status_code == 202
    stored = BounceEvent.objects.get(contact=c)
    assert stored.bounce_class == expected_class and stored.code == code and stored.source == "signed"
    assert stored.reported_as == label
    assert (status_of(c) == "cleaned") is cleans


def test_c7_a_code_written_only_in_the_diagnostic_is_read(client, workspace):
    c = make_contact(workspace, email="x@example.com")
    ev = {
        **event(1, c.email, "soft"),
        "diagnostic": "smtp; 550 5.1.1 <x@example.com>: Recipient address rejected: User unknown",
    }
    post_signed(client, workspace, {"events": [ev]})
    assert BounceEvent.objects.get(contact=c).code == "5.1.1" and status_of(c) == "cleaned"


def test_c7_blocked_bounces_count_toward_the_streak_and_clean_only_at_the_threshold(client, workspace):
    workspace.soft_bounce_threshold = 3
    workspace.save()
    c = make_contact(workspace, email="x@example.com")
    for i in range(2):
        post_signed(client, workspace, {"events": [{**event(i, c.email, "hard", minutes=i), "code": "5.7.1"}]})
    assert status_of(c) == "ok"
    post_signed(client, workspace, {"events": [{**event(9, c.email, "hard", minutes=9), "code": "5.7.1"}]})
    assert status_of(c) == "cleaned"
    cleaning = Cleaning.objects.get(contact=c)
    assert cleaning.bounce_class == "blocked" and cleaning.code == "5.7.1"


def _ses(bounce_type, subtype, status, diagnostic, email="x@example.com"):
    ses_event = {
        "eventType": "Bounce",
        "mail": {
            "messageId": "ses-1",
            "timestamp": NOW.isoformat(),
            "destination": [email],
            "tags": {},
            "headers": [{"name": "X-Metadata", "value": json.dumps({"workspace": "acme"})}],
        },
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": subtype,
            "feedbackId": f"fb-{subtype}",
            "timestamp": NOW.isoformat(),
            "bouncedRecipients": [{"emailAddress": email, "status": status, "diagnosticCode": diagnostic}],
        },
    }
    return AmazonSESTrackingWebhookView().esp_to_anymail_events(ses_event, {"MessageId": f"sns-{subtype}"})


def _postmark(kind, details, email="x@example.com"):
    return [
        PostmarkTrackingWebhookView().esp_to_anymail_event(
            {
                "RecordType": "Bounce",
                "Type": kind,
                "ID": hash(kind) & 0xFFFF,
                "Email": email,
                "Details": details,
                "Description": "The server was unable to deliver your message",
                "BouncedAt": NOW.isoformat(),
                "Metadata": {"workspace": "acme"},
            }
        )
    ]


def _sendgrid(kind, email="x@example.com", **fields):
    return [
        SendGridTrackingWebhookView().esp_to_anymail_event(
            {
                "event": kind,
                "email": email,
                "timestamp": int(NOW.timestamp()),
                "sg_event_id": f"sg-{kind}-{fields.get('status', '')}{fields.get('reason', '')}",
                "workspace": "acme",
                **fields,
            }
        )
    ]


def _mailgun(kind, severity, code, message, email="x@example.com", reason=None):
    data = {
        "event": kind,
        "severity": severity,
        "recipient": email,
        "timestamp": NOW.timestamp(),
        "user-variables": {"workspace": "acme"},
        "delivery-status": {"code": code, "message": message, "description": ""},
    }
    if reason:
        data["reason"] = reason
    return [
        MailgunTrackingWebhookView().esp_to_anymail_event(
            {"signature": {"token": f"mg-{kind}-{severity}-{code}"}, "event-data": data}
        )
    ]


@pytest.mark.parametrize(
    "provider, events, expected",  # expected: (class, cleaned) or None when not recorded
    [
        (
            "Amazon SES",
            lambda: _ses("Permanent", "General", "5.1.1", "smtp; 550 5.1.1 user unknown"),
            ("address_gone", True),
        ),
        ("Amazon SES", lambda: _ses("Transient", "MailboxFull", "", "smtp; 452 mailbox full"), ("mailbox_full", False)),
        (
            "Amazon SES",
            lambda: _ses("Permanent", "General", "5.7.1", "smtp; 550 5.7.1 blocked by Spamhaus"),
            ("blocked", False),
        ),
        (
            "Postmark",
            lambda: _postmark("HardBounce", "smtp;550 5.1.1 The email account that you tried to reach does not exist"),
            ("address_gone", True),
        ),
        ("Postmark", lambda: _postmark("SoftBounce", "smtp;421 4.2.0 try again later"), ("temporary", False)),
        (
            "SendGrid",
            lambda: _sendgrid("bounce", status="5.7.1", reason="550 5.7.1 Message rejected due to policy"),
            ("blocked", False),
        ),
        (
            "SendGrid",
            lambda: _sendgrid("bounce", status="5.1.1", reason="550 5.1.1 No such user"),
            ("address_gone", True),
        ),
        ("SendGrid", lambda: _sendgrid("deferred", response="451 4.7.1 greylisted"), None),  # still retrying
        ("SendGrid", lambda: _sendgrid("dropped", reason="Unsubscribed Address"), None),  # rejected: unsubscribed
        ("SendGrid", lambda: _sendgrid("dropped", reason="Invalid"), ("address_gone", True)),  # rejected: invalid
        (
            "SendGrid",
            lambda: _sendgrid("dropped", reason="Bounced Address"),
            ("undetermined", True),
        ),  # rejected: bounced before
        (
            "Mailgun",
            lambda: _mailgun("failed", "permanent", 550, "5.1.1 The email account does not exist"),
            ("address_gone", True),
        ),
        ("Mailgun", lambda: _mailgun("failed", "temporary", 452, "4.2.2 Mailbox full"), None),  # deferred by severity
        ("Mailgun", lambda: _mailgun("failed", "permanent", 550, "5.2.2 mailbox full"), ("mailbox_full", False)),
    ],
)
def test_c7_each_providers_payload_is_classified_by_its_evidence(workspace, provider, events, expected):
    workspace.slug = "acme"
    workspace.save()
    c = make_contact(workspace, email="x@example.com")
    for e in events():
        anymail_tracking(sender=None, event=e, esp_name=provider)
    stored = list(BounceEvent.objects.filter(contact=c))
    if expected is None:
        assert stored == [] and status_of(c) == "ok"
        c.refresh_from_db()
        assert c.bounce_count == 0 and c.soft_bounce_streak == 0
        return
    assert len(stored) == 1 and stored[0].source == "provider"
    assert stored[0].bounce_class == expected[0], stored[0].diagnostic
    assert (status_of(c) == "cleaned") is expected[1]


def test_c7_anymail_deferred_never_counts_toward_cleaning(workspace):
    workspace.slug = "acme"
    workspace.save()
    workspace.soft_bounce_threshold = 1
    workspace.save()
    c = make_contact(workspace, email="x@example.com")
    for i in range(5):
        for e in _sendgrid("deferred", response=f"451 4.7.1 try {i}"):
            e.event_id = f"d{i}"
            anymail_tracking(sender=None, event=e, esp_name="SendGrid")
    c.refresh_from_db()
    assert c.email_status == "ok" and c.soft_bounce_streak == 0 and not BounceEvent.objects.exists()


def test_c7_import_file_columns_carry_code_and_diagnostic(workspace, tmp_path):
    from django.core.management import call_command

    c = make_contact(workspace, email="x@example.com")
    f = tmp_path / "b.csv"
    f.write_text(
        "id,email,type,occurred_at,reason,code,diagnostic\n"
        f"1,x@example.com,hard,{NOW.isoformat()},,5.7.1,550 5.7.1 listed on a blocklist\n"
    )
    call_command("import_bounces", str(f), workspace=workspace.slug)
    e = BounceEvent.objects.get(contact=c)
    assert (e.code, e.bounce_class, e.source, e.diagnostic) == (
        "5.7.1",
        "blocked",
        "file",
        "550 5.7.1 listed on a blocklist",
    )
    assert status_of(c) == "ok"


def test_c7_classification_table_in_one_function():
    assert bounce_classify(label="delivered", code="5.1.1") == ("delivered", "delivered")
    assert bounce_classify(label="soft", code="5.1.2") == ("address_gone", "hard")


# --- C8: un-clean one contact -------------------------------------------------------


@pytest.fixture
def cleaned_jane(client, workspace):
    jane = make_contact(workspace, email="jane@example.com")
    lists = [make_list(workspace, n) for n in ("News", "Promo", "Pending")]
    for ml, status in zip(lists, ("subscribed", "unsubscribed", "unconfirmed"), strict=True):
        subscribe(jane, ml, status)
    ev = {**event(1, jane.email, "hard"), "code": "5.1.1", "diagnostic": "550 5.1.1 user unknown"}
    post_signed(client, workspace, {"events": [ev]})
    assert status_of(jane) == "cleaned"
    assert set(ListMembership.objects.filter(contact=jane).values_list("status", flat=True)) == {"bounced"}
    return jane, lists


def test_c8_unclean_gives_each_list_back_the_status_it_had_and_is_audited(admin_client, workspace, cleaned_jane):
    jane, lists = cleaned_jane
    jane.soft_bounce_streak = 4
    jane.save()
    response = admin_client.post(
        reverse("cleaned:unclean", args=[workspace.slug, jane.id]), {"reason": "She wrote back from it"}
    )
    assert response.status_code == 302
    jane.refresh_from_db()
    assert jane.email_status == "ok" and jane.soft_bounce_streak == 0 and jane.cleaned_at is None
    assert dict(ListMembership.objects.filter(contact=jane).values_list("mailing_list__name", "status")) == {
        "News": "subscribed",
        "Promo": "unsubscribed",
        "Pending": "unconfirmed",
    }
    audit = AuditEvent.objects.get(action="unclean")
    assert (
        audit.contact_ids == [jane.id] and audit.details["reason"] == "She wrote back from it" and audit.actor.username
    )
    cleaning = Cleaning.objects.get(contact=jane)
    assert cleaning.undone_at and cleaning.undo_reason == "She wrote back from it"


def test_c8_unclean_survives_an_archive_and_restore_in_between(admin_client, workspace, cleaned_jane):
    from .restore_helpers import restore_now

    jane, _ = cleaned_jane
    contacts_archive(workspace=workspace, contact_ids=[jane.id], now=timezone.now() - timedelta(days=40))
    restore_now(workspace, [jane])
    assert set(ListMembership.objects.filter(contact=jane).values_list("status", flat=True)) == {"bounced"}
    admin_client.post(reverse("cleaned:unclean", args=[workspace.slug, jane.id]), {"reason": "ok"})
    assert (
        dict(ListMembership.objects.filter(contact=jane).values_list("mailing_list__name", "status"))["Promo"]
        == "unsubscribed"
    )


def test_c8_unclean_needs_a_reason_and_changes_nothing_without_one(admin_client, workspace, cleaned_jane):
    jane, _ = cleaned_jane
    response = admin_client.post(reverse("cleaned:unclean", args=[workspace.slug, jane.id]), {"reason": "   "})
    assert response.status_code == 400 and "Say why" in response.content.decode()
    assert status_of(jane) == "cleaned" and not AuditEvent.objects.filter(action="unclean").exists()


def test_c8_s1_s2_members_and_other_workspaces_cannot_unclean(member_client, workspace, other_workspace, cleaned_jane):
    jane, _ = cleaned_jane
    assert (
        member_client.post(reverse("cleaned:unclean", args=[workspace.slug, jane.id]), {"reason": "x"}).status_code
        == 403
    )
    outsider = Client()
    outsider.force_login(make_member(other_workspace))
    assert (
        outsider.post(reverse("cleaned:unclean", args=[other_workspace.slug, jane.id]), {"reason": "x"}).status_code
        == 404
    )
    assert status_of(jane) == "cleaned"


def test_c7_contact_page_shows_why_the_address_was_cleaned(admin_client, member_client, workspace, cleaned_jane):
    jane, _ = cleaned_jane
    page = admin_client.get(reverse("contacts:detail", args=[workspace.slug, jane.id])).content.decode()
    assert "Why cleaned" in page and "5.1.1" in page and "550 5.1.1 user unknown" in page and "Address gone" in page
    assert 'id="unclean-submit"' in page
    assert (
        'id="unclean-submit"'
        not in member_client.get(reverse("contacts:detail", args=[workspace.slug, jane.id])).content.decode()
    )


def test_c8_api_unclean(workspace, cleaned_jane, admin_user, member_user):
    from contacts_app.api.auth import api_token_create

    jane, _ = cleaned_jane
    c = Client()
    admin = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(workspace=workspace, user=admin_user)}"}
    member = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(workspace=workspace, user=member_user)}"}
    url = f"/api/v1/contacts/{jane.id}/unclean"
    assert c.post(url, {"reason": "x"}, content_type="application/json", **member).status_code == 403
    r = c.post(url, {"reason": ""}, content_type="application/json", **admin)
    assert r.status_code == 400 and r.json()["error"]
    r = c.post(url, {"reason": "confirmed by phone"}, content_type="application/json", **admin)
    assert r.status_code == 200 and r.json()["email_status"] == "ok"
    r = c.post(url, {"reason": "again"}, content_type="application/json", **admin)
    assert r.status_code == 409 and r.json()["error"] == "not_cleaned"
    assert (
        c.post("/api/v1/contacts/999999/unclean", {"reason": "x"}, content_type="application/json", **admin).status_code
        == 404
    )


def test_c1_cleaning_by_the_service_records_prior_statuses_once(workspace):
    c = make_contact(workspace, email="y@example.com")
    subscribe(c, make_list(workspace), "unsubscribed")
    hard = BounceInput(event_id="e1", email=c.email, type="hard", occurred_at=NOW, code="5.1.1")
    bounces_apply(workspace=workspace, provider="test", events=[hard])
    bounces_apply(
        workspace=workspace,
        provider="test",
        events=[BounceInput(event_id="e2", email=c.email, type="hard", occurred_at=NOW)],
    )
    cleaning = Cleaning.objects.get(contact=c)  # cleaned once; a second hard bounce is history, not a second cleaning
    assert list(cleaning.memberships.values_list("status", flat=True)) == ["unsubscribed"]
    assert Contact.objects.get(id=c.id).bounce_count == 2
