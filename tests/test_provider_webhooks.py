"""S4/S5 for the provider bounce webhooks (django-anymail): with valid credentials, a
body that is not the provider's shape is 400 and changes nothing; inside a readable
body each event is read alone, a bad one refused alone (named in the answer) and the
good ones applied once; never a 500. Then a property-based fuzzer over every
configured provider's payload, broken field by field."""

import base64
import copy
import itertools
import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaned.models import BounceEvent
from contacts_app.models import Contact

from . import provider_payloads as pp
from .factories import make_contact

PROVIDERS = list(pp.BUILDERS)


@pytest.fixture
def jane(workspace):
    return make_contact(workspace, email="jane@example.com", first_name="Jane")


def cleaned(contact) -> bool:
    contact.refresh_from_db()
    return contact.email_status == "cleaned"


def assert_pages_work(admin_client, workspace, contact):
    assert admin_client.get(reverse("cleaned:list", args=[workspace.slug])).status_code == 200
    assert admin_client.get(reverse("contacts:detail", args=[workspace.slug, contact.id])).status_code == 200


@pytest.mark.parametrize("provider", PROVIDERS)
def test_c1_each_configured_providers_bounce_cleans_and_says_so(client, workspace, jane, provider):
    response = pp.post(client, provider, pp.BUILDERS[provider](jane.email, workspace.slug))
    assert response.status_code == 200, response.content
    assert response.json() == {"accepted": 1, "duplicates": 0, "suppressed": 0, "ignored": 0, "refused": []}
    assert cleaned(jane)


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


MALFORMED = [
    ("postmark: not JSON", "postmark", b"{not json"),
    ("postmark: a list body", "postmark", b"[]"),
    ("postmark: not UTF-8", "postmark", b'{"Email": "\xff\xfe"}'),
    ("postmark: JSON nested past the limit", "postmark", _deep(100_000).encode()),
    ("sendgrid: an object body", "sendgrid", b'{"email": "a@example.com"}'),
    ("sendgrid: not JSON", "sendgrid", b"nope"),
    ("amazon_ses: not SNS (a list)", "amazon_ses", b"[1, 2]"),
    ("amazon_ses: not JSON", "amazon_ses", b"Type=Notification"),
    ("mailgun: a list body", "mailgun", b"[]"),
    ("mailgun: signature block as a string", "mailgun", b'{"signature": "x", "event-data": {}}'),
    ("brevo: a number", "brevo", b"42"),
    ("postmark: not JSON, sent as text", "postmark", b"Email=jane@example.com"),
]


