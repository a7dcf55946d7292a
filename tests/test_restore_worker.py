"""R5/R11 with REAL Celery worker processes on PostgreSQL and Redis: a worker killed
with SIGKILL mid-job loses nothing and restores nobody twice; a job accepted while
the broker is down runs once it is back."""

import threading
import time

import pytest

from contacts_app.models import (
    ArchivedContactTag,
    ArchivedDealLink,
    ArchivedListMembership,
    AuditEvent,
    Contact,
    ContactTag,
    DealContact,
    ListMembership,
)
from contacts_app.services.archive import contacts_archive
from restore.models import RestoreJob, RestoreJobItem
from restore.services.jobs import restore_job_create
from restore.services.selection import selection_from_ids

from .factories import (
    days_ago,
    make_account,
    make_contacts,
    make_deal,
    make_list,
    make_tag,
)
from .worker import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _archived_population(workspace, n: int):
    lists = [make_list(workspace) for _ in range(3)]
    tags = [make_tag(workspace) for _ in range(4)]
    account = make_account(workspace)
    contacts = make_contacts(workspace, n)
    Contact.objects.filter(id__in=[c.id for c in contacts]).update(account=account)
    ListMembership.objects.bulk_create(
        [
            ListMembership(contact=c, mailing_list=ml, status=("subscribed", "unsubscribed", "bounced")[i])
            for c in contacts
            for i, ml in enumerate(lists)
        ]
    )
    ContactTag.objects.bulk_create([ContactTag(contact=c, tag=t) for c in contacts for t in tags])
    partner = make_contacts(workspace, 1)[0]
    for c in contacts[:50]:
        make_deal(workspace, [c, partner], primary=c)
    contacts_archive(workspace=workspace, contact_ids=[c.id for c in contacts], now=days_ago(40))
    return contacts, account


def _snapshot_of(contact_ids):
    return {
        "lists": sorted(
            ArchivedListMembership.objects.filter(contact_id__in=contact_ids).values_list(
                "contact_id", "list_id_snapshot", "status"
            )
        ),
        "tags": sorted(
            ArchivedContactTag.objects.filter(contact_id__in=contact_ids).values_list("contact_id", "tag_id_snapshot")
        ),
        "deals": sorted(
            ArchivedDealLink.objects.filter(contact_id__in=contact_ids).values_list("contact_id", "deal_id_snapshot")
        ),
    }


def _live_associations(contact_ids):
    return {
        "lists": sorted(
            ListMembership.objects.filter(contact_id__in=contact_ids).values_list(
                "contact_id", "mailing_list_id", "status"
            )
        ),
        "tags": sorted(ContactTag.objects.filter(contact_id__in=contact_ids).values_list("contact_id", "tag_id")),
        "deals": sorted(DealContact.objects.filter(contact_id__in=contact_ids).values_list("contact_id", "deal_id")),
    }


def test_r11_worker_killed_at_several_points_finishes_the_job_restoring_everyone_exactly_once(
    workspace, admin_user, workers
):
    contacts, account = _archived_population(workspace, 3000)
    ids = [c.id for c in contacts]
    expected = _snapshot_of(ids)
    job = restore_job_create(
        selection=selection_from_ids(workspace=workspace, ids=ids), actor=admin_user, confirm_overage=True
    )

    def cursor():
        return RestoreJob.objects.values_list("cursor", flat=True).get(id=job.id)

    # Small chunks with a pause so the kills land mid-job, including mid-chunk.
    throttle = {"JOB_CHUNK_SIZE": 100, "JOB_CHUNK_PAUSE": 0.05}
    for kill_at in (300, 1900):  # two crashes; the third attempt (R11's limit) finishes
        worker = workers(beat=True, **throttle)
        wait_until(lambda kill_at=kill_at: cursor() >= kill_at, timeout=60, what=f"cursor to reach {kill_at}")
        worker.kill()
        assert cursor() < job.requested, "the job finished before the kill point"
    workers(beat=True, **throttle)  # the sweeper in beat finds the stale job and resumes it
    wait_until(lambda: RestoreJob.objects.get(id=job.id).status == "succeeded", timeout=90, what="job to succeed")

    job.refresh_from_db()
    assert job.restored == 3000 and job.skipped_total == 0 and job.cursor == job.requested
    # At most one attempt per worker start: a worker that takes a helper task (R14) while
    # the heartbeat is still fresh joins the job without counting an attempt.
    assert 1 <= job.attempts <= 3
    assert Contact.objects.filter(id__in=ids, status="active", account=account).count() == 3000
    assert _live_associations(ids) == expected  # exactly the snapshot: nothing missing, nothing doubled
    assert set(RestoreJobItem.objects.filter(job=job).values_list("outcome", flat=True)) == {"restored"}
    restored_ids = [
        i for e in AuditEvent.objects.filter(action="restore", details__phase__isnull=True) for i in e.contact_ids
    ]
    assert sorted(restored_ids) == sorted(ids)  # each contact restored (and audited) once


def test_r5_job_runs_in_the_background_and_reports_progress(workspace, admin_user, workers):
    contacts, _ = _archived_population(workspace, 500)
    workers()
    job = restore_job_create(
        selection=selection_from_ids(workspace=workspace, ids=[c.id for c in contacts]),
        actor=admin_user,
        confirm_overage=True,
    )
    wait_until(lambda: RestoreJob.objects.get(id=job.id).status == "succeeded", timeout=60, what="job to succeed")
    job.refresh_from_db()
    assert job.restored == 500 and job.progress == 1.0 and job.started_at and job.finished_at


def test_r11_job_accepted_with_the_broker_down_runs_once_it_is_back(workspace, admin_user, workers, settings):
    from config.celery import app

    contacts, _ = _archived_population(workspace, 200)
    good_url = app.conf.broker_write_url
    app.conf.broker_write_url = "redis://127.0.0.1:6390/15"  # nothing listens there
    app._after_fork()  # drop pooled connections to the good broker
    try:
        started = time.monotonic()
        job = restore_job_create(
            selection=selection_from_ids(workspace=workspace, ids=[c.id for c in contacts]),
            actor=admin_user,
            confirm_overage=True,
        )
        elapsed = time.monotonic() - started
        for thread in threading.enumerate():  # let the background publish give up while the broker is still down
            if thread.name.startswith("enqueue-restore-job-"):
                thread.join(15)
    finally:
        app.conf.broker_write_url = good_url
        app._after_fork()
    assert elapsed < 2, f"the request took {elapsed:.1f}s with the broker down"
    job.refresh_from_db()
    assert job.status == "queued" and job.enqueued_at is None  # accepted, not lost

    workers(beat=True)  # beat runs the sweeper, which enqueues it
    wait_until(lambda: RestoreJob.objects.get(id=job.id).status == "succeeded", timeout=60, what="job to succeed")
    job.refresh_from_db()
    assert job.restored == 200
    assert Contact.objects.filter(workspace=workspace, status="active").count() == 201  # + the deal partner
