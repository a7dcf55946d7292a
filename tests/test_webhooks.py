"""W1–W4: outgoing webhooks, delivered to a real HTTP receiver (a thread in the test),
every delivery checked with the reference implementation (`standardwebhooks`)."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from contacts_app.lib.errors import InvalidInput
from contacts_app.models import Notice
from contacts_app.services import webhook_addresses
from contacts_app.services.webhook_addresses import url_problem
from contacts_app.services.webhook_delivery import RETRY_DELAYS, webhooks_relay
from contacts_app.services.webhooks import webhook_emit, webhook_endpoint_create, webhook_secret_rotate
from contacts_app.webhook_models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

from .factories import make_contact, make_contacts
from .restore_helpers import archive, restore_now, run_job_inline
from .test_api import api_token_create

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on 127.0.0.1 that records what it receives and answers the
    statuses it is given in turn (then 200)."""

    def __init__(self, *, delay: float = 0.0):
        self.received: list[tuple[dict, bytes]] = []
        self.answers: list[int] = []
        self.delay = delay
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver.answers.pop(0) if receiver.answers else 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except BrokenPipeError:  # the relay was killed while waiting for the answer
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self, type_: str | None = None) -> list[dict]:
        found = [json.loads(body) for _h, body in self.received]
        return [e for e in found if type_ is None or e["type"] == type_]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_HTTPS_ONLY = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on this machine
    r = Receiver()
    yield r
    r.close()


def api_as(workspace, user):
    token = api_token_create(workspace=workspace, user=user)
    client, auth = Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    class Api:
        def get(self, path):
            return client.get(f"/api/v1/{path}", **auth)

        def delete(self, path):
            return client.delete(f"/api/v1/{path}", **auth)

        def post(self, path, body=None):
            return client.post(f"/api/v1/{path}", json.dumps(body or {}), content_type="application/json", **auth)

        def patch(self, path, body):
            return client.patch(f"/api/v1/{path}", json.dumps(body), content_type="application/json", **auth)

    return Api()


@pytest.fixture
def endpoint(workspace, admin_user, receiver):
    return webhook_endpoint_create(workspace=workspace, actor=admin_user, url=receiver.url)


def test_w1_w3_a_restore_is_delivered_signed_and_the_reference_library_verifies_it(workspace, admin_user, receiver):
    admin = api_as(workspace, admin_user)
    answer = admin.post(
        "webhook-endpoints", {"url": receiver.url, "event_types": ["contact.restored"], "description": "warehouse"}
    )
    assert answer.status_code == 201 and answer.json()["secret"].startswith("whsec_")
    secret = answer.json()["secret"]
    assert "secret" not in admin.get(f"webhook-endpoints/{answer.json()['id']}").json()
    people = make_contacts(workspace, 3)
    archive(workspace, people, days=40)
    restore_now(workspace, people)
    assert webhooks_relay() == 1
    ((headers, body),) = receiver.received
    payload = Webhook(secret).verify(body, headers)  # raises if the signature is wrong
    assert payload["type"] == "contact.restored" and payload["data"]["source"] == "manual"
    assert sorted(payload["data"]["contacts"]) == sorted(c.id for c in people)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(body, headers)
    assert receiver.events("contact.archived") == []  # not subscribed


def test_w1_a_rotated_secret_and_the_previous_one_both_verify_for_a_day(workspace, admin_user, endpoint, receiver):
    old = endpoint.secret
    new = webhook_secret_rotate(endpoint=endpoint, actor=admin_user).secret
    archive(workspace, [make_contact(workspace)])
    webhooks_relay()
    ((headers, body),) = receiver.received
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)
    WebhookEndpoint.objects.filter(id=endpoint.id).update(previous_secret_expires_at=timezone.now())
    archive(workspace, [make_contact(workspace)])
    webhooks_relay()
    headers, body = receiver.received[1]
    Webhook(new).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(body, headers)


