"""C4/A6: exports on the job machinery — resumable where the file is good after a killed
worker (every row once), cancellable, told when done (R13), their files deleted after
EXPORT_RETENTION_DAYS and the Exports page saying when."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cleaned.models import ExportJob
from cleaned.services.exports import EXPORTS, export_create, export_path
from contacts_app.api.auth import api_token_create

from .factories import make_contacts
from .worker import wait_until

pytestmark = pytest.mark.django_db


def csv_rows(job) -> list[list[str]]:
    return list(csv.reader(io.StringIO(export_path(job).read_text("utf-8-sig"))))


def test_a6_c4_an_export_resumed_after_a_crash_mid_chunk_writes_every_row_exactly_once(workspace, admin_user, settings):
    """A worker killed after writing a chunk's rows but before its commit leaves bytes
    past what the job row says is good: the next step cuts them off and writes again."""
    settings.EXPORT_CHUNK_SIZE = 100
    contacts = make_contacts(workspace, 250, email_status="cleaned")
    job = export_create(workspace=workspace, actor=admin_user, params={})
    assert EXPORTS.claim(job_id=job.id)
    assert EXPORTS.step(job_id=job.id)  # 100 rows committed
    job.refresh_from_db()
    good = job.file_bytes
    with export_path(job).open("ab") as fh:  # the dead worker's uncommitted half chunk
        fh.write(b"half-written,row\nanother,partial")
    while EXPORTS.step(job_id=job.id):
        pass
    job.refresh_from_db()
    rows = csv_rows(job)
    assert job.status == "succeeded" and job.rows == 250 and good < job.file_bytes
    assert len(rows) == 251 and sorted(r[0] for r in rows[1:]) == sorted(c.email for c in contacts)
    assert not any("half-written" in r[0] or "partial" in r[0] for r in rows)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a6_c4_an_export_killed_mid_file_on_a_fleet_finishes_with_the_right_row_count(workspace, admin_user, workers):
    contacts = make_contacts(workspace, 3000, email_status="cleaned")
    slow = {"EXPORT_CHUNK_SIZE": 100, "EXPORT_BATCH_PAUSE": 0.05, "JOB_STALE_AFTER": 3, "JOB_SWEEP_INTERVAL": 1}
    a, b = workers(beat=True, **slow), workers(**slow)
    job = export_create(workspace=workspace, actor=admin_user, params={})

    def rows():
        return ExportJob.objects.values_list("cursor", flat=True).get(id=job.id)

    wait_until(lambda: rows() >= 600, timeout=60, what="600 rows written")
    a.kill()
    b.kill()  # whichever held the export dies mid-file
    assert rows() < 3000, "the export finished before the kill point"
    workers(beat=True, **slow)
    wait_until(lambda: ExportJob.objects.get(id=job.id).status == "succeeded", timeout=90, what="export to finish")
    job.refresh_from_db()
    lines = csv_rows(job)
    assert job.rows == 3000 and len(lines) == 3001
    assert sorted(r[0] for r in lines[1:]) == sorted(c.email for c in contacts)  # each row once
    assert job.attempts >= 2  # resumed by another claim, not restarted from nothing


def test_a6_c4_an_admin_cancels_a_running_export_from_the_exports_page(admin_client, workspace, admin_user, settings):
    settings.EXPORT_CHUNK_SIZE = 100
    make_contacts(workspace, 300, email_status="cleaned")
    job = export_create(workspace=workspace, actor=admin_user, params={})
    EXPORTS.claim(job_id=job.id)
    EXPORTS.step(job_id=job.id)
    page = admin_client.get(reverse("cleaned:exports", args=[workspace.slug])).content.decode()
    assert reverse("cleaned:export_cancel", args=[workspace.slug, job.number]) in page
    response = admin_client.post(reverse("cleaned:export_cancel", args=[workspace.slug, job.number]))
    assert response.status_code == 302
    assert EXPORTS.step(job_id=job.id) is False  # no new chunk starts
    job.refresh_from_db()
    assert job.status == "cancelled" and job.rows == 100 and job.error == f"Cancelled by {admin_user.username}."
    assert EXPORTS.expire() == 1 and not export_path(job).exists()  # nothing to download: the file goes
    page = admin_client.get(reverse("cleaned:exports", args=[workspace.slug])).content.decode()
    assert "Cancelled" in page and reverse("cleaned:download", args=[workspace.slug, job.number]) not in page


def test_c4_r13_an_export_tells_its_requester_when_it_is_ready(admin_client, workspace, admin_user, mailoutbox):
    admin_user.email = "ada@example.com"
    admin_user.save()
    make_contacts(workspace, 3, email_status="cleaned")
    job = export_create(workspace=workspace, actor=admin_user, params={})
    EXPORTS.run(job_id=job.id)
    assert EXPORTS.notify(job_id=job.id) is True and EXPORTS.notify(job_id=job.id) is False
    assert len(mailoutbox) == 1 and f"Export #{job.number} is ready: 3 contacts" in mailoutbox[0].body
    page = admin_client.get(reverse("cleaned:exports", args=[workspace.slug])).content.decode()
    assert 'id="notices"' in page and f"Export #{job.number} is ready" in page


def test_c4_an_export_file_is_deleted_after_the_retention_and_the_pages_say_so(
    admin_client, workspace, admin_user, settings
):
    settings.EXPORT_RETENTION_DAYS = 30
    make_contacts(workspace, 2, email_status="cleaned")
    job = export_create(workspace=workspace, actor=admin_user, params={})
    EXPORTS.run(job_id=job.id)
    job.refresh_from_db()
    assert job.expires_at.date() == (job.finished_at + timedelta(days=30)).date()
    page = admin_client.get(reverse("cleaned:exports", args=[workspace.slug])).content.decode()
    assert "Kept until" in page and "Export files are deleted 30 days after they are ready." in page
    assert EXPORTS.expire() == 0 and export_path(job).exists()  # not yet
    assert EXPORTS.expire(now=timezone.now() + timedelta(days=31)) == 1
    assert not export_path(job).exists()
    page = admin_client.get(reverse("cleaned:exports", args=[workspace.slug])).content.decode()
    assert ">Expired<" in page and ">Deleted<" in page
    gone = admin_client.get(reverse("cleaned:download", args=[workspace.slug, job.number]))
    assert gone.status_code == 410 and "exports are kept 30 days" in gone.content.decode()
    token = api_token_create(workspace=workspace, user=admin_user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    detail = api.get(f"/api/v1/exports/{job.id}").json()
    assert detail["download_url"] is None and detail["expires_at"]
    download = api.get(f"/api/v1/exports/{job.id}/download")
    assert download.status_code == 410 and json.loads(download.content)["error"] == "export_expired"


def test_a6_the_metrics_endpoint_refuses_an_anonymous_caller_and_counts_jobs_per_kind(
    client, workspace, admin_user, settings
):
    settings.METRICS_TOKEN = "metrics-secret-for-tests"
    settings.METRICS_ALLOWED_IPS = []
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    make_contacts(workspace, 3, email_status="cleaned")
    job = export_create(workspace=workspace, actor=admin_user, params={})
    EXPORTS.run(job_id=job.id)
    export_create(workspace=workspace, actor=admin_user, params={})  # one more, still queued
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer metrics-secret-for-tests")
    text = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert 'crm_jobs{kind="export",status="succeeded"} 1.0' in text
    assert 'crm_jobs{kind="export",status="queued"} 1.0' in text
    assert 'crm_job_items_pending{kind="export"} 3.0' in text
    assert 'crm_job_chunk_seconds_count{kind="export"} 1.0' in text
    assert 'crm_jobs{kind="restore",status="running"} 0.0' in text  # every kind is listed
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]  # the test client's address
    assert client.get("/metrics").status_code == 200


def test_a6_a_crashed_job_task_is_counted_in_the_metrics_and_the_job_is_left_to_resume(
    client, workspace, admin_user, settings, monkeypatch
):
    settings.METRICS_TOKEN = "metrics-secret-for-tests"
    make_contacts(workspace, 2, email_status="cleaned")
    job = export_create(workspace=workspace, actor=admin_user, params={})

    def crash(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(EXPORTS, "step", crash)
    assert EXPORTS.run_in_task(job_id=job.id) == "error: disk full"
    job.refresh_from_db()
    assert job.status == "running"  # claimed, not failed: the sweeper resumes it
    text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer metrics-secret-for-tests").content.decode()
    assert 'crm_job_crashes_total{kind="export"} 1.0' in text


def test_r13_a_mail_server_that_is_down_costs_the_email_not_the_notice(workspace, admin_user, settings):
    """With no SMTP server reachable, the notice rolled back with the failed email and
    the sweeper retried for ever: nobody was told anything (found by an outside attack)."""
    from cleaned.services.exports import EXPORTS, export_create
    from contacts_app.models import Notice

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # nothing listens there
    admin_user.email = "admin@example.com"
    admin_user.save()
    job = export_create(workspace=workspace, actor=admin_user, params={})
    EXPORTS.run(job_id=job.id)
    assert EXPORTS.notify(job_id=job.id) is True
    assert Notice.objects.filter(user=admin_user, workspace=workspace).count() == 1
    assert EXPORTS.notify(job_id=job.id) is False  # told once, not retried for ever
