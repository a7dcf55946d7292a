"""R14 with REAL Celery worker processes on PostgreSQL and Redis: one job's chunks run
on every free worker, each contact restored exactly once whichever worker dies when;
cancel stops every chunk; a restore starts at once while a long export occupies the
exports queue's worker."""

import re
import time

import pytest

from cleaned.models import ExportJob
from cleaned.services.exports import export_create
from contacts_app.models import AuditEvent, Contact, ListMembership
from restore.models import RestoreJob, RestoreJobItem
from restore.services.jobs import RESTORE_JOBS, restore_job_create
from restore.services.selection import selection_from_ids

from .factories import make_contacts, make_list, make_user
from .restore_helpers import archive
from .worker import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SLOW = {"JOB_CHUNK_SIZE": 100, "JOB_CHUNK_PAUSE": 0.05}


def population(workspace, n):
    news = make_list(workspace, "News")
    contacts = make_contacts(workspace, n)
    ListMembership.objects.bulk_create(
        [ListMembership(contact=c, mailing_list=news, status="unsubscribed") for c in contacts]
    )
    archive(workspace, contacts, days=40)
    return contacts, news


def job_for(workspace, admin_user, contacts):
    return restore_job_create(
        selection=selection_from_ids(workspace=workspace, ids=[c.id for c in contacts]),
        actor=admin_user,
        confirm_overage=True,
    )


def cursor(job):
    return RestoreJob.objects.values_list("cursor", flat=True).get(id=job.id)


def chunks_done_by(worker) -> int:
    return sum(
        int(n)
        for n in re.findall(
            r"restore_job_run_task\[[^]]+\] succeeded in [\d.]+s: '(?:done|continued after): ?(\d+) chunks",
            worker.log.read_text(),
        )
    )


def assert_everyone_restored_once(job, contacts, news):
    job.refresh_from_db()
    ids = [c.id for c in contacts]
    assert (
        job.status == "succeeded"
        and job.restored == len(ids)
        and job.cursor == job.requested
        and job.skipped_total == 0
    )
    assert Contact.objects.filter(id__in=ids, status="active").count() == len(ids)
    assert ListMembership.objects.filter(mailing_list=news).count() == len(ids)  # nothing doubled
    assert set(ListMembership.objects.filter(mailing_list=news).values_list("status", flat=True)) == {"unsubscribed"}
    assert set(RestoreJobItem.objects.filter(job=job).values_list("outcome", flat=True)) == {"restored"}
    restored = [
        i for e in AuditEvent.objects.filter(action="restore", details__phase__isnull=True) for i in e.contact_ids
    ]
    assert sorted(restored) == sorted(ids)  # each contact restored (and audited) once


def test_r14_two_workers_share_one_jobs_chunks_and_restore_everyone_once(workspace, admin_user, workers):
    contacts, news = population(workspace, 2000)
    a, b = workers(**SLOW), workers(**SLOW)
    job = job_for(workspace, admin_user, contacts)
    wait_until(lambda: RestoreJob.objects.get(id=job.id).status == "succeeded", timeout=90, what="job to succeed")
    assert_everyone_restored_once(job, contacts, news)
    wait_until(lambda: chunks_done_by(a) + chunks_done_by(b) == 20, timeout=10, what="both tasks to report")
    assert chunks_done_by(a) > 0 and chunks_done_by(b) > 0, "one worker did all the chunks"
    assert RestoreJob.objects.get(id=job.id).attempts == 1  # a helper joins; it is not a new attempt


def test_r14_r11_either_of_two_workers_killed_mid_job_loses_nothing_and_restores_nobody_twice(
    workspace, admin_user, workers
):
    contacts, news = population(workspace, 3000)
    a, b = workers(beat=True, **SLOW), workers(**SLOW)
    job = job_for(workspace, admin_user, contacts)
    wait_until(lambda: cursor(job) >= 500, timeout=60, what="cursor to reach 500")
    b.kill()  # the helper dies mid-chunk: its chunk rolls back, A takes it
    wait_until(lambda: cursor(job) >= 1500, timeout=60, what="cursor to reach 1500")
    a.kill()  # now the claimer (and the beat) dies too
    assert cursor(job) < job.requested, "the job finished before the kill point"
    workers(beat=True, **SLOW)
    workers(**SLOW)
    wait_until(lambda: RestoreJob.objects.get(id=job.id).status == "succeeded", timeout=90, what="job to succeed")
    assert_everyone_restored_once(job, contacts, news)


