"""C8: revert a provider incident — preview, then a background job that un-cleans the
matching addresses only, once each, one revert at a time per workspace."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cleaned.models import Cleaning, IncidentRevertJob
from cleaned.services.bounces import BounceInput, bounces_apply
from cleaned.services.incidents import INCIDENT_REVERTS, Incident, incident_preview, incident_revert_create
from contacts_app.lib.errors import Conflict, InvalidInput
from contacts_app.models import AuditEvent, Contact, ListMembership

from .factories import make_contacts, make_list

pytestmark = pytest.mark.django_db
T0 = timezone.now().replace(microsecond=0) - timedelta(days=2)


def clean(workspace, contacts, *, provider, code, at, prefix):
    bounces_apply(
        workspace=workspace,
        provider=provider,
        events=[
            BounceInput(
                event_id=f"{prefix}-{c.id}",
                email=c.email,
                type="hard",
                occurred_at=at + timedelta(seconds=i),
                code=code,
                diagnostic=f"550 {code} server said no",
            )
            for i, c in enumerate(contacts)
        ],
    )


@pytest.fixture
def incident_world(workspace, other_workspace):
    """30 addresses wrongly cleaned by mailgun in a 1-hour incident, beside cleanings
    that must not be touched: the same provider outside the window, another provider
    in the window, another class, and another workspace's own incident."""
    news = make_list(workspace, "News")
    victims = make_contacts(workspace, 30)
    ListMembership.objects.bulk_create(
        [ListMembership(contact=c, mailing_list=news, status="subscribed") for c in victims]
    )
    clean(workspace, victims, provider="mailgun", code="5.1.1", at=T0, prefix="inc")
    before = make_contacts(workspace, 3)
    clean(workspace, before, provider="mailgun", code="5.1.1", at=T0 - timedelta(hours=5), prefix="early")
    other_provider = make_contacts(workspace, 3)
    clean(workspace, other_provider, provider="amazon_ses", code="5.1.1", at=T0, prefix="ses")
    other_class = make_contacts(workspace, 2)
    clean(workspace, other_class, provider="mailgun", code="", at=T0, prefix="nocode")
    foreign = make_contacts(other_workspace, 4)
    clean(other_workspace, foreign, provider="mailgun", code="5.1.1", at=T0, prefix="foreign")
    untouched = [c.id for c in before + other_provider + other_class + foreign]
    return victims, untouched, news


def incident_of(workspace, **kw):
    args = dict(
        workspace=workspace,
        provider="mailgun",
        bounce_class="address_gone",
        cleaned_from=T0 - timedelta(minutes=1),
        cleaned_until=T0 + timedelta(hours=1),
    )
    return Incident(**{**args, **kw})


def test_c8_preview_counts_only_the_matching_cleanings_with_a_sample(workspace, incident_world):
    victims, _, _ = incident_world
    preview = incident_preview(incident=incident_of(workspace))
    assert preview.count == 30 and len(preview.sample) == 10
    assert {s["contact__email"] for s in preview.sample} <= {c.email for c in victims}


def test_c8_incident_revert_uncleans_the_match_only_and_restores_its_lists(workspace, admin_user, incident_world):
    victims, untouched, news = incident_world
    job = incident_revert_create(incident=incident_of(workspace), actor=admin_user, reason="Mailgun MX outage")
    assert INCIDENT_REVERTS.run(job_id=job.id).startswith("done")
    job.refresh_from_db()
    assert (job.status, job.reverted, job.skipped_total) == ("succeeded", 30, 0)
    assert set(Contact.objects.filter(id__in=[c.id for c in victims]).values_list("email_status", flat=True)) == {"ok"}
    assert set(ListMembership.objects.filter(mailing_list=news).values_list("status", flat=True)) == {"subscribed"}
    assert set(Contact.objects.filter(id__in=untouched).values_list("email_status", flat=True)) == {"cleaned"}
    assert set(Cleaning.objects.filter(undone_by_job=job).values_list("contact_id", flat=True)) == {
        c.id for c in victims
    }
    assert sum(len(a.contact_ids) for a in AuditEvent.objects.filter(action="unclean")) == 30


def test_c8_one_incident_revert_at_a_time_and_nothing_to_revert_is_refused(workspace, admin_user, incident_world):
    with pytest.raises(InvalidInput):
        incident_revert_create(incident=incident_of(workspace, provider="postmark"), actor=admin_user, reason="x")
    assert not IncidentRevertJob.objects.exists()
    incident_revert_create(incident=incident_of(workspace), actor=admin_user, reason="first")
    with pytest.raises(Conflict):
        incident_revert_create(
            incident=incident_of(workspace, provider="amazon_ses"), actor=admin_user, reason="second"
        )
    assert IncidentRevertJob.objects.count() == 1