def test_w2_a_restore_job_of_5000_contacts_is_at_most_5_deliveries_holding_every_id_once(
    workspace, admin_user, endpoint, receiver, settings
):
    from restore.services.jobs import restore_job_create
    from restore.services.selection import selection_from_ids

    settings.JOB_CHUNK_SIZE = 1000
    people = make_contacts(workspace, 5000)
    archive(workspace, people, days=40)
    WebhookDelivery.objects.all().delete()
    receiver.received.clear()
    job = restore_job_create(
        selection=selection_from_ids(workspace=workspace, ids=[c.id for c in people]),
        actor=admin_user,
        confirm_overage=True,
    )
    run_job_inline(job)
    webhooks_relay()
    restored = receiver.events("contact.restored")
    assert 1 <= len(restored) <= 5
    ids = [i for e in restored for i in e["data"]["contacts"]]
    assert len(ids) == 5000 and set(ids) == {c.id for c in people}
    (finished,) = receiver.events("restore_job.finished")
    assert finished["data"]["number"] == job.number and finished["data"]["status"] == "succeeded"


def test_w3_a_rolled_back_archive_emits_nothing(workspace, endpoint, receiver):
    from contacts_app.services.archive import contacts_archive

    person = make_contact(workspace)
    with pytest.raises(RuntimeError), transaction.atomic():
        contacts_archive(workspace=workspace, contact_ids=[person.id])
        raise RuntimeError("the change fails after the archive")
    assert not WebhookEvent.objects.exists()
    webhooks_relay()
    assert receiver.received == []


def test_w3_a_receiver_answering_500_then_200_is_retried_with_backoff_and_delivered(workspace, endpoint, receiver):
    receiver.answers = [500]
    archive(workspace, [make_contact(workspace)])
    webhooks_relay()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.last_status_code == 500
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert RETRY_DELAYS[0].total_seconds() - 2 < wait <= RETRY_DELAYS[0].total_seconds()
    assert webhooks_relay() == 0  # not yet due
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())  # the backoff has passed
    webhooks_relay()
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 2
    assert [a.status_code for a in WebhookAttempt.objects.order_by("id")] == [500, 200]
    assert (
        len(receiver.received) == 2 and receiver.received[0][0]["webhook-id"] == receiver.received[1][0]["webhook-id"]
    )


def test_w3_a_410_disables_the_endpoint_and_the_admins_are_told(workspace, admin_user, endpoint, receiver):
    receiver.answers = [410]
    archive(workspace, [make_contact(workspace)])
    archive(workspace, [make_contact(workspace)])
    webhooks_relay()
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "410" in endpoint.disabled_reason
    assert len(receiver.received) == 1  # the second event was not sent to a disabled endpoint
    notice = Notice.objects.get(user=admin_user)
    assert endpoint.url in notice.message and "disabled" in notice.message


def test_w3_a_delivery_failing_for_three_days_disables_its_endpoint(workspace, admin_user, endpoint, receiver):
    receiver.answers = [503] * (len(RETRY_DELAYS) + 1)
    archive(workspace, [make_contact(workspace)])
    for _attempt in range(len(RETRY_DELAYS) + 1):
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        webhooks_relay()
    assert sum(RETRY_DELAYS, start=RETRY_DELAYS[0] * 0).total_seconds() / 86400 > 2.9
    delivery = WebhookDelivery.objects.get()
    endpoint.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == len(RETRY_DELAYS) + 1 and not endpoint.enabled
    assert Notice.objects.filter(user=admin_user).count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:10.0.0.5]/hooks",
        "https://localhost:8443/x",
        "https://10.1.2.3/x",
    ],
)
def test_w4_loopback_metadata_and_private_addresses_are_refused_when_saved_in_production(
    workspace, admin_user, settings, url
):
    settings.WEBHOOK_HTTPS_ONLY = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    assert url_problem(url)
    with pytest.raises(InvalidInput):
        webhook_endpoint_create(workspace=workspace, actor=admin_user, url=url)


def test_w4_a_name_that_resolves_to_10_x_is_refused_at_delivery_in_production(
    workspace, admin_user, receiver, settings, monkeypatch
):
    endpoint = webhook_endpoint_create(workspace=workspace, actor=admin_user, url="http://hooks.partner.example/x")
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    port = receiver.server.server_port
    monkeypatch.setattr(  # the name resolves inside (DNS answered by the test; the receiver listens there)
        webhook_addresses.socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, 1, 6, "", ("10.1.2.3", port))]
    )
    archive(workspace, [make_contact(workspace)])
    webhooks_relay()
    attempt = WebhookAttempt.objects.get(endpoint=endpoint)
    assert attempt.status_code is None and "private or local" in attempt.error and receiver.received == []


def test_w4_an_address_that_turns_private_after_saving_is_refused_at_delivery(workspace, endpoint, receiver, settings):
    archive(workspace, [make_contact(workspace)])
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False  # as in production: checked again at each delivery
    webhooks_relay()
    assert receiver.received == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and "private or local" in attempt.error


