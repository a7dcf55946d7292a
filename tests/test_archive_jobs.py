"""A1/A6: bulk archive on the job machinery. One chunk (≤ 1,000 ticked ids) is archived
at once; anything larger, and every "all matching", is an archive job — claimed in the
database, chunked, resumable, cancellable, with per-contact outcomes, a report and a
finished notice. No request archives more than one chunk."""

import csv
import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from contacts_app.api.auth import api_token_create
from contacts_app.models import ArchiveJob, ArchiveJobItem, AuditEvent, Contact, EmailStatus, ListMembership
from contacts_app.services.archive_jobs import ARCHIVE_JOBS, archive_request
from restore.services.jobs import RESTORE_JOBS, restore_job_create
from restore.services.selection import selection_from_ids

from .concurrency import at_once
from .factories import make_contact, make_contacts, make_list, make_member, make_user, subscribe
from .restore_helpers import archive

pytestmark = pytest.mark.django_db


def api(workspace, user) -> Client:
    token = api_token_create(workspace=workspace, user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def post_json(client: Client, path: str, body) -> object:
    return client.post(f"/api/v1/{path}", data=json.dumps(body), content_type="application/json")


def statuses(contacts) -> dict[str, int]:
    found = Contact.objects.filter(id__in=[c.id for c in contacts]).values_list("status", flat=True)
    counts: dict[str, int] = {}
    for status in found:
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_a6_up_to_one_chunk_of_ids_is_archived_at_once_and_answered_200(workspace, admin_user):
    contacts = make_contacts(workspace, 1000)
    response = post_json(api(workspace, admin_user), "contacts/archive", {"contact_ids": [c.id for c in contacts]})
    assert response.status_code == 200 and response.json() == {"archived": 1000}
    assert statuses(contacts) == {"archived": 1000} and not ArchiveJob.objects.exists()


def test_a6_a_5000_id_archive_answers_202_with_a_job_and_archives_nobody_in_the_request(
    workspace, other_workspace, admin_user
):
    contacts = make_contacts(workspace, 4995)
    gone = make_contacts(workspace, 2)
    archive(workspace, gone)
    strangers = make_contacts(other_workspace, 3)  # S2: another workspace's ids are "not found"
    ids = [c.id for c in contacts + gone + strangers]
    client = api(workspace, admin_user)
    response = post_json(client, "contacts/archive", {"contact_ids": ids})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["requested"] == 5000 and body["archived"] == 0
    assert statuses(contacts) == {"active": 4995}  # the request did no chunk of work
    assert ArchiveJobItem.objects.filter(job_id=body["id"]).count() == 5000

    assert ARCHIVE_JOBS.run(job_id=body["id"]).startswith("done")
    job = client.get(f"/api/v1/archive-jobs/{body['id']}").json()
    assert job["status"] == "succeeded" and job["progress"] == 1.0
    assert job["archived"] == 4995 and job["skipped"] == {"not_active": 2, "not_found": 3}
    assert job["not_processed"] == 0
    assert statuses(contacts) == {"archived": 4995} and statuses(strangers) == {"active": 3}
    by_job = AuditEvent.objects.filter(action="archive", details__archive_job=body["id"])
    archived_by_chunks = [i for e in by_job for i in e.contact_ids]
    assert sorted(archived_by_chunks) == sorted(c.id for c in contacts)  # each archived and audited once
    outsider = make_member(other_workspace)
    assert api(other_workspace, outsider).get(f"/api/v1/archive-jobs/{body['id']}").status_code == 404


def test_a6_an_archive_by_filter_is_always_a_job(workspace, admin_user):
    news = make_list(workspace, "News")
    on_list = make_contacts(workspace, 3)
    for c in on_list:
        subscribe(c, news)
    others = make_contacts(workspace, 2)
    response = post_json(api(workspace, admin_user), "contacts/archive", {"filter": {"list": news.id}})
    assert response.status_code == 202 and response.json()["requested"] == 3
    ARCHIVE_JOBS.run(job_id=response.json()["id"])
    assert statuses(on_list) == {"archived": 3} and statuses(others) == {"active": 2}


def test_a6_the_archive_api_refuses_both_or_neither_selection_and_members(workspace, admin_user, member_user):
    client = api(workspace, admin_user)
    both = post_json(client, "contacts/archive", {"contact_ids": [1], "filter": {}})
    neither = post_json(client, "contacts/archive", {})
    assert both.status_code == 400 and neither.status_code == 400
    member = post_json(api(workspace, member_user), "contacts/archive", {"filter": {}})
    assert member.status_code == 403 and not ArchiveJob.objects.exists()


def test_a6_archive_all_matching_from_the_contacts_page_confirms_then_runs_as_a_job(admin_client, workspace):
    wanted = [make_contact(workspace, email=f"sales{i}@example.com") for i in range(3)]
    kept = make_contact(workspace, email="keep@example.com")
    listing = admin_client.get(reverse("contacts:list", args=[workspace.slug]), {"q": "sales", "per_page": 25})
    assert listing.status_code == 200
    confirm = admin_client.post(
        reverse("contacts:archive_confirm", args=[workspace.slug]), {"select_all": "1", "filter": "q=sales"}
    )
    page = confirm.content.decode()
    assert confirm.status_code == 200 and "<strong>3 contacts</strong>" in page and "30-day freeze" in page
    # U3: the language switch of a page shown for a POST goes back to a page, not to this POST-only address
    assert 'name="next" value="/"' in page and 'name="next" value="/w/' not in page
    assert "every active contact matching the search “sales”" in page and 'name="confirmation"' in page
    assert statuses(wanted) == {"active": 3}  # the confirmation page changes nothing
    archive_url = reverse("contacts:archive", args=[workspace.slug])
    for typed in ("", "archive", "ARCHIVE?"):  # all matching needs the word: the page again, with what was typed
        wrong = admin_client.post(archive_url, {"select_all": "1", "filter": "q=sales", "confirmation": typed})
        again = wrong.content.decode()
        assert wrong.status_code == 400 and "Type ARCHIVE in capital letters to confirm." in again
        assert f'name="confirmation" value="{typed}"' in again and "<strong>3 contacts</strong>" in again
        assert 'name="filter" value="q=sales"' in again  # the same search, to try again
    assert statuses(wanted) == {"active": 3} and not ArchiveJob.objects.exists()
    started = admin_client.post(archive_url, {"select_all": "1", "filter": "q=sales", "confirmation": "ARCHIVE"})
    job = ArchiveJob.objects.get()
    assert started.status_code == 302 and started["Location"] == reverse(
        "contacts:archive_job", args=[workspace.slug, job.number]
    )
    ARCHIVE_JOBS.run(job_id=job.id)
    detail = admin_client.get(started["Location"]).content.decode()
    assert 'id="archived-count">3<' in detail and ">Succeeded</span>" in detail
    report = admin_client.get(reverse("contacts:archive_job_report", args=[workspace.slug, job.number]))
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["contact_id", "email", "first_name", "last_name", "outcome"]
    assert sorted(r[4] for r in rows[1:]) == ["archived"] * 3
    assert statuses([kept]) == {"active": 1}


def test_a6_s1_members_see_an_archive_job_but_cannot_start_one_or_download_its_report(
    admin_user, member_client, workspace
):
    contacts = make_contacts(workspace, 2)
    result = archive_request(
        workspace=workspace, actor=admin_user, contact_ids=[c.id for c in contacts], selection={}, all_matching=True
    )
    job_url = reverse("contacts:archive_job", args=[workspace.slug, result.job.number])
    assert member_client.get(job_url).status_code == 200
    report = reverse("contacts:archive_job_report", args=[workspace.slug, result.job.number])
    assert member_client.get(report).status_code == 403
    refused = member_client.post(reverse("contacts:archive", args=[workspace.slug]), {"select_all": "1"})
    assert refused.status_code == 403 and ArchiveJob.objects.count() == 1


def test_a6_s2_another_workspaces_archive_job_is_not_found(workspace, other_workspace, admin_client):
    stranger = make_user()
    contacts = make_contacts(other_workspace, 2)
    result = archive_request(
        workspace=other_workspace, actor=stranger, contact_ids=[c.id for c in contacts], selection={}, all_matching=True
    )
    url = reverse("contacts:archive_job", args=[workspace.slug, result.job.number])
    assert admin_client.get(url).status_code == 404


def test_a6_c5_typed_archive_of_all_matching_cleaned_contacts_is_a_job(admin_client, workspace):
    cleaned = make_contacts(workspace, 4, email_status=EmailStatus.CLEANED)
    ok = make_contacts(workspace, 2)
    response = admin_client.post(
        reverse("cleaned:archive", args=[workspace.slug]),
        {"select_all": "1", "filter": "", "confirmation": "ARCHIVE"},
    )
    job = ArchiveJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/archive-jobs/{job.number}/")
    ARCHIVE_JOBS.run(job_id=job.id)
    assert statuses(cleaned) == {"archived": 4} and statuses(ok) == {"active": 2}


def test_a6_r13_cancel_stops_an_archive_job_and_its_counts_add_up(workspace, admin_user, mailoutbox, settings):
    settings.JOB_CHUNK_SIZE = 100
    admin_user.email = "ada@example.com"
    admin_user.save()
    contacts = make_contacts(workspace, 450)
    job = archive_request(
        workspace=workspace, actor=admin_user, contact_ids=[c.id for c in contacts], selection={}, all_matching=True
    ).job
    assert ARCHIVE_JOBS.claim(job_id=job.id)
    assert ARCHIVE_JOBS.step(job_id=job.id) and ARCHIVE_JOBS.step(job_id=job.id)
    assert ARCHIVE_JOBS.cancel(job_id=job.id, actor=make_user(is_staff=True))
    assert ARCHIVE_JOBS.step(job_id=job.id) is False  # a cancelled job starts no new chunk
    job.refresh_from_db()
    assert job.status == "cancelled" and job.archived == 200
    assert job.archived + job.skipped_total + job.not_processed == job.requested == 450
    assert statuses(contacts) == {"archived": 200, "active": 250}
    assert ARCHIVE_JOBS.notify(job_id=job.id) and len(mailoutbox) == 1
    assert "200 archived, 0 left as they were, 250 not processed of 450 requested" in mailoutbox[0].body
    assert ARCHIVE_JOBS.retry(job_id=job.id, actor=make_user(is_staff=True))
    ARCHIVE_JOBS.run(job_id=job.id)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.archived == 450 and statuses(contacts) == {"archived": 450}


def test_a6_a_chunk_run_twice_archives_nobody_twice(workspace, admin_user, settings):
    """A redelivered task after a crash: the chunk's items were committed with their
    outcomes, so the claim skips them; an item re-run on its own finds the contact
    no longer active."""
    settings.JOB_CHUNK_SIZE = 100
    contacts = make_contacts(workspace, 250)
    job = archive_request(
        workspace=workspace, actor=admin_user, contact_ids=[c.id for c in contacts], selection={}, all_matching=True
    ).job
    ARCHIVE_JOBS.run(job_id=job.id)
    assert ARCHIVE_JOBS.run(job_id=job.id) == "not_claimed"
    job.refresh_from_db()
    assert job.archived == 250 and job.cursor == 250
    chunks = AuditEvent.objects.filter(action="archive", details__phase__isnull=True)
    assert chunks.count() == 3  # one row per chunk (and the job's request and finish rows)


@pytest.mark.django_db(transaction=True)
def test_a6_r11_archiving_and_restoring_the_same_contacts_at_once_neither_deadlocks_nor_double_counts(
    workspace, admin_user, settings
):
    """An archive job and a restore job over the same 600 contacts, their chunks racing
    on real connections: every contact ends in one state, each job's counts equal what
    it really did, and PostgreSQL never reports a deadlock."""
    settings.JOB_CHUNK_SIZE = 50
    news = make_list(workspace, "News")
    contacts = make_contacts(workspace, 600)
    ListMembership.objects.bulk_create([ListMembership(contact=c, mailing_list=news) for c in contacts])
    half = contacts[:300]
    archive(workspace, half, days=40)  # the first half is archived (restorable), the second active
    ids = [c.id for c in contacts]
    restore = restore_job_create(selection=selection_from_ids(workspace=workspace, ids=ids), actor=admin_user)
    archiving = archive_request(
        workspace=workspace, actor=admin_user, contact_ids=ids, selection={}, all_matching=True
    ).job
    assert RESTORE_JOBS.claim(job_id=restore.id) and ARCHIVE_JOBS.claim(job_id=archiving.id)

    def drain(kind, job_id):
        steps = 0
        while kind.step(job_id=job_id):
            steps += 1
        return steps

    results = at_once([lambda: drain(RESTORE_JOBS, restore.id), lambda: drain(ARCHIVE_JOBS, archiving.id)])
    assert all(isinstance(n, int) and n > 0 for n in results), results  # both finished, no deadlock raised
    restore.refresh_from_db()
    archiving.refresh_from_db()
    assert restore.status == archiving.status == "succeeded"
    final = statuses(contacts)
    assert sum(final.values()) == 600
    restored_items = set(
        RESTORE_JOBS.item_model.objects.filter(job=restore, outcome="restored").values_list("contact_id", flat=True)
    )
    archived_items = set(
        ArchiveJobItem.objects.filter(job=archiving, outcome="archived").values_list("contact_id", flat=True)
    )
    assert restore.restored == len(restored_items) and archiving.archived == len(archived_items)
    assert restored_items <= {c.id for c in half}  # only archived contacts can be restored
    # Each contact's final state is what the later of the two jobs left it in.
    for c in contacts:
        now_archived = Contact.objects.get(id=c.id).status == "archived"
        was_archived = c in half
        if c.id in archived_items:
            assert now_archived or c.id in restored_items
        elif c.id in restored_items:
            assert not now_archived
        else:
            assert now_archived == was_archived
    # Nothing doubled: each active contact is on the list once, each archived one not at all.
    assert ListMembership.objects.filter(mailing_list=news).count() == final.get("active", 0)


def test_a6_u4_cancelling_an_archive_job_never_shows_in_the_restore_job_of_the_same_number(
    admin_client, workspace, admin_user
):
    """Each kind of job audits under its own key: support cancelling archive job #N must
    not appear in restore job #N's history, and Activity names the right job."""
    from contacts_app.web.activity import describe
    from restore.selectors import job_history

    contacts = make_contacts(workspace, 2)
    archive(workspace, contacts, days=40)
    restore = restore_job_create(
        selection=selection_from_ids(workspace=workspace, ids=[c.id for c in contacts]), actor=admin_user
    )
    same_number = ArchiveJob.objects.create(id=restore.id, workspace=workspace, requested_by=admin_user, requested=1)
    assert ARCHIVE_JOBS.cancel(job_id=same_number.id, actor=make_user(is_staff=True))
    assert not [what for _when, what, _who in job_history(job=restore) if "Cancelled" in str(what)]
    cancelled = AuditEvent.objects.filter(action="staff_change").latest("id")
    assert describe(cancelled) == f"Archive job #{restore.id} cancelled"


def test_a1_archive_all_matching_without_a_search_says_it_is_the_whole_workspace(admin_client, workspace):
    make_contact(workspace, email="a@example.com")
    make_contact(workspace, email="b@example.com")
    confirm = admin_client.post(reverse("contacts:archive_confirm", args=[workspace.slug]), {"select_all": "1"})
    page = confirm.content.decode()
    assert confirm.status_code == 200 and "<strong>2 contacts</strong>" in page
    assert "every active contact in this workspace: no search narrows it" in page and "Type <strong>ARCHIVE" in page


def test_a6_archive_jobs_are_listed_page_by_page_for_their_workspace_only(
    admin_client, member_client, workspace, other_workspace, admin_user, django_assert_max_num_queries
):
    """Archive jobs had no list (a job's page was found only through its notice), and
    the restore jobs list stopped at its 20 newest."""
    from contacts_app.models import ArchiveJob
    from restore.models import RestoreJob

    for _ in range(30):
        ArchiveJob.objects.create(workspace=workspace, requested=5, requested_by=admin_user)
        RestoreJob.objects.create(workspace=workspace, status="succeeded", requested=5, requested_by=admin_user)
    ArchiveJob.objects.create(workspace=other_workspace, requested=99)
    url = reverse("contacts:archive_jobs", args=[workspace.slug])
    with django_assert_max_num_queries(12):
        first = admin_client.get(url, {"per_page": 25}).content.decode()
    assert ">#30</a>" in first and ">#1</a>" not in first and "30 jobs" in first and ">99<" not in first
    last = admin_client.get(url, {"page": 2, "per_page": 25}).content.decode()
    assert ">#1</a>" in last and ">#30</a>" not in last
    assert member_client.get(url).status_code == 200  # members read jobs (read-only)
    restores_url = reverse("restore:jobs", args=[workspace.slug])
    restores = admin_client.get(restores_url, {"page": 2, "per_page": 25}).content.decode()
    assert ">#1</a>" in restores and "30 jobs" in restores
    contacts = admin_client.get(reverse("contacts:list", args=[workspace.slug])).content.decode()
    assert f'href="{url}"' in contacts