def test_c8_a_revert_chunk_run_twice_uncleans_nobody_twice(workspace, admin_user, incident_world, settings):
    """The step is repeatable: the same items undone again are 'already un-cleaned'."""
    from cleaned.services.cleanings import cleanings_undo

    job = incident_revert_create(incident=incident_of(workspace), actor=admin_user, reason="x")
    ids = list(job.items.order_by("position").values_list("cleaning_id", flat=True))
    first = cleanings_undo(workspace=workspace, cleaning_ids=ids, actor=admin_user, reason="x", now=timezone.now())
    again = cleanings_undo(workspace=workspace, cleaning_ids=ids, actor=admin_user, reason="x", now=timezone.now())
    assert set(first.values()) == {"reverted"} and set(again.values()) == {"already_undone"}
    assert AuditEvent.objects.filter(action="unclean").exclude(contact_ids=[]).count() == 1


def test_a6_c8_an_incident_revert_is_cancelled_at_its_next_chunk_and_its_counts_add_up(
    workspace, admin_user, incident_world, settings
):
    from django.utils import translation

    from cleaned.services.incidents import INCIDENT_REVERTS

    from .factories import make_user

    settings.JOB_CHUNK_SIZE = 5
    with translation.override("en"):
        job = incident_revert_create(incident=incident_of(workspace), actor=admin_user, reason="provider incident")
    assert job.requested > 5 and job.language == "en"  # the requester's language is recorded (U3)
    assert INCIDENT_REVERTS.claim(job_id=job.id) and INCIDENT_REVERTS.step(job_id=job.id)
    assert INCIDENT_REVERTS.cancel(job_id=job.id, actor=make_user(is_staff=True))
    assert INCIDENT_REVERTS.step(job_id=job.id) is False
    job.refresh_from_db()
    assert job.status == "cancelled" and job.reverted == 5
    assert job.reverted + job.skipped_total + job.not_processed == job.requested
    from contacts_app.models import Notice

    assert INCIDENT_REVERTS.notify(job_id=job.id) and not INCIDENT_REVERTS.notify(job_id=job.id)  # R13, once
    told = Notice.objects.get(user=admin_user)
    assert f"Incident revert #{job.number} cancelled: 5 un-cleaned" in told.message and "not processed" in told.message


