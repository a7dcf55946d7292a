"""Bounce payloads shaped like each configured provider's tracking webhook, with valid
credentials, and how to post them (used by the provider webhook tests and fuzzer)."""

import base64
import hashlib
import hmac
import json
import time
import warnings

from django.conf import settings

BASIC = "Basic " + base64.b64encode(settings.ANYMAIL["WEBHOOK_SECRET"].encode()).decode()
NOW = "2026-11-20T16:09:19Z"


def postmark(email: str, slug: str, n: int = 1) -> dict:
    return {
        "RecordType": "Bounce",
        "ID": 4000 + n,
        "Type": "HardBounce",
        "MessageID": f"pm-{n}",
        "Description": "The server was unable to deliver your message",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "BouncedAt": NOW,
        "Metadata": {"workspace": slug},
    }


def sendgrid_event(email: str, slug: str, n: int = 1) -> dict:
    return {
        "email": email,
        "timestamp": 1795000000 + n,
        "event": "bounce",
        "status": "5.1.1",
        "reason": "550 5.1.1 No such user",
        "sg_event_id": f"sg-{n}",
        "sg_message_id": f"sgm-{n}",
        "workspace": slug,
    }


def sendgrid(email: str, slug: str, n: int = 1) -> list:
    return [sendgrid_event(email, slug, n)]


def ses_event(email: str, slug: str, n: int = 1) -> dict:
    return {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "feedbackId": f"fb-{n}",
            "timestamp": NOW,
            "bouncedRecipients": [{"emailAddress": email, "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1"}],
        },
        "mail": {
            "timestamp": NOW,
            "messageId": f"ses-{n}",
            "destination": [email],
            "headers": [{"name": "X-Metadata", "value": json.dumps({"workspace": slug})}],
        },
    }


def ses(email: str, slug: str, n: int = 1) -> dict:
    return {"Type": "Notification", "MessageId": f"sns-{n}", "Message": json.dumps(ses_event(email, slug, n))}


def mailgun(email: str, slug: str, n: int = 1) -> dict:
    return {
        "event-data": {
            "event": "failed",
            "severity": "permanent",
            "reason": "bounce",
            "id": f"mg-{n}",
            "timestamp": 1795000000.0 + n,
            "recipient": email,
            "user-variables": {"workspace": slug},
            "delivery-status": {"code": 550, "message": "No such user", "description": "550 5.1.1 unknown"},
        },
    }


def brevo(email: str, slug: str, n: int = 1) -> dict:
    return {
        "event": "hard_bounce",
        "email": email,
        "id": 1,
        "date": "2026-11-20 17:09:19",
        "ts_epoch": (1795000000 + n) * 1000,
        "message-id": f"<br-{n}@smtp-relay.mailin.fr>",
        "reason": "550 5.1.1 unknown user",
        "X-Mailin-custom": json.dumps({"workspace": slug}),
    }


BUILDERS = {"postmark": postmark, "sendgrid": sendgrid, "amazon_ses": ses, "mailgun": mailgun, "brevo": brevo}


def _mailgun_signed(body: dict) -> dict:
    ts = str(int(time.time()))
    token = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    key = settings.ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"].encode()
    signature = hmac.new(key, (ts + token).encode(), hashlib.sha256).hexdigest()
    return {**body, "signature": {"timestamp": ts, "token": token, "signature": signature}}


def post(client, provider: str, body, *, raw: bytes | None = None, content_type: str | None = None):
    """POST a provider's payload with that provider's credentials (basic auth; the
    Mailgun HMAC; SES's SNS headers). `raw` sends bytes as they are."""
    headers = {"HTTP_AUTHORIZATION": BASIC}
    content_type_default = "application/json"
    if provider == "mailgun" and raw is None and isinstance(body, dict):
        body = _mailgun_signed(body)
    if provider == "amazon_ses":
        content_type_default = "text/plain; charset=UTF-8"
        headers["HTTP_X_AMZ_SNS_MESSAGE_TYPE"] = "Notification"
        message_id = body.get("MessageId") if isinstance(body, dict) else None
        headers["HTTP_X_AMZ_SNS_MESSAGE_ID"] = message_id if isinstance(message_id, str) else "none"
    data = raw if raw is not None else json.dumps(body)
    content_type = content_type or content_type_default
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # anymail warns that some providers are community-maintained
        return client.post(f"/webhooks/anymail/{provider}/tracking/", data, content_type=content_type, **headers)
