"""C1, C3, S5: bounce ingestion from every source through one service."""

import base64
import hashlib
import hmac
import json
import time
import types
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cleaned.models import BounceEvent
from cleaned.signing import sign
from contacts_app import selectors
from contacts_app.models import AuditEvent, Contact, ListMembership

from .factories import make_contact, make_list, subscribe

pytestmark = pytest.mark.django_db
T0 = timezone.now() - timedelta(hours=1)


def event(i, email, kind, minutes=0, reason="mailbox full"):
    return {
        "id": f"evt-{i}",
        "email": email,
        "type": kind,
        "occurred_at": (T0 + timedelta(minutes=minutes)).isoformat(),
        "reason": reason,
    }


def post_signed(client, workspace, payload, *, timestamp=None, secret=None, raw=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    ts = str(timestamp if timestamp is not None else int(time.time()))
    return client.post(
        "/api/v1/bounces",
        body,
        content_type="application/json",
        HTTP_X_WORKSPACE=workspace.slug,
        HTTP_X_TIMESTAMP=ts,
        HTTP_X_SIGNATURE=sign(secret=secret or workspace.webhook_secret, timestamp=ts, body=body),
    )


@pytest.fixture
def jane(workspace):
    c = make_contact(workspace, email="jane@example.com")
    subscribe(c, make_list(workspace), "subscribed")
    subscribe(c, make_list(workspace), "unsubscribed")
    return c


def test_c1_hard_bounce_cleans_at_once_and_bounces_every_membership(client, workspace, jane):
    response = post_signed(
        client, workspace, {"events": [event(1, "JANE@example.com", "hard", reason="550 no such user")]}
    )
    assert response.status_code == 202 and response.json() == {"accepted": 1, "duplicates": 0, "suppressed": 0}
    jane.refresh_from_db()
    assert jane.email_status == "cleaned" and jane.cleaned_reason == "550 no such user" and jane.cleaned_at is not None
    assert set(ListMembership.objects.filter(contact=jane).values_list("status", flat=True)) == {"bounced"}
    assert AuditEvent.objects.filter(action="clean", contact_ids=[jane.id]).exists()


def test_c1_soft_bounces_clean_after_seven_in_a_row_without_engagement(client, workspace, jane):
    post_signed(client, workspace, {"events": [event(i, jane.email, "soft", i) for i in range(6)]})
    jane.refresh_from_db()
    assert jane.email_status == "ok" and jane.soft_bounce_streak == 6
    post_signed(client, workspace, {"events": [event(7, jane.email, "soft", 7)]})
    jane.refresh_from_db()
    assert jane.email_status == "cleaned"


def test_c1_engaged_address_needs_fifteen_and_the_workspace_can_choose(client, workspace, jane):
    Contact.objects.filter(id=jane.id).update(last_engaged_at=T0 - timedelta(days=3))
    post_signed(client, workspace, {"events": [event(i, jane.email, "soft", i) for i in range(14)]})
    jane.refresh_from_db()
    assert jane.email_status == "ok"
    post_signed(client, workspace, {"events": [event(99, jane.email, "soft", 99)]})
    jane.refresh_from_db()
    assert jane.email_status == "cleaned"

    other = make_contact(workspace, email="other@example.com")
    workspace.soft_bounce_threshold = 2
    workspace.save()
    post_signed(client, workspace, {"events": [event(200 + i, other.email, "soft", i) for i in range(2)]})
    other.refresh_from_db()
    assert other.email_status == "cleaned"


def test_c1_a_delivery_resets_the_consecutive_soft_bounce_count(client, workspace, jane):
    events = [event(i, jane.email, "soft", i) for i in range(6)] + [event(6, jane.email, "delivered", 6)]
    events += [event(10 + i, jane.email, "soft", 10 + i) for i in range(6)]
    post_signed(client, workspace, {"events": events})
    jane.refresh_from_db()
    assert jane.email_status == "ok" and jane.soft_bounce_streak == 6 and jane.bounce_count == 12


def test_c1_duplicate_events_are_ignored(client, workspace, jane):
    batch = {"events": [event(i, jane.email, "soft", i) for i in range(4)]}
    assert post_signed(client, workspace, batch).json() == {"accepted": 4, "duplicates": 0, "suppressed": 0}
    assert post_signed(client, workspace, batch).json() == {"accepted": 0, "duplicates": 4, "suppressed": 0}
    jane.refresh_from_db()
    assert jane.soft_bounce_streak == 4 and BounceEvent.objects.count() == 4


def test_c3_cleaned_contacts_are_not_billed(client, workspace, jane):
    before = selectors.billable_count(workspace=workspace)
    post_signed(client, workspace, {"events": [event(1, jane.email, "hard")]})
    assert selectors.billable_count(workspace=workspace) == before - 1


@pytest.mark.parametrize(
    "tamper",
    ["wrong_secret", "missing_signature", "old_timestamp", "future_timestamp", "unknown_workspace", "body_changed"],
)
def test_s5_unauthenticated_or_replayed_webhooks_are_401_and_change_nothing(
    client, workspace, jane, tamper, monkeypatch
):
    # The server's clock is held still, so "301 s away" stays 301 s away however slow the run is.
    now = int(time.time())
    monkeypatch.setattr("cleaned.signing.time", types.SimpleNamespace(time=lambda: float(now)))
    payload = {"events": [event(1, jane.email, "hard")]}
    body = json.dumps(payload).encode()
    ts = str(now)
    headers = {
        "HTTP_X_WORKSPACE": workspace.slug,
        "HTTP_X_TIMESTAMP": ts,
        "HTTP_X_SIGNATURE": sign(secret=workspace.webhook_secret, timestamp=ts, body=body),
    }
    if tamper == "wrong_secret":
        headers["HTTP_X_SIGNATURE"] = sign(secret="nope", timestamp=ts, body=body)
    elif tamper == "missing_signature":
        del headers["HTTP_X_SIGNATURE"]
    elif tamper in ("old_timestamp", "future_timestamp"):
        stale = str(now + (-301 if tamper == "old_timestamp" else 301))
        headers.update(
            HTTP_X_TIMESTAMP=stale, HTTP_X_SIGNATURE=sign(secret=workspace.webhook_secret, timestamp=stale, body=body)
        )
    elif tamper == "unknown_workspace":
        headers["HTTP_X_WORKSPACE"] = "nobody"
    elif tamper == "body_changed":
        body = body.replace(b"hard", b"soft")
    response = client.post("/api/v1/bounces", body, content_type="application/json", **headers)
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"
    jane.refresh_from_db()
    assert jane.email_status == "ok" and not BounceEvent.objects.exists()


@pytest.mark.parametrize("offset", [-300, 300])
def test_s5_a_timestamp_at_the_edge_of_the_window_is_accepted(client, workspace, jane, offset, monkeypatch):
    now = int(time.time())
    monkeypatch.setattr("cleaned.signing.time", types.SimpleNamespace(time=lambda: float(now)))
    body = json.dumps({"events": [event(1, jane.email, "hard")]}).encode()
    ts = str(now + offset)
    response = client.post(
        "/api/v1/bounces",
        body,
        content_type="application/json",
        HTTP_X_WORKSPACE=workspace.slug,
        HTTP_X_TIMESTAMP=ts,
        HTTP_X_SIGNATURE=sign(secret=workspace.webhook_secret, timestamp=ts, body=body),
    )
    assert response.status_code == 202 and response.json()["accepted"] == 1


@pytest.mark.parametrize(
    "payload",
    [
        {
            "events": [
                event(1, "jane@example.com", "hard"),
                {"id": "x", "email": "jane@example.com", "type": "hard", "occurred_at": "yesterday"},
            ]
        },
        {"events": [event(1, "jane@example.com", "hard"), event(2, "jane@example.com", "exploded")]},
        {"events": []},
        {"evts": []},
        [1, 2],
    ],
)
def test_s5_malformed_payloads_are_400_with_no_partial_write(client, workspace, jane, payload):
    response = post_signed(client, workspace, payload)
    assert response.status_code == 400 and response.json()["detail"]
    jane.refresh_from_db()
    assert jane.email_status == "ok" and not BounceEvent.objects.exists()


def test_s5_non_json_body_is_400(client, workspace):
    assert post_signed(client, workspace, None, raw=b"not json").status_code == 400


def test_s2_a_bounce_never_cleans_another_workspaces_contact(client, workspace, other_workspace):
    theirs = make_contact(other_workspace, email="shared@example.com")
    mine = make_contact(workspace, email="shared@example.com")
    post_signed(client, workspace, {"events": [event(1, "shared@example.com", "hard")]})
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert mine.email_status == "cleaned" and theirs.email_status == "ok"


def test_c1_import_bounces_command_reads_csv_and_jsonl(tmp_path, workspace, jane, capsys):
    other = make_contact(workspace, email="other@example.com")
    csv_file = tmp_path / "bounces.csv"
    csv_file.write_text(f"id,email,type,occurred_at,reason\nf-1,{jane.email},hard,{T0.isoformat()},550 gone\n")
    jsonl = tmp_path / "bounces.jsonl"
    jsonl.write_text("\n".join(json.dumps(event(f"j{i}", other.email, "soft", i)) for i in range(7)) + "\n")
    call_command("import_bounces", str(csv_file), workspace=workspace.slug)
    call_command("import_bounces", str(jsonl), workspace=workspace.slug)
    call_command("import_bounces", str(jsonl), workspace=workspace.slug)
    out = capsys.readouterr().out
    assert "0 events applied, 7 duplicates ignored" in out
    jane.refresh_from_db()
    other.refresh_from_db()
    assert jane.email_status == "cleaned" and other.email_status == "cleaned"
    bad = tmp_path / "bad.csv"
    bad.write_text("id,email,type,occurred_at,reason\nx,someone@example.com,weird,2026-01-01T00:00:00Z,\n")
    with pytest.raises(CommandError, match="must be one of hard, soft, delivered"):
        call_command("import_bounces", str(bad), workspace=workspace.slug)


# --- Real provider payloads through django-anymail's tracking webhooks ---------------

BASIC = "Basic " + base64.b64encode(settings.ANYMAIL["WEBHOOK_SECRET"].encode()).decode()


def test_c1_mailgun_signed_permanent_failure_cleans_the_contact(client, workspace, jane):
    ts, token = str(int(time.time())), "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(
        settings.ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"].encode(), (ts + token).encode(), hashlib.sha256
    ).hexdigest()
    payload = {
        "signature": {"timestamp": ts, "token": token, "signature": signature},
        "event-data": {
            "event": "failed",
            "severity": "permanent",
            "reason": "bounce",
            "id": "G9Bn5sl1TC6nu79C8C0bwg",
            "timestamp": time.time(),
            "recipient": jane.email,
            "user-variables": {"workspace": workspace.slug},
            "delivery-status": {
                "code": 550,
                "message": "No such user",
                "description": "550 5.1.1 The email account does not exist",
            },
            "message": {"headers": {"message-id": "20130503182626.18666.16540@example.com"}},
        },
    }
    response = client.post(
        "/webhooks/anymail/mailgun/tracking/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=BASIC,
    )
    assert response.status_code == 200
    jane.refresh_from_db()
    assert jane.email_status == "cleaned"