def test_c8_incident_pages_preview_then_confirm_without_javascript(
    admin_client, member_client, workspace, incident_world
):
    url = reverse("cleaned:incident", args=[workspace.slug])
    params = {
        "provider": "mailgun",
        "bounce_class": "address_gone",
        "cleaned_from": (T0 - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"),
        "cleaned_until": (T0 + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    page = admin_client.get(url, params).content.decode()
    assert 'id="incident-count">30<' in page
    assert member_client.get(url, params).status_code == 403
    bad = admin_client.get(url, {**params, "cleaned_until": "yesterday-ish"})
    # the form again, with what was typed (no error page to go back from)
    assert 'id="incident-form"' in bad.content.decode() and 'value="yesterday-ish"' in bad.content.decode()
    assert bad.status_code == 400 and "The incident&#x27;s end is not a date and time." in bad.content.decode()
    response = admin_client.post(
        reverse("cleaned:incident_revert", args=[workspace.slug]), {**params, "reason": "Mailgun incident"}
    )
    job = IncidentRevertJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "cleaned:revert_job", args=[workspace.slug, job.number]
    )
    INCIDENT_REVERTS.run(job_id=job.id)
    page = admin_client.get(response["Location"]).content.decode()
    assert 'id="reverted-count">30<' in page
    csv = b"".join(
        admin_client.get(reverse("cleaned:revert_report", args=[workspace.slug, job.number])).streaming_content
    ).decode()
    assert csv.count("\n") == 31 and csv.splitlines()[1].endswith(",reverted") and "Z," in csv


def test_c4_c7_cleaned_list_filters_by_why_and_provider(admin_client, workspace, incident_world):
    url = reverse("cleaned:list", args=[workspace.slug])
    page = admin_client.get(url, {"provider": "amazon_ses"}).content.decode()
    assert page.count('class="row-check"') == 3
    page = admin_client.get(url, {"provider": "mailgun", "bounce_class": "undetermined"}).content.decode()
    assert page.count('class="row-check"') == 2
    assert admin_client.get(url, {"bounce_class": "nonsense"}).status_code == 400


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_c8_revert_job_survives_worker_kills_without_uncleaning_anyone_twice(workspace, other_workspace, admin_user):
    """Real Celery workers on PostgreSQL and Redis, SIGKILLed mid-job twice; the beat
    sweeper resumes the job from its cursor."""
    from .worker import Worker, flush_broker, wait_until

    news = make_list(workspace, "News")
    victims = make_contacts(workspace, 2000)
    ListMembership.objects.bulk_create(
        [ListMembership(contact=c, mailing_list=news, status="unsubscribed") for c in victims]
    )
    clean(workspace, victims, provider="mailgun", code="5.1.1", at=T0, prefix="inc")
    outside = make_contacts(workspace, 5)
    clean(workspace, outside, provider="mailgun", code="5.7.1", at=T0, prefix="blocked")  # streak 1: not cleaned
    clean(workspace, outside, provider="ses", code="5.1.1", at=T0, prefix="ses")
    foreign = make_contacts(other_workspace, 5)
    clean(other_workspace, foreign, provider="mailgun", code="5.1.1", at=T0, prefix="foreign")
    job = incident_revert_create(incident=incident_of(workspace), actor=admin_user, reason="provider incident")

    def cursor():
        return IncidentRevertJob.objects.values_list("cursor", flat=True).get(id=job.id)

    flush_broker()
    started = []
    throttle = {"JOB_CHUNK_SIZE": 100, "JOB_CHUNK_PAUSE": 0.3}
    try:
        for kill_at in (200, 1000):  # two workers share the revert's chunks (R14); both die
            pair = [Worker(beat=True, **throttle).start(), Worker(**throttle).start()]
            started.extend(pair)
            wait_until(lambda kill_at=kill_at: cursor() >= kill_at, timeout=60, what=f"cursor to reach {kill_at}")
            for worker in pair:
                worker.kill()
            assert cursor() < job.requested, "the job finished before the kill point"
        started.append(Worker(beat=True, **throttle).start())
        started.append(Worker(**throttle).start())
        wait_until(
            lambda: IncidentRevertJob.objects.get(id=job.id).status == "succeeded", timeout=90, what="revert to succeed"
        )
    finally:
        for w in started:
            w.stop()
        flush_broker()
    job.refresh_from_db()
    assert (job.reverted, job.skipped_total, job.cursor) == (2000, 0, 2000)
    assert job.attempts <= 3  # resumed by new claims (a redelivered helper may join instead): never given up
    assert set(ListMembership.objects.filter(mailing_list=news).values_list("status", flat=True)) == {"unsubscribed"}
    uncleaned = [i for a in AuditEvent.objects.filter(action="unclean").exclude(contact_ids=[]) for i in a.contact_ids]
    assert sorted(uncleaned) == sorted(c.id for c in victims)  # each once
    assert set(
        Contact.objects.filter(id__in=[c.id for c in outside + foreign]).values_list("email_status", flat=True)
    ) == {"cleaned"}


@pytest.mark.django_db(transaction=True)
def test_c8_an_incident_revert_and_admins_uncleaning_the_same_contacts_at_once_never_deadlock(workspace, admin_user):
    """Both lock contacts before cleanings, in pk order: whoever comes second waits,
    finds the address already ok, and nobody is un-cleaned twice."""
    from django.db import transaction

    from cleaned.services.cleanings import cleanings_undo, contact_unclean

    from .concurrency import at_once

    for round_ in range(5):
        victims = make_contacts(workspace, 60)
        clean(workspace, victims, provider="mailgun", code="5.1.1", at=T0, prefix=f"race{round_}")
        ids = list(Cleaning.objects.filter(contact__in=victims).values_list("id", flat=True))

        def revert(ids=ids):
            with transaction.atomic():
                return cleanings_undo(
                    workspace=workspace, cleaning_ids=ids, actor=admin_user, reason="incident", now=timezone.now()
                )

        def unclean(contact):
            try:
                return contact_unclean(
                    workspace=workspace, contact_id=contact.id, actor=admin_user, reason="by hand"
                ).email_status
            except Conflict as error:
                return error.code  # the revert got there first: "not_cleaned"

        calls = [revert] + [lambda c=c: unclean(c) for c in victims[-5:]]
        results = at_once(calls)
        assert results[0] is not None and set(results[1:]) <= {"ok", "not_cleaned"}, results  # no deadlock, no error
        assert set(Contact.objects.filter(id__in=[c.id for c in victims]).values_list("email_status", flat=True)) == {
            "ok"
        }
        mine = {c.id for c in victims}
        uncleaned = [
            i
            for a in AuditEvent.objects.filter(action="unclean").exclude(contact_ids=[])
            for i in a.contact_ids
            if i in mine
        ]
        assert sorted(uncleaned) == sorted(c.id for c in victims)  # each once


def test_u1_s4_a_bad_incident_window_shows_the_form_again_as_typed(admin_client, workspace):
    """A missing, unreadable or inverted window replaced the form with an error page whose
    only link went to Contacts."""
    url = reverse("cleaned:incident", args=[workspace.slug])
    typed = {"provider": "mailgun", "cleaned_from": "2026-12-02T00:00", "cleaned_until": "2026-11-01T00:00"}
    response = admin_client.get(url, typed)
    page = response.content.decode()
    assert response.status_code == 400 and 'id="filter-error"' in page and 'id="incident-form"' in page
    assert 'value="2026-12-02T00:00"' in page and 'value="2026-11-01T00:00"' in page
    refused = admin_client.post(reverse("cleaned:incident_revert", args=[workspace.slug]), {**typed, "reason": "x"})
    assert refused.status_code == 400 and 'id="incident-form"' in refused.content.decode()