def test_w4_production_takes_https_only(settings):
    settings.WEBHOOK_HTTPS_ONLY = True
    assert "https" in url_problem("http://example.com/hooks")


def test_s1_s2_s4_the_endpoints_api_is_for_this_workspaces_admins_and_refuses_bad_input(
    workspace, other_workspace, receiver, admin_user, member_user
):
    theirs = webhook_endpoint_create(workspace=other_workspace, actor=None, url=receiver.url)
    admin = api_as(workspace, admin_user)
    assert api_as(workspace, member_user).get("webhook-endpoints").status_code == 403
    assert admin.patch(f"webhook-endpoints/{theirs.id}", {"enabled": False}).status_code == 404
    for call in (admin.get, admin.delete):
        assert call(f"webhook-endpoints/{theirs.id}").status_code == 404
    assert admin.post(f"webhook-endpoints/{theirs.id}/rotate-secret").status_code == 404
    for bad in (
        {"url": "ftp://example.com/x"},
        {"url": receiver.url, "event_types": ["contact.exploded"]},
        {"url": "https://" + "a" * 2000 + ".com"},
        {"url": receiver.url, "secret": "mine"},
    ):
        response = admin.post("webhook-endpoints", bad)
        assert response.status_code == 400 and response.json()["error"], bad
    assert WebhookEndpoint.objects.filter(workspace=workspace).count() == 0
    theirs.refresh_from_db()
    assert theirs.enabled


def test_w1_w3_an_admin_adds_an_endpoint_on_the_page_sees_the_secret_once_tests_it_and_replays(
    admin_client, member_client, workspace, receiver
):
    url = reverse("webhooks:list", args=[workspace.slug])
    assert member_client.get(url).status_code == 403
    created = admin_client.post(url, {"url": receiver.url, "event_types": ["contact.archived"], "enabled": "on"})
    endpoint = WebhookEndpoint.objects.get(workspace=workspace)
    detail = reverse("webhooks:detail", args=[workspace.slug, endpoint.id])
    assert created.status_code == 302 and created["Location"] == detail  # a reload adds nothing
    assert endpoint.secret in admin_client.get(detail).content.decode()
    assert endpoint.secret not in admin_client.get(detail).content.decode()  # shown once
    admin_client.post(reverse("webhooks:test", args=[workspace.slug, endpoint.id]))
    webhooks_relay()
    ((headers, body),) = receiver.received
    assert Webhook(endpoint.secret).verify(body, headers)["type"] == "webhook.test"
    page = admin_client.get(detail).content.decode()
    assert "webhook.test" in page and 'id="last-payload"' in page
    delivery = WebhookDelivery.objects.get()
    assert (
        admin_client.post(
            reverse("webhooks:replay", args=[workspace.slug, endpoint.id]), {"delivery": delivery.id}
        ).status_code
        == 302
    )
    webhooks_relay()
    assert len(receiver.received) == 2 and receiver.received[1][0]["webhook-id"] == headers["webhook-id"]
    bad = admin_client.post(detail, {"url": "javascript:alert(1)", "enabled": "on"})
    assert bad.status_code == 400 and 'value="javascript:alert(1)"' in bad.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.url == receiver.url


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_w3_a_relay_killed_mid_batch_loses_nothing(workspace, workers, settings):
    """SIGKILL the relay's worker while it delivers: every event arrives (at least once;
    the duplicates are counted), through a second worker once the lease runs out."""
    from contacts_app.jobs.queueing import publish

    settings.WEBHOOK_HTTPS_ONLY = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    receiver = Receiver(delay=0.02)
    try:
        webhook_endpoint_create(workspace=workspace, actor=None, url=receiver.url)
        env = {"WEBHOOK_HTTPS_ONLY": "false", "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true", "WEBHOOK_LEASE_SECONDS": "2"}
        with transaction.atomic():  # 150 events, each its own (as 150 one-contact archives write them)
            for i in range(150):
                webhook_emit(workspace_id=workspace.id, type="contact.archived", data={"contacts": [i + 1]})
        first = workers(queues="webhooks", **env)
        publish("contacts_app.tasks.webhooks_relay_task")
        deadline = time.monotonic() + 60
        while len(receiver.received) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        first.kill()
        assert 30 <= len(receiver.received) < 150
        workers(queues="webhooks", **env)
        deadline = time.monotonic() + 90
        while WebhookDelivery.objects.exclude(status="succeeded").exists() and time.monotonic() < deadline:
            publish("contacts_app.tasks.webhooks_relay_task")
            time.sleep(1)
        ids = [h["webhook-id"] for h, _b in receiver.received]
        assert set(ids) == set(WebhookEvent.objects.values_list("message_id", flat=True))
        print(f"duplicates after the kill: {len(ids) - len(set(ids))}")
        assert not WebhookDelivery.objects.exclude(status="succeeded").exists()
    finally:
        receiver.close()