def test_c1_mailgun_with_a_bad_signature_is_refused(client, workspace, jane):
    payload = {
        "signature": {"timestamp": str(int(time.time())), "token": "t", "signature": "0" * 64},
        "event-data": {
            "event": "failed",
            "severity": "permanent",
            "recipient": jane.email,
            "user-variables": {"workspace": workspace.slug},
        },
    }
    response = client.post(
        "/webhooks/anymail/mailgun/tracking/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=BASIC,
    )
    assert response.status_code == 400  # basic auth is right; the Mailgun HMAC is not
    jane.refresh_from_db()
    assert jane.email_status == "ok"


def test_c1_postmark_hard_bounce_with_basic_auth_cleans_the_contact(client, workspace, jane):
    payload = {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Name": "Hard bounce",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Description": "The server was unable to deliver your message",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": jane.email,
        "From": "sender@example.com",
        "BouncedAt": "2026-11-20T16:09:19Z",
        "Metadata": {"workspace": workspace.slug},
    }
    assert client.post(
        "/webhooks/anymail/postmark/tracking/", json.dumps(payload), content_type="application/json"
    ).status_code in (400, 401, 403)
    jane.refresh_from_db()
    assert jane.email_status == "ok"  # no basic auth: refused
    response = client.post(
        "/webhooks/anymail/postmark/tracking/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=BASIC,
    )
    assert response.status_code == 200
    jane.refresh_from_db()
    assert jane.email_status == "cleaned"