@pytest.mark.parametrize("label, provider, raw", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_s4_a_body_that_is_not_the_providers_shape_is_400_and_changes_nothing(
    client, workspace, jane, label, provider, raw
):
    content_type = "text/plain" if label.endswith("sent as text") else None
    response = pp.post(client, provider, {"MessageId": "m"}, raw=raw, content_type=content_type)
    assert response.status_code == 400, response.content
    if response["Content-Type"].startswith("application/json"):
        assert response.json()["error"] == "malformed_payload"
    assert not BounceEvent.objects.exists() and not cleaned(jane)


def _postmark(**changes):
    return lambda jane, slug: {**pp.postmark(jane.email, slug), **changes}


def _ses(change):
    def build(jane, slug):
        event = pp.ses_event(jane.email, slug)
        change(event)
        return {"Type": "Notification", "MessageId": "sns-1", "Message": json.dumps(event)}

    return build


BAD_EVENTS = [
    ("Metadata as a string", "postmark", _postmark(Metadata="acme")),
    ("a NUL in the workspace tag", "postmark", _postmark(Metadata={"workspace": "ac\x00me"})),
    ("a 255-character recipient", "postmark", _postmark(Email="a" * 243 + "@example.com")),
    ("a numeric recipient", "postmark", _postmark(Email=12345)),
    ("a recipient that is not an address", "postmark", _postmark(Email="jane")),
    ("Details as a list", "postmark", _postmark(Details=["smtp;550 5.1.1"])),
    ("BouncedAt as a number", "postmark", _postmark(BouncedAt=1795000000)),
    ("BouncedAt in the year 10000", "postmark", _postmark(BouncedAt="9999-12-31T23:59:59-14:00")),
    ("BouncedAt before 1970", "postmark", _postmark(BouncedAt="0001-01-01T00:00:00+14:00")),
    (
        "SendGrid timestamp 1e20",
        "sendgrid",
        lambda jane, slug: [{**pp.sendgrid_event(jane.email, slug), "timestamp": 1e20}],
    ),
    ("SendGrid event without a type", "sendgrid", lambda jane, slug: [{"email": jane.email, "workspace": slug}]),
    ("SendGrid event that is a string", "sendgrid", lambda jane, slug: ["bounce"]),
    (
        "Mailgun user-variables as a string",
        "mailgun",
        lambda jane, slug: {
            "event-data": {**pp.mailgun(jane.email, slug)["event-data"], "user-variables": "workspace=acme"}
        },
    ),
    (
        "Mailgun recipient as a list",
        "mailgun",
        lambda jane, slug: {"event-data": {**pp.mailgun(jane.email, slug)["event-data"], "recipient": [jane.email]}},
    ),
    ("SES Message that is not JSON", "amazon_ses", lambda jane, slug: {"Type": "Notification", "MessageId": "s"}),
    ("SES bounce as a list", "amazon_ses", _ses(lambda e: e.update(bounce=[1]))),
    (
        "SES inbound notification on the tracking address",
        "amazon_ses",
        lambda jane, slug: {
            "Type": "Notification",
            "MessageId": "m",
            "Message": json.dumps({"notificationType": "Received", "mail": {}}),
        },
    ),
    ("SES metadata header that is a list", "amazon_ses", _ses(lambda e: e["mail"]["headers"][0].update(value="[1]"))),
    ("Brevo ts_epoch of 1e20", "brevo", lambda jane, slug: {**pp.brevo(jane.email, slug), "ts_epoch": 1e20}),
    (
        "Brevo ts_epoch as text",
        "brevo",
        lambda jane, slug: {**pp.brevo(jane.email, slug), "ts_epoch": "soon"},
    ),
]


@pytest.mark.parametrize("label, provider, build", BAD_EVENTS, ids=[b[0] for b in BAD_EVENTS])
def test_s4_a_bad_provider_event_is_refused_alone_with_its_reason_and_the_pages_still_work(
    client, admin_client, workspace, jane, label, provider, build
):
    response = pp.post(client, provider, build(jane, workspace.slug))
    assert response.status_code == 200, response.content  # answered: redelivering could not make it valid
    outcome = response.json()
    assert outcome["accepted"] == 0 and [r["index"] for r in outcome["refused"]] == [0], outcome
    assert outcome["refused"][0]["detail"]
    assert not BounceEvent.objects.exists() and not cleaned(jane)
    assert_pages_work(admin_client, workspace, jane)


def test_s4_a_sendgrid_batch_good_bad_good_applies_the_good_ones_once_and_names_the_bad_one(client, workspace, jane):
    john = make_contact(workspace, email="john@example.com")
    batch = [
        pp.sendgrid_event(jane.email, workspace.slug, 1),
        {**pp.sendgrid_event("x@example.com", workspace.slug, 2), "email": 42},
        pp.sendgrid_event(john.email, workspace.slug, 3),
    ]
    for delivery in range(3):  # SendGrid redelivers a batch it thinks failed
        response = pp.post(client, "sendgrid", batch)
        assert response.status_code == 200
        outcome = response.json()
        assert (outcome["accepted"], outcome["duplicates"]) == ((2, 0) if delivery == 0 else (0, 2))
        assert [r["index"] for r in outcome["refused"]] == [1]
        assert "recipient" in outcome["refused"][0]["detail"]
    assert cleaned(jane) and cleaned(john)
    assert BounceEvent.objects.count() == 2
    jane.refresh_from_db()
    assert jane.bounce_count == 1  # applied once, then a duplicate on each redelivery


def test_s5_a_malformed_body_without_credentials_is_refused_before_it_is_read(client, workspace, jane):
    response = client.post("/webhooks/anymail/postmark/tracking/", "{not json", content_type="application/json")
    assert response.status_code == 400 and not BounceEvent.objects.exists()


# --- The provider fuzzer: each provider's payload broken in each field ---------------

HOSTILE = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            0,
            -1,
            2**70,
            1e20,
            -1e20,
            float("nan"),
            "",
            "\x00",
            "\x1b[31m",
            "\ud800",
            "١٢",
            "²",
            "a" * 5000,
            "9999-12-31T23:59:59-14:00",
            "0001-01-01T00:00:00Z",
            "1969-12-31",
            "<script>alert(1)</script>",
            "x@" + "a" * 300 + ".com",
            "jane@example.com\x00",
            [],
            {},
            [[[[[[[[[[1]]]]]]]]]],
            {"workspace": None},
            "acme",
        ]
    ),
    st.text(max_size=40),
    st.integers(),
    st.floats(allow_nan=False),
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _broken(node, path, value, *, delete: bool):
    if not path:
        return value
    node = copy.deepcopy(node)
    parent = node
    for step in path[:-1]:
        parent = parent[step]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return node


_serial = itertools.count(1)