def test_w3_a_closed_port_is_logged_as_a_refused_connection_not_a_timeout(workspace, admin_user, receiver):
    """The log said "No answer within 15.0 s" for a connection refused in 9 ms."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    webhook_endpoint_create(workspace=workspace, actor=admin_user, url=f"http://127.0.0.1:{port}/hooks")
    archive(workspace, [make_contact(workspace)])
    webhooks_relay()
    attempt = WebhookAttempt.objects.get()
    assert attempt.error_code == "connection_refused" and "refused the connection" in attempt.error
    assert "Errno" not in attempt.error and "within" not in attempt.error


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_w1_u2_u3_a_french_admin_on_a_phone_adds_an_endpoint_and_copies_its_secret(
    browser, live_server, workspace, admin_user, settings
):
    from playwright.sync_api import expect

    from .browser import login, shot

    settings.WEBHOOK_HTTPS_ONLY = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page = context.new_page()
    login(page, live_server, admin_user)
    page.get_by_role("navigation").get_by_role("link", name="Webhooks").click()
    page.get_by_label("URL *").fill("http://127.0.0.1:9/hooks/crm")
    page.get_by_label("contact.restored — Contacts restaurés").check()
    page.get_by_role("button", name="Ajouter le point de terminaison").click()
    endpoint = WebhookEndpoint.objects.get(workspace=workspace)
    expect(page.locator("#secret")).to_have_text(endpoint.secret)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the long secret wraps
    shot(page, "phone-webhook-created-fr")
    assert endpoint.event_types == ["contact.restored"]
    context.close()


def test_w1_a_second_rotation_within_the_day_keeps_the_secret_receivers_had(workspace, admin_user, endpoint, receiver):
    """Rotating twice cut off the original secret at once."""
    original = endpoint.secret
    webhook_secret_rotate(endpoint=endpoint, actor=admin_user)
    newest = webhook_secret_rotate(endpoint=endpoint, actor=admin_user).secret
    archive(workspace, [make_contact(workspace)])
    webhooks_relay()
    ((headers, body),) = receiver.received
    Webhook(original).verify(body, headers)
    Webhook(newest).verify(body, headers)


def test_w3_replay_since_a_date_sends_now_what_waits_for_a_retry_and_a_disabled_endpoint_refuses_a_test(
    workspace, admin_user, endpoint, receiver
):
    from contacts_app.lib.errors import Conflict
    from contacts_app.services.webhooks import webhook_replay, webhook_test_send

    receiver.answers = [500]
    archive(workspace, [make_contact(workspace)])
    webhooks_relay()
    since = timezone.now() - timezone.timedelta(days=60)  # archive() dates its change 45 days back
    assert webhook_replay(endpoint=endpoint, since=since) == 1
    webhooks_relay()
    assert WebhookDelivery.objects.get().status == "succeeded"
    WebhookEndpoint.objects.filter(id=endpoint.id).update(enabled=False)
    endpoint.refresh_from_db()
    with pytest.raises(Conflict):
        webhook_test_send(endpoint=endpoint)


@pytest.mark.parametrize(
    "url", ["http://exa mple.com/", "http://127.0.0.1:9300/a b", "http://127.0.0.1:99999/", "http://169.254.169.254/x"]
)
def test_s4_w4_malformed_urls_and_the_metadata_address_are_refused_even_in_the_demo(receiver, url):
    assert url_problem(url)


def test_s4_the_api_root_is_a_json_404_not_a_500(client):
    response = client.get("/api/v1/")
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_w3_a_test_events_410_does_not_disable_a_live_endpoint_nor_is_it_retried(
    workspace, admin_user, endpoint, receiver
):
    """A receiver that answers 410 to the test only (a route made for real events) kept
    the endpoint disabled for everything."""
    from contacts_app.services.webhooks import webhook_test_send

    receiver.answers = [410]
    webhook_test_send(endpoint=endpoint)
    webhooks_relay()
    endpoint.refresh_from_db()
    delivery = WebhookDelivery.objects.get()
    assert endpoint.enabled and delivery.status == "failed" and delivery.attempts == 1
    assert not Notice.objects.exists()


def test_u7_the_log_and_the_disabled_reason_are_in_the_readers_language(admin_client, workspace, admin_user, receiver):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    endpoint = webhook_endpoint_create(workspace=workspace, actor=admin_user, url=f"http://127.0.0.1:{port}/hooks")
    archive(workspace, [make_contact(workspace)])
    webhooks_relay()
    attempt = WebhookAttempt.objects.get()
    assert attempt.error_code == "connection_refused" and attempt.number == 1
    detail = reverse("webhooks:detail", args=[workspace.slug, endpoint.id])
    english = admin_client.get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = admin_client.get(detail, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "The receiver refused the connection" in english and "next try" in english
    assert "Le destinataire a refusé la connexion" in french and "refused" not in french and "prochain essai" in french
    WebhookEndpoint.objects.filter(id=endpoint.id).update(enabled=False, disabled_code="gone")
    listing = admin_client.get(reverse("webhooks:list", args=[workspace.slug]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "410" in listing.content.decode() and "it asked for no more" not in listing.content.decode()


def test_w3_the_log_numbers_each_attempt_and_says_when_the_next_one_is(admin_client, workspace, endpoint, receiver):
    receiver.answers = [500, 502]
    archive(workspace, [make_contact(workspace)])
    webhooks_relay()
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhooks_relay()
    assert list(WebhookAttempt.objects.order_by("id").values_list("number", "status_code")) == [(1, 500), (2, 502)]
    page = admin_client.get(reverse("webhooks:detail", args=[workspace.slug, endpoint.id])).content.decode()
    assert page.count("next try") == 1  # on the latest attempt only


def test_w1_deleting_an_endpoint_asks_first_and_says_what_is_lost(admin_client, member_client, workspace, endpoint):
    archive(workspace, [make_contact(workspace)])  # one event waiting
    url = reverse("webhooks:delete", args=[workspace.slug, endpoint.id])
    asked = admin_client.get(url)
    page = asked.content.decode()
    assert asked.status_code == 200 and endpoint.url in page and "1 event waiting" in page
    assert WebhookEndpoint.objects.filter(id=endpoint.id).exists()  # asking deletes nothing
    assert member_client.post(url).status_code == 403
    done = admin_client.post(url)
    assert done.status_code == 302 and not WebhookEndpoint.objects.filter(id=endpoint.id).exists()


def test_w2_every_event_names_its_workspace(workspace, endpoint, receiver):
    archive(workspace, [make_contact(workspace)])
    webhooks_relay()
    (event,) = receiver.events()
    assert event["workspace"] == workspace.slug and set(event) == {"type", "timestamp", "workspace", "data"}


def test_w3_s2_the_deliveries_api_lists_pages_filters_and_replays(
    workspace, other_workspace, admin_user, endpoint, receiver
):
    receiver.answers = [500]
    for _i in range(3):
        archive(workspace, [make_contact(workspace)])
    webhooks_relay()  # the first fails; the endpoint's later events wait behind it (W3: in order)
    assert len(receiver.received) == 1
    admin = api_as(workspace, admin_user)
    listing = admin.get(f"webhook-endpoints/{endpoint.id}/deliveries").json()
    assert len(listing["results"]) == 3 and listing["next"] is None
    failed = listing["results"][-1]
    assert failed["attempts"] == 1 and failed["last_status_code"] == 500 and failed["last_error_code"] == "status"
    assert failed["next_attempt_at"] and failed["payload"]["type"] == "contact.archived"
    pending = admin.get(f"webhook-endpoints/{endpoint.id}/deliveries?status=pending").json()["results"]
    assert len(pending) == 3
    replayed = admin.post(f"webhook-endpoints/{endpoint.id}/deliveries/{failed['id']}/replay")
    assert replayed.status_code == 202 and replayed.json() == {"queued": 1}
    webhooks_relay()
    assert WebhookDelivery.objects.filter(status="succeeded").count() == 3
    since = (timezone.now() - timezone.timedelta(days=60)).isoformat()
    assert admin.post(f"webhook-endpoints/{endpoint.id}/replay", {"since": since}).json() == {"queued": 0}
    theirs = webhook_endpoint_create(workspace=other_workspace, actor=None, url=receiver.url)
    assert admin.get(f"webhook-endpoints/{theirs.id}/deliveries").status_code == 404
    other = WebhookDelivery.objects.filter(endpoint=endpoint).first()
    assert admin.post(f"webhook-endpoints/{theirs.id}/deliveries/{other.id}/replay").status_code == 404
    for bad in ("status=exploded", "before=1_0", "before=-1"):
        assert admin.get(f"webhook-endpoints/{endpoint.id}/deliveries?{bad}").status_code == 400, bad
    for bad in ({"since": "yesterday"}, {"since": "2026-01-01T00:00:00"}, {}):
        assert admin.post(f"webhook-endpoints/{endpoint.id}/replay", bad).status_code == 400, bad


def test_w3_the_deliveries_api_pages_by_100(workspace, admin_user, endpoint):
    with transaction.atomic():
        for i in range(150):
            webhook_emit(workspace_id=workspace.id, type="contact.archived", data={"contacts": [i + 1]})
    admin = api_as(workspace, admin_user)
    first = admin.get(f"webhook-endpoints/{endpoint.id}/deliveries").json()
    second = admin.get(first["next"].split("/api/v1/", 1)[1]).json()
    ids = [d["id"] for d in first["results"] + second["results"]]
    assert len(first["results"]) == 100 and second["next"] is None and len(set(ids)) == 150


def test_w4_the_crms_own_address_is_refused_as_a_receiver(settings):
    settings.ALLOWED_HOSTS = ["crm.example.com"]
    settings.SITE_URL = "https://crm.example.com"
    settings.WEBHOOK_HTTPS_ONLY = True
    assert "own address" in url_problem("https://crm.example.com/api/v1/bounces")
    assert url_problem("https://hooks.example.com/crm") == ""


def test_w3_replay_to_a_disabled_endpoint_is_refused_not_reported_as_done(
    admin_client, workspace, admin_user, endpoint, receiver
):
    receiver.answers = [410]
    archive(workspace, [make_contact(workspace)])
    webhooks_relay()
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    delivery = WebhookDelivery.objects.get()
    replay = reverse("webhooks:replay", args=[workspace.slug, endpoint.id])
    page = admin_client.post(replay, {"delivery": delivery.id}, follow=True).content.decode()
    assert "disabled: enable it, then replay" in page and "will be delivered again" not in page
    page = admin_client.post(replay, {"since": "2026-01-01"}, follow=True).content.decode()
    assert "disabled: enable it, then replay" in page
    admin = api_as(workspace, admin_user)
    assert admin.post(f"webhook-endpoints/{endpoint.id}/deliveries/{delivery.id}/replay").status_code == 409
    assert admin.post(f"webhook-endpoints/{endpoint.id}/replay", {"since": "2026-01-01"}).status_code == 409
    delivery.refresh_from_db()
    assert delivery.status == "failed" and len(receiver.received) == 1


def test_w3_after_a_replay_only_the_latest_attempt_says_when_the_next_try_is(
    admin_client, workspace, admin_user, endpoint, receiver
):
    receiver.answers = [500, 500, 500, 500]
    archive(workspace, [make_contact(workspace)])
    webhooks_relay()
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhooks_relay()
    since = timezone.now().date().isoformat()  # a plain date is taken from its midnight, UTC
    admin = api_as(workspace, admin_user)
    assert admin.post(f"webhook-endpoints/{endpoint.id}/replay", {"since": "2020-01-01"}).json() == {"queued": 1}
    webhooks_relay()
    page = admin_client.get(reverse("webhooks:detail", args=[workspace.slug, endpoint.id])).content.decode()
    assert page.count("next try") == 1 and since
    nothing = admin_client.post(
        reverse("webhooks:replay", args=[workspace.slug, endpoint.id]), {"since": "2099-01-01"}, follow=True
    )
    assert "No failed delivery since then" in nothing.content.decode()


def test_w1_s4_an_internationalised_host_is_saved_in_its_ascii_form(workspace, admin_user, receiver):
    endpoint = webhook_endpoint_create(workspace=workspace, actor=admin_user, url="https://exämple.com:8443/hooks?a=é")
    assert endpoint.url == "https://xn--exmple-cua.com:8443/hooks?a=é"
    with pytest.raises(InvalidInput):
        webhook_endpoint_create(workspace=workspace, actor=admin_user, url="https://exa mple.com/")