def test_c1_sendgrid_bounce_with_basic_auth_cleans_the_contact(client, workspace, jane):
    import warnings

    payload = [
        {
            "email": jane.email,
            "timestamp": int(time.time()),
            "event": "bounce",
            "type": "bounce",
            "status": "5.1.1",
            "reason": "550 5.1.1 The email account that you tried to reach does not exist.",
            "sg_event_id": "ZGVsaXZlcmVkLTAtMjM3OTM4NDAtd",
            "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
            "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
            "workspace": workspace.slug,
        }
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # anymail warns that SendGrid support is community-maintained
        response = client.post(
            "/webhooks/anymail/sendgrid/tracking/",
            json.dumps(payload),
            content_type="application/json",
            HTTP_AUTHORIZATION=BASIC,
        )
    assert response.status_code == 200
    jane.refresh_from_db()
    assert jane.email_status == "cleaned"


def test_c1_amazon_ses_bounce_via_sns_with_basic_auth_cleans_the_contact(client, workspace, jane):
    ses_event = {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "feedbackId": "0100017d-bounce-feedback",
            "timestamp": "2026-11-20T16:09:19.000Z",
            "reportingMTA": "dsn; a8-30.smtp-out.amazonses.com",
            "bouncedRecipients": [
                {
                    "emailAddress": jane.email,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
        },
        "mail": {
            "timestamp": "2026-11-20T16:09:18.000Z",
            "source": "sender@example.com",
            "messageId": "0100017d-mail-id",
            "destination": [jane.email],
            "headersTruncated": False,
            "headers": [{"name": "X-Metadata", "value": json.dumps({"workspace": workspace.slug})}],
        },
    }
    sns = {
        "Type": "Notification",
        "MessageId": "19ba9823-d7f2-53c1-860e-cb10e0d13dfc",
        "TopicArn": "arn:aws:sns:us-east-1:111111111111:ses-events",
        "Message": json.dumps(ses_event),
        "Timestamp": "2026-11-20T16:09:19.000Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLE",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-example.pem",
    }
    response = client.post(
        "/webhooks/anymail/amazon_ses/tracking/",
        json.dumps(sns),
        content_type="text/plain; charset=UTF-8",
        HTTP_X_AMZ_SNS_MESSAGE_TYPE="Notification",
        HTTP_X_AMZ_SNS_MESSAGE_ID=sns["MessageId"],
        HTTP_AUTHORIZATION=BASIC,
    )
    assert response.status_code == 200, response.content
    jane.refresh_from_db()
    assert jane.email_status == "cleaned"


@pytest.mark.parametrize(
    "bounced_at", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1969-12-31T00:00:00Z"]
)
def test_s4_a_provider_event_with_an_impossible_date_is_ignored_and_the_pages_still_work(
    client, admin_client, workspace, jane, bounced_at
):
    """A Postmark bounce dated in the year 10000 used to be stored, and from then on the
    cleaned list, the contact's page and the API answered 500 (the product could not
    repair itself)."""
    from django.urls import reverse

    payload = {
        "RecordType": "Bounce",
        "ID": 77,
        "Type": "HardBounce",
        "MessageID": "m-far",
        "Details": "smtp;550 5.1.1 unknown",
        "Email": jane.email,
        "BouncedAt": bounced_at,
        "Metadata": {"workspace": workspace.slug},
    }
    response = client.post(
        "/webhooks/anymail/postmark/tracking/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=BASIC,
    )
    assert response.status_code == 200  # answered, so the provider does not retry it forever
    jane.refresh_from_db()
    assert jane.email_status == "ok" and not BounceEvent.objects.filter(email=jane.email).exists()
    assert admin_client.get(reverse("cleaned:list", args=[workspace.slug])).status_code == 200
    assert admin_client.get(reverse("contacts:detail", args=[workspace.slug, jane.id])).status_code == 200
