"""R4, R5, R10, R11, B3 and S2 for restore jobs, run in this process. The worker
tests (test_restore_worker.py) run the same jobs through real Celery workers."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from contacts_app.lib.errors import Conflict, InvalidInput
from contacts_app.models import ArchiveRecord, AuditEvent, Contact, ListMembership
from restore.models import RestoreJob, RestoreJobItem
from restore.services.jobs import RESTORE_JOBS, restore_job_create
from restore.services.preview import restore_preview
from restore.services.selection import selection_from_ids

from .factories import make_contact, make_contacts, make_list, subscribe
from .restore_helpers import archive, run_job_inline

pytestmark = pytest.mark.django_db


def selection(workspace, contacts):
    return selection_from_ids(workspace=workspace, ids=[c.id for c in contacts])


def test_r10_job_counts_add_up_and_each_item_has_its_outcome(workspace, admin_user, other_workspace):
    ok = make_contacts(workspace, 5)
    frozen = make_contacts(workspace, 2)
    archive(workspace, ok, days=40)
    archive(workspace, frozen, days=5)
    active = make_contact(workspace)
    theirs = make_contact(other_workspace)
    job = restore_job_create(
        selection=selection_from_ids(
            workspace=workspace, ids=[c.id for c in [*ok, *frozen, active, theirs]] + [99_999_999]
        ),
        actor=admin_user,
    )
    assert job.status == "queued" and job.requested == 10

    run_job_inline(job)

    assert job.status == "succeeded" and job.progress == 1.0
    assert job.restored == 5
    assert job.skipped == {
        "frozen": 2,
        "expired": 0,
        "merged": 0,
        "already_active": 1,
        "not_found": 2,
        "email_conflict": 0,
    }
    assert job.restored + job.skipped_total == job.requested
    outcomes = dict(RestoreJobItem.objects.filter(job=job).values_list("contact_id", "outcome"))
    assert outcomes[theirs.id] == "not_found" and outcomes[99_999_999] == "not_found"
    assert {outcomes[c.id] for c in ok} == {"restored"}
    theirs.refresh_from_db()
    assert theirs.status == "active" and not ArchiveRecord.objects.filter(contact=theirs).exists()


def test_r4_second_job_is_refused_while_one_runs(workspace, admin_user):
    contacts = make_contacts(workspace, 4)
    archive(workspace, contacts, days=40)
    restore_job_create(selection=selection(workspace, contacts[:2]), actor=admin_user)
    with pytest.raises(Conflict) as exc:
        restore_job_create(selection=selection(workspace, contacts[2:]), actor=admin_user)
    assert exc.value.code == "job_in_progress" and exc.value.status == 409
    assert RestoreJob.objects.count() == 1


def test_r4_database_refuses_a_second_active_job_even_without_the_check(workspace, admin_user):
    RestoreJob.objects.create(workspace=workspace, status="running")
    with pytest.raises(IntegrityError), transaction.atomic():
        RestoreJob.objects.create(workspace=workspace, status="queued")


def test_r4_a_new_job_is_accepted_once_the_previous_one_finished(workspace, admin_user):
    contacts = make_contacts(workspace, 2)
    archive(workspace, contacts, days=40)
    run_job_inline(restore_job_create(selection=selection(workspace, contacts[:1]), actor=admin_user))
    assert restore_job_create(selection=selection(workspace, contacts[1:]), actor=admin_user).status == "queued"


def test_r4_jobs_of_different_workspaces_run_side_by_side(workspace, other_workspace, admin_user):
    a, b = make_contact(workspace), make_contact(other_workspace)
    archive(workspace, [a], days=40)
    archive(other_workspace, [b], days=40)
    restore_job_create(selection=selection(workspace, [a]), actor=admin_user)
    restore_job_create(selection=selection(other_workspace, [b]), actor=None)
    assert RestoreJob.objects.filter(status="queued").count() == 2


def test_b3_restore_reaching_90_percent_needs_confirmation(workspace, admin_user):
    workspace.contact_limit = 10
    workspace.save()
    make_contacts(workspace, 7)
    archived = make_contacts(workspace, 2)
    archive(workspace, archived, days=40)
    preview = restore_preview(selection=selection(workspace, archived))
    assert (preview.billable_added, preview.billable_after, preview.needs_confirmation) == (2, 9, True)
    with pytest.raises(Conflict) as exc:
        restore_job_create(selection=selection(workspace, archived), actor=admin_user)
    assert exc.value.code == "overage_confirmation_required" and "9 billable contacts" in exc.value.detail
    assert not RestoreJob.objects.exists()
    job = restore_job_create(selection=selection(workspace, archived), actor=admin_user, confirm_overage=True)
    assert job.confirm_overage  # B3: the accepted overage is on record, with the request
    from contacts_app.models import AuditEvent

    assert AuditEvent.objects.get(details__job=job.id, details__phase="requested").details["overage_accepted"] is True


def test_b3_below_90_percent_needs_no_confirmation(workspace, admin_user):
    workspace.contact_limit = 10
    workspace.save()
    make_contacts(workspace, 7)
    archived = make_contacts(workspace, 1)
    archive(workspace, archived, days=40)
    assert restore_preview(selection=selection(workspace, archived)).needs_confirmation is False
    assert restore_job_create(selection=selection(workspace, archived), actor=admin_user).status == "queued"
    # a confirmation nobody was asked for is not an accepted overage
    RestoreJob.objects.all().delete()
    job = restore_job_create(selection=selection(workspace, archived), actor=admin_user, confirm_overage=True)
    assert job.confirm_overage is False


def test_b1_cleaned_contacts_add_nothing_to_the_bill_in_the_preview(workspace):
    workspace.contact_limit = 10
    workspace.save()
    make_contacts(workspace, 9)
    cleaned = make_contacts(workspace, 3, email_status="cleaned")
    archive(workspace, cleaned, days=40)
    preview = restore_preview(selection=selection(workspace, cleaned))
    assert preview.restorable == 3 and preview.billable_added == 0 and preview.needs_confirmation is False


def test_r12_preview_names_lists_tags_accounts_and_deals_that_will_not_come_back(workspace):
    from contacts_app.models import Account, MailingList, Tag

    from .factories import make_account, make_deal, make_tag, tag

    c = make_contact(workspace, account=make_account(workspace, "Gone Inc"))
    old_list, kept_list = make_list(workspace, "Old list"), make_list(workspace, "Kept list")
    subscribe(c, old_list)
    subscribe(c, kept_list)
    tag(c, make_tag(workspace, "old-tag"))
    make_deal(workspace, [c], title="Solo deal")
    c2 = make_contact(workspace)
    subscribe(c2, old_list)
    frozen = make_contact(workspace)
    subscribe(frozen, old_list)
    archive(workspace, [c, c2], days=40)
    archive(workspace, [frozen], days=2)
    MailingList.objects.filter(name="Old list").delete()
    Tag.objects.filter(name="old-tag").delete()
    Account.objects.filter(name="Gone Inc").delete()

    preview = restore_preview(selection=selection(workspace, [c, c2, frozen]))

    assert preview.restorable == 2 and preview.skipped["frozen"] == 1
    assert preview.details.not_coming_back == {  # the frozen contact is not restored: not counted
        "lists": [{"name": "Old list", "contacts": 2}],
        "tags": [{"name": "old-tag", "contacts": 1}],
        "accounts": [{"name": "Gone Inc", "contacts": 1}],
        "deals": [{"name": "Solo deal", "contacts": 1}],
    }
    # R12: and what does come back — only the kept list's membership here
    assert preview.details.coming_back == {"lists": 1, "tags": 0, "accounts": 0, "deals": 0}


def test_r12_preview_counts_what_comes_back(workspace, admin_client):
    from django.urls import reverse

    from .factories import make_account, make_deal, make_tag, tag

    account, shared = make_account(workspace, "Initech"), make_list(workspace, "Shared")
    partner = make_contact(workspace)  # keeps the deal alive (A3)
    contacts = make_contacts(workspace, 3)
    for c in contacts:
        subscribe(c, shared)
        tag(c, make_tag(workspace, f"t-{c.id}"))
    Contact.objects.filter(id=contacts[0].id).update(account=account)
    make_deal(workspace, [partner, contacts[1]], title="Shared deal")
    archive(workspace, contacts, days=40)
    preview = restore_preview(selection=selection(workspace, contacts))
    assert preview.details.coming_back == {"lists": 3, "tags": 3, "accounts": 1, "deals": 1}
    html = admin_client.post(
        reverse("restore:preview", args=[workspace.slug]), {"ids": [c.id for c in contacts]}
    ).content.decode()
    assert (
        "What comes back:" in html
        and "3 list memberships" in html
        and "1 account link," in html
        and "1 deal link" in html
    )


def test_s4_empty_selection_is_refused(workspace):
    with pytest.raises(InvalidInput):
        selection_from_ids(workspace=workspace, ids=[])


def test_r11_a_crash_inside_a_chunk_restores_nobody_from_it_and_the_job_resumes(workspace, admin_user, monkeypatch):
    contacts = make_contacts(workspace, 30)
    ml = make_list(workspace)
    ListMembership.objects.bulk_create([ListMembership(contact=c, mailing_list=ml) for c in contacts])
    archive(workspace, contacts, days=40)
    job = restore_job_create(selection=selection(workspace, contacts), actor=admin_user)
    assert RESTORE_JOBS.claim(job_id=job.id)
    assert RESTORE_JOBS.step(job_id=job.id, chunk_size=10)  # first chunk done

    from restore import sql

    real = sql.reattach_associations

    def crash_after_writing(**kw):
        real(**kw)
        raise RuntimeError("worker died mid-chunk")

    monkeypatch.setattr(sql, "reattach_associations", crash_after_writing)
    with pytest.raises(RuntimeError):
        RESTORE_JOBS.step(job_id=job.id, chunk_size=10)
    job.refresh_from_db()
    assert job.cursor == 10 and job.restored == 10
    assert Contact.objects.filter(workspace=workspace, status="active").count() == 10
    assert ListMembership.objects.count() == 10  # the crashed chunk left nothing behind

    monkeypatch.setattr(sql, "reattach_associations", real)
    while RESTORE_JOBS.step(job_id=job.id, chunk_size=10):
        pass
    job.refresh_from_db()
    assert job.status == "succeeded" and job.restored == 30
    assert ListMembership.objects.count() == 30
    restore_events = AuditEvent.objects.filter(action="restore", details__phase__isnull=True)
    assert sorted(i for e in restore_events for i in e.contact_ids) == sorted(c.id for c in contacts)


def test_r11_p1_chunks_commit_without_waiting_for_the_disk_and_the_job_s_end_waits(workspace, admin_user, monkeypatch):
    """A chunk's commit is asynchronous (a crash loses it whole and it is redone); the
    commit that ends the job, which the requester is told about, is durable."""
    contacts = make_contacts(workspace, 25)
    archive(workspace, contacts, days=40)
    job = restore_job_create(selection=selection(workspace, contacts), actor=admin_user)
    assert RESTORE_JOBS.claim(job_id=job.id)
    seen = []
    with connection.cursor() as cur:  # the suite's database is asynchronous (conftest): "off" must be the code's
        cur.execute("SET synchronous_commit TO on")

    def setting() -> str:
        with connection.cursor() as cur:
            cur.execute("SHOW synchronous_commit")
            return cur.fetchone()[0]

    real_process, real_finished = RESTORE_JOBS.process, RESTORE_JOBS.finished_event

    def process(**kw):
        seen.append(("chunk", setting()))
        return real_process(**kw)

    def finished_event(finished):
        seen.append(("end", setting()))
        return real_finished(finished)

    monkeypatch.setattr(RESTORE_JOBS, "process", process)
    monkeypatch.setattr(RESTORE_JOBS, "finished_event", finished_event)
    while RESTORE_JOBS.step(job_id=job.id, chunk_size=10):
        pass
    assert seen == [("chunk", "off"), ("chunk", "off"), ("chunk", "off"), ("end", "on")]
    job.refresh_from_db()
    assert job.status == "succeeded" and job.restored == 25


def test_r11_duplicate_delivery_of_a_running_job_does_nothing(workspace, admin_user):
    c = make_contact(workspace)
    archive(workspace, [c], days=40)
    job = restore_job_create(selection=selection(workspace, [c]), actor=admin_user)
    assert RESTORE_JOBS.claim(job_id=job.id) is True
    assert RESTORE_JOBS.claim(job_id=job.id) is False  # fresh heartbeat: someone else has it
    job.refresh_from_db()
    assert job.attempts == 1


def test_r11_a_job_that_keeps_dying_is_failed_after_three_attempts(workspace, admin_user, settings):
    settings.JOB_STALE_AFTER = 0
    c = make_contact(workspace)
    archive(workspace, [c], days=40)
    job = restore_job_create(selection=selection(workspace, [c]), actor=admin_user)
    for _ in range(3):
        assert RESTORE_JOBS.claim(job_id=job.id) is True  # ...and the worker dies
    assert RESTORE_JOBS.claim(job_id=job.id) is False
    job.refresh_from_db()
    assert job.status == "failed" and "3 times" in job.error
    c.refresh_from_db()
    assert c.status == "archived"


def test_support_can_cancel_and_retry_a_job_from_where_it_stopped(workspace, admin_user):
    from .factories import make_user

    staff = make_user(is_staff=True)
    contacts = make_contacts(workspace, 20)
    archive(workspace, contacts, days=40)
    job = restore_job_create(selection=selection(workspace, contacts), actor=admin_user)
    RESTORE_JOBS.claim(job_id=job.id)
    RESTORE_JOBS.step(job_id=job.id, chunk_size=5)
    assert RESTORE_JOBS.cancel(job_id=job.id, actor=staff)
    assert RESTORE_JOBS.step(job_id=job.id, chunk_size=5) is False  # a cancelled job stops
    assert RESTORE_JOBS.retry(job_id=job.id, actor=staff)
    run_job_inline(job)
    assert job.status == "succeeded" and job.restored == 20
    assert AuditEvent.objects.filter(action="staff_change", actor=staff).count() == 2


def test_r10_finished_job_offers_a_csv_report_one_row_per_contact(admin_client, workspace, admin_user, other_workspace):
    import csv
    import io

    from django.urls import reverse

    ok = make_contact(workspace, email="=cmd@example.com")
    frozen = make_contact(workspace, email="frozen@example.com")
    archive(workspace, [ok], days=40)
    archive(workspace, [frozen], days=3)
    theirs = make_contact(other_workspace, email="secret@globex.example")
    job = restore_job_create(
        selection=selection_from_ids(workspace=workspace, ids=[ok.id, frozen.id, theirs.id]), actor=admin_user
    )
    run_job_inline(job)

    response = admin_client.get(reverse("restore:report", args=[workspace.slug, job.number]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 3
    by_id = {int(r["contact_id"]): r for r in rows}
    assert by_id[ok.id]["outcome"] == "restored" and by_id[ok.id]["email"] == "'=cmd@example.com"  # formula neutralised
    assert by_id[frozen.id]["reason_code"] == "frozen" and "30 days" in by_id[frozen.id]["reason"]
    assert by_id[theirs.id]["reason_code"] == "not_found" and by_id[theirs.id]["email"] == ""
    assert "secret@globex.example" not in body
    assert admin_client.get(reverse("restore:report", args=[workspace.slug, 999999])).status_code == 404


def test_r13_a_cancelled_then_retried_job_keeps_its_history_and_its_counts_add_up(admin_client, workspace, admin_user):
    from django.urls import reverse

    from .factories import make_user

    staff = make_user(is_staff=True)
    contacts = make_contacts(workspace, 12)
    archive(workspace, contacts, days=40)
    job = restore_job_create(selection=selection(workspace, contacts), actor=admin_user)
    RESTORE_JOBS.claim(job_id=job.id)
    RESTORE_JOBS.step(job_id=job.id, chunk_size=5)
    RESTORE_JOBS.cancel(job_id=job.id, actor=staff)
    page = admin_client.get(reverse("restore:job", args=[workspace.slug, job.number])).content.decode()
    assert (
        'id="restored-count">5<' in page and 'id="skipped-count">0<' in page and 'id="not-processed-count">7<' in page
    )
    assert "Cancelled by support" in page
    RESTORE_JOBS.retry(job_id=job.id, actor=staff)
    run_job_inline(job)
    page = admin_client.get(reverse("restore:job", args=[workspace.slug, job.number])).content.decode()
    history = page[page.index('id="job-history"') :]
    assert (
        history.index("Requested")
        < history.index("Started")  # when a worker took it: the wait in between is the queue's
        < history.index("Cancelled by support")
        < history.index("Retried by support")
        < history.index("Succeeded")
    )
    assert 'id="restored-count">12<' in page and "not-processed-count" not in page


def test_r5_a_queued_job_no_worker_took_warns_after_a_minute(admin_client, workspace, admin_user):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    contacts = make_contacts(workspace, 2)
    archive(workspace, contacts, days=40)
    job = restore_job_create(selection=selection(workspace, contacts), actor=admin_user)
    url = reverse("restore:job", args=[workspace.slug, job.number])
    assert 'id="no-worker" data-after="60" hidden' in admin_client.get(url).content.decode()
    RestoreJob.objects.filter(id=job.id).update(created_at=timezone.now() - timedelta(seconds=90))
    page = admin_client.get(url).content.decode()
    assert 'id="no-worker"' in page and 'data-after="60" hidden' not in page  # shown without waiting for JavaScript
    status = admin_client.get(reverse("restore:job_status", args=[workspace.slug, job.number])).json()
    assert status["status"] == "queued" and status["waiting_seconds"] >= 90


def test_r13_the_requester_is_emailed_and_noticed_once_when_the_job_finishes(
    admin_client, workspace, admin_user, mailoutbox
):
    from django.urls import reverse

    admin_user.email = "ada@example.com"
    admin_user.save()
    contacts = make_contacts(workspace, 3)
    archive(workspace, contacts, days=40)
    frozen = make_contacts(workspace, 1)
    archive(workspace, frozen, days=2)
    job = restore_job_create(selection=selection(workspace, contacts + frozen), actor=admin_user)
    assert RESTORE_JOBS.notify(job_id=job.id) is False  # not finished: nothing to tell
    run_job_inline(job)
    assert RESTORE_JOBS.notify(job_id=job.id) is True
    assert RESTORE_JOBS.notify(job_id=job.id) is False  # a redelivered task tells nobody twice
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    # 1 of 4 was frozen: the job "finished with skips", it did not plainly succeed
    assert mail.to == ["ada@example.com"] and f"Restore job #{job.number} finished with skips" in mail.subject
    # U7: the numbers are the workspace's, so an admin of several knows which one it is
    assert mail.subject.startswith(f"[{workspace.name}] ") and f"Workspace: {workspace.name}" in mail.body
    assert "3 restored, 1 not restored of 4 requested" in mail.body
    assert reverse("restore:job", args=[workspace.slug, job.number]) in mail.body
    page = admin_client.get(reverse("contacts:list", args=[workspace.slug])).content.decode()
    assert 'id="notices"' in page and f"Restore job #{job.number} finished with skips: 3 restored" in page
    again = admin_client.get(reverse("contacts:list", args=[workspace.slug])).content.decode()
    assert 'id="notices"' not in again  # shown on the next page view, once


def test_r13_the_notice_is_taken_only_by_a_full_page_view_never_by_a_poll_a_download_or_a_post(
    admin_client, workspace, admin_user
):
    """With JavaScript on, the job page polls its JSON status every 0.7 s: the poll used
    to mark the notice read before any page could show it."""
    from django.urls import reverse

    contacts = make_contacts(workspace, 2)
    archive(workspace, contacts, days=40)
    job = restore_job_create(selection=selection(workspace, contacts), actor=admin_user)
    run_job_inline(job)
    assert RESTORE_JOBS.notify(job_id=job.id) is True
    status = admin_client.get(reverse("restore:job_status", args=[workspace.slug, job.number]))
    assert status.status_code == 200 and status.json()["told"] is True
    report = admin_client.get(reverse("restore:report", args=[workspace.slug, job.number]))
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    posted = admin_client.post(reverse("contacts:archive", args=[workspace.slug]), {"ids": ""})
    assert posted.status_code in (302, 400)
    assert 'id="notices"' not in posted.content.decode()
    page = admin_client.get(reverse("restore:job", args=[workspace.slug, job.number])).content.decode()
    assert 'id="notices"' in page and f"Restore job #{job.number} succeeded: 2 restored" in page
    again = admin_client.get(reverse("restore:job", args=[workspace.slug, job.number])).content.decode()
    assert 'id="notices"' not in again  # shown once


def test_r13_a_job_page_opened_just_after_the_finish_keeps_polling_until_the_requester_is_told(
    admin_client, workspace, admin_user
):
    """A small job can finish between the click and the job page's first render: the
    page must still wait for the notice (the JSON says when) instead of going quiet."""
    from django.urls import reverse

    contacts = make_contacts(workspace, 2)
    archive(workspace, contacts, days=40)
    job = restore_job_create(selection=selection(workspace, contacts), actor=admin_user)
    run_job_inline(job)
    url = reverse("restore:job", args=[workspace.slug, job.number])
    assert 'data-active="1"' in admin_client.get(url).content.decode()  # finished, not told yet
    assert RESTORE_JOBS.notify(job_id=job.id) is True
    page = admin_client.get(url).content.decode()
    assert 'data-active="0"' in page and f"Restore job #{job.number} succeeded" in page


def test_r13_a_cancelled_jobs_notice_counts_what_was_not_processed(workspace, admin_user, mailoutbox):

    from .factories import make_user

    admin_user.email = "ada@example.com"
    admin_user.save()
    contacts = make_contacts(workspace, 8)
    archive(workspace, contacts, days=40)
    job = restore_job_create(selection=selection(workspace, contacts), actor=admin_user)
    RESTORE_JOBS.claim(job_id=job.id)
    RESTORE_JOBS.step(job_id=job.id, chunk_size=3)
    RESTORE_JOBS.cancel(job_id=job.id, actor=make_user(is_staff=True))
    assert RESTORE_JOBS.notify(job_id=job.id)
    assert "cancelled: 3 restored, 0 not restored, 5 not processed of 8 requested" in mailoutbox[0].body


def test_r13_the_sweeper_sends_a_finished_jobs_notice_whose_message_was_lost(workspace, admin_user, settings):
    import json

    import redis
    from django.utils import timezone

    from .worker import flush_broker

    settings.JOB_STALE_AFTER = 0
    flush_broker()
    job = RestoreJob.objects.create(
        workspace=workspace, requested_by=admin_user, status="succeeded", finished_at=timezone.now()
    )
    try:
        RESTORE_JOBS.sweep()
        queued = redis.Redis.from_url(settings.CELERY_BROKER_URL).lrange("restore", 0, -1)  # R14: the restore queue
        tasks = [(json.loads(m)["headers"]["task"], json.loads(m)["headers"]["argsrepr"]) for m in queued]
        assert ("restore.tasks.restore_job_notify_task", f"[{job.id}]") in tasks
    finally:
        flush_broker()


def test_u7_jobs_are_numbered_in_their_workspace_so_they_reveal_nothing_of_others(
    admin_client, workspace, other_workspace, admin_user
):
    """Acme's jobs list read #9, #7 … because #8 was another customer's."""
    from contacts_app.models import Role

    from .factories import make_member

    theirs = make_contacts(other_workspace, 2)
    archive(other_workspace, theirs)
    other_admin = make_member(other_workspace, Role.ADMIN)
    for c in theirs:  # two jobs elsewhere first
        run_job_inline(
            restore_job_create(selection=selection_from_ids(workspace=other_workspace, ids=[c.id]), actor=other_admin)
        )
    ours = make_contacts(workspace, 1)
    archive(workspace, ours)
    job = restore_job_create(selection=selection_from_ids(workspace=workspace, ids=[ours[0].id]), actor=admin_user)
    assert job.number == 1 and job.id > 2
    page = admin_client.get(reverse("restore:jobs", args=[workspace.slug])).content.decode()
    assert ">#1</a>" in page and f">#{job.id}</a>" not in page
    assert f'href="/w/{workspace.slug}/restore-jobs/1/"' in page  # the address says what the page says
    detail = admin_client.get(f"/w/{workspace.slug}/restore-jobs/1/").content.decode()
    assert "Restore job #1" in detail
    # the job's id addresses nothing: our workspace has no job #{id}, and theirs are theirs
    assert admin_client.get(f"/w/{workspace.slug}/restore-jobs/{job.id}/").status_code == 404
    assert admin_client.get(f"/w/{workspace.slug}/restore-jobs/2/").status_code == 404


def test_r13_a_job_cancelled_by_support_says_so_once_in_its_history(workspace, admin_user):
    from restore.selectors import job_history

    from .factories import make_user

    people = make_contacts(workspace, 2)
    archive(workspace, people)
    job = restore_job_create(
        selection=selection_from_ids(workspace=workspace, ids=[c.id for c in people]), actor=admin_user
    )
    assert RESTORE_JOBS.cancel(job_id=job.id, actor=make_user(is_staff=True))
    job.refresh_from_db()
    said = [str(what) for _when, what, _who in job_history(job=job)]
    assert sum("Cancelled" in w for w in said) == 1, said


def test_r10_the_excel_report_of_a_job_that_skipped_contacts_opens_with_their_reasons(
    admin_client, workspace, admin_user
):
    """Every Excel report of a restore that skipped anyone answered 500 (a translated
    reason is not a plain string)."""
    import io

    import openpyxl
    from django.urls import reverse

    ready, frozen = make_contacts(workspace, 1), make_contacts(workspace, 1)
    archive(workspace, ready, days=40)
    archive(workspace, frozen, days=2)
    job = restore_job_create(selection=selection(workspace, ready + frozen), actor=admin_user)
    run_job_inline(job)
    for language in ("en", "fr"):
        response = admin_client.get(
            reverse("restore:report", args=[workspace.slug, job.number]),
            {"format": "xlsx"},
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
        rows = list(book.active.iter_rows(values_only=True))
        skipped = [r for r in rows[1:] if r[4] == "skipped"]
        assert len(skipped) == 1 and skipped[0][5] == "frozen" and skipped[0][6], rows