def test_r14_cancel_stops_every_chunk_on_every_worker(workspace, admin_user, workers):
    contacts, _ = population(workspace, 3000)
    workers(**SLOW), workers(**SLOW)
    job = job_for(workspace, admin_user, contacts)
    wait_until(lambda: cursor(job) >= 400, timeout=60, what="cursor to reach 400")
    assert RESTORE_JOBS.cancel(job_id=job.id, actor=make_user(is_staff=True))
    time.sleep(1.5)  # chunks in flight finish (at most one per worker); none starts after
    stopped = cursor(job)
    time.sleep(1.5)
    job.refresh_from_db()
    assert job.status == "cancelled" and cursor(job) == stopped < job.requested
    assert job.restored == stopped == Contact.objects.filter(id__in=[c.id for c in contacts], status="active").count()
    assert job.not_processed == job.requested - stopped


def test_r14_a_restore_starts_within_2_s_while_a_long_export_occupies_the_exports_worker(
    workspace, admin_user, workers
):
    make_contacts(workspace, 20_000)
    contacts, _ = population(workspace, 50)
    workers(queues="exports", EXPORT_BATCH_PAUSE=2)
    workers(queues="restore")
    export = export_create(workspace=workspace, actor=admin_user, params={}, scope="contacts")
    wait_until(lambda: ExportJob.objects.get(id=export.id).status == "running", timeout=20, what="export to start")
    job = job_for(workspace, admin_user, contacts)
    wait_until(lambda: RestoreJob.objects.get(id=job.id).status == "succeeded", timeout=20, what="restore to finish")
    job.refresh_from_db()
    assert (job.started_at - job.created_at).total_seconds() < 2
    assert ExportJob.objects.get(id=export.id).status == "running", "the export was not long enough to prove anything"


def test_a6_r14_an_archive_job_survives_either_of_two_workers_killed_and_archives_everyone_once(
    workspace, admin_user, workers
):
    """A6 on a fleet: a bulk archive's chunks on two real workers, both SIGKILLed in
    turn; fresh workers finish it, each contact archived (and audited) exactly once."""
    from contacts_app.models import ArchiveJob, ArchiveJobItem
    from contacts_app.services.archive_jobs import archive_request

    news = make_list(workspace, "News")
    contacts = make_contacts(workspace, 3000)
    ListMembership.objects.bulk_create([ListMembership(contact=c, mailing_list=news) for c in contacts])
    ids = [c.id for c in contacts]
    a, b = workers(beat=True, **SLOW), workers(**SLOW)
    job = archive_request(workspace=workspace, actor=admin_user, contact_ids=ids, selection={}).job

    def done():
        return ArchiveJob.objects.values_list("cursor", flat=True).get(id=job.id)

    wait_until(lambda: done() >= 500, timeout=60, what="cursor to reach 500")
    b.kill()
    wait_until(lambda: done() >= 1500, timeout=60, what="cursor to reach 1500")
    a.kill()
    assert done() < 3000, "the job finished before the kill point"
    workers(beat=True, **SLOW)
    workers(**SLOW)
    wait_until(lambda: ArchiveJob.objects.get(id=job.id).status == "succeeded", timeout=90, what="job to succeed")
    job.refresh_from_db()
    assert job.archived == 3000 and job.cursor == 3000 and job.skipped_total == 0
    assert set(ArchiveJobItem.objects.filter(job=job).values_list("outcome", flat=True)) == {"archived"}
    assert Contact.objects.filter(id__in=ids, status="archived").count() == 3000
    assert not ListMembership.objects.filter(mailing_list=news).exists()
    audited = [
        i for e in AuditEvent.objects.filter(action="archive", details__archive_job=job.id) for i in e.contact_ids
    ]
    assert sorted(audited) == sorted(ids)  # each contact archived once