@pytest.mark.parametrize("provider", PROVIDERS)
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_s4_provider_fuzzer_never_500_and_a_refused_event_changes_nothing(
    client, admin_client, workspace, jane, provider, data
):
    n = next(_serial)
    inner = pp.ses_event(jane.email, workspace.slug, n) if provider == "amazon_ses" else None
    template = inner if inner is not None else pp.BUILDERS[provider](jane.email, workspace.slug, n)
    path = data.draw(st.sampled_from(list(_paths(template))), label="field")
    value = data.draw(HOSTILE, label="value")
    broken = _broken(template, path, value, delete=data.draw(st.booleans(), label="delete"))
    if inner is not None:
        broken = {"Type": "Notification", "MessageId": f"sns-{n}", "Message": json.dumps(broken)}
    before_events = BounceEvent.objects.count()
    before = Contact.objects.filter(workspace=workspace).values_list("id", "email_status", "bounce_count")
    before = set(before)

    response = pp.post(client, provider, broken)

    assert response.status_code in (200, 400), (response.status_code, response.content[:500])
    outcome = response.json()
    if response.status_code == 400:
        assert outcome["error"] in ("malformed_payload",), outcome
    accepted = outcome.get("accepted", 0)
    assert BounceEvent.objects.count() - before_events <= accepted
    if accepted == 0:  # refused or ignored: nothing changed
        assert BounceEvent.objects.count() == before_events
        assert set(Contact.objects.filter(workspace=workspace).values_list("id", "email_status", "bounce_count")) == (
            before
        )
    else:
        assert_pages_work(admin_client, workspace, jane)


def test_c1_an_ses_bounce_naming_several_recipients_cleans_each_of_them(client, workspace, jane):
    """anymail gives every recipient of one SNS message the same event id: recipients
    2…n were dropped as duplicates while the answer said they were accepted."""
    john = make_contact(workspace, email="john@example.com")
    event = pp.ses_event(jane.email, workspace.slug)
    event["bounce"]["bouncedRecipients"].append({"emailAddress": john.email, "status": "5.1.1"})
    event["mail"]["destination"].append(john.email)
    body = {"Type": "Notification", "MessageId": "sns-two", "Message": json.dumps(event)}
    assert pp.post(client, "amazon_ses", body).json()["accepted"] == 2
    assert cleaned(jane) and cleaned(john)
    assert pp.post(client, "amazon_ses", body).json() == {
        "accepted": 0,
        "duplicates": 2,
        "suppressed": 0,
        "ignored": 0,
        "refused": [],
    }


@pytest.mark.parametrize("offset", ["+16:00", "-23:59"])
def test_s4_an_offset_past_postgresqls_range_is_stored_in_utc_not_a_500(client, admin_client, workspace, jane, offset):
    body = {**pp.postmark(jane.email, workspace.slug), "BouncedAt": f"2026-06-01T00:00:00{offset}"}
    assert pp.post(client, "postmark", body).json()["accepted"] == 1
    event = BounceEvent.objects.get()
    assert event.occurred_at.utcoffset().total_seconds() == 0 or event.occurred_at.isoformat()
    assert_pages_work(admin_client, workspace, jane)


def test_s7_wrong_webhook_credentials_are_refused_for_a_while_after_twenty(client, workspace, jane, settings):
    settings.WEBHOOK_CREDENTIAL_FAILURES = 3
    wrong = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"guess:guess").decode()}
    body = json.dumps(pp.postmark(jane.email, workspace.slug))
    answers = [
        client.post("/webhooks/anymail/postmark/tracking/", body, content_type="application/json", **wrong)
        for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [400, 400, 400, 429]
    assert answers[0].json()["error"] == "invalid_credentials"
    assert pp.post(client, "postmark", json.loads(body)).status_code == 429  # even the right ones, for a minute
    assert not BounceEvent.objects.exists()


def test_s7_a_bad_body_with_the_right_credentials_is_not_a_credential_guess(client, workspace, jane, settings):
    """Mailgun bodies that fail Mailgun's own check, sent with the right basic auth, were
    counted as wrong credentials and locked the address out of every provider."""
    settings.WEBHOOK_CREDENTIAL_FAILURES = 2
    for _ in range(4):
        response = pp.post(client, "mailgun", None, raw=b"not json")
        assert response.status_code == 400 and response.json()["error"] == "invalid_signature"
    assert pp.post(client, "postmark", pp.postmark(jane.email, workspace.slug)).status_code == 200


def test_c1_ses_recipients_with_long_addresses_sharing_a_prefix_are_each_cleaned(client, workspace):
    stem = "a" * 160
    first = make_contact(workspace, email=f"{stem}1@example.com")
    second = make_contact(workspace, email=f"{stem}2@example.com")
    event = pp.ses_event(first.email, workspace.slug)
    event["bounce"]["bouncedRecipients"].append({"emailAddress": second.email, "status": "5.1.1"})
    body = {"Type": "Notification", "MessageId": "sns-long", "Message": json.dumps(event)}
    assert pp.post(client, "amazon_ses", body).json()["accepted"] == 2
    assert cleaned(first) and cleaned(second)
