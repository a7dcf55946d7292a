"""P3 and P4: cleaned contacts at scale.

    .venv/bin/python bench/bench_cleaned.py --archive-n 100000 --export-n 1000000 --webhook-events 20000

P3  bulk archive of N cleaned contacts (2 lists, 2 tags each) through the C5 service;
    CSV export of M rows through the export task, in a child process whose peak RSS is
    reported next to a 10x smaller export's (flat memory means about the same).
P4  bounce webhook throughput on loopback: signed batches of 100 events posted by 4
    client threads to a real `runserver`; every event must be stored (none lost). The
    events carry their evidence (code and diagnostic, C7): 1 in 10 is a 5.1.1 that
    cleans its address (recording the cleaning and the prior list statuses).
C8  incident revert of N cleanings (2 lists each) through a real worker, request →
    succeeded (target ≤ 60 s).
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC

from common import ROOT, Timer, setup_django


def make_cleaned(slug: str, n: int, *, with_associations: bool, email_status: str = "cleaned"):
    from django.db import connection, transaction

    from contacts_app.models import Workspace

    ws = Workspace.objects.create(name=slug, slug=slug, contact_limit=10 * n)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """INSERT INTO contacts_app_contact (workspace_id, email, first_name, last_name, phone, created_at,
                   updated_at, status, email_status, cleaned_at, cleaned_reason, bounce_count)
               SELECT %s, %s || '-' || g || '@bench.example', '=First' || g, 'Last', '+33 6', now(), now(), 'active',
                   %s, CASE WHEN %s = 'cleaned' THEN now() END,
                   CASE WHEN %s = 'cleaned' THEN '550 5.1.1 unknown user' ELSE '' END,
                   CASE WHEN %s = 'cleaned' THEN 1 ELSE 0 END
               FROM generate_series(1, %s) g""",
            [ws.id, slug, email_status, email_status, email_status, email_status, n],
        )
        if with_associations:
            cur.execute(
                "INSERT INTO contacts_app_mailinglist (workspace_id, name, created_at) "
                "SELECT %s, 'List ' || g, now() FROM generate_series(1, 2) g",
                [ws.id],
            )
            cur.execute(
                "INSERT INTO contacts_app_tag (workspace_id, name) SELECT %s, 'tag-' || g FROM generate_series(1, 2) g",
                [ws.id],
            )
            cur.execute(
                """INSERT INTO contacts_app_listmembership (contact_id, mailing_list_id, status, created_at)
                   SELECT c.id, l.id, CASE WHEN c.email_status = 'cleaned' THEN 'bounced' ELSE 'subscribed' END, now()
                   FROM contacts_app_contact c JOIN contacts_app_mailinglist l ON l.workspace_id = c.workspace_id
                   WHERE c.workspace_id = %s""",
                [ws.id],
            )
            cur.execute(
                """INSERT INTO contacts_app_contacttag (contact_id, tag_id, created_at)
                   SELECT c.id, t.id, now()
                   FROM contacts_app_contact c JOIN contacts_app_tag t ON t.workspace_id = c.workspace_id
                   WHERE c.workspace_id = %s""",
                [ws.id],
            )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return ws


def bench_archive(n: int) -> None:
    from cleaned.services.archive import cleaned_contacts_archive
    from contacts_app.models import Contact
    from contacts_app.services.archive_jobs import ARCHIVE_JOBS

    ws = make_cleaned("p3-archive", n, with_associations=True)
    ids = list(Contact.objects.filter(workspace=ws).values_list("id", flat=True))
    with Timer() as t:
        # A6: the request answers with an archive job; the job's chunks run here, in
        # this process (one worker's work), so the figure is request + job.
        job = cleaned_contacts_archive(workspace=ws, contact_ids=ids, confirmation="ARCHIVE", actor=None).job
        ARCHIVE_JOBS.run(job_id=job.id)
    job.refresh_from_db()
    archived = job.archived
    assert archived == n
    print(
        f"  P3 bulk archive of {n:,} cleaned contacts (2 lists, 2 tags each): {t.seconds:.1f}s = "
        f"{n / t.seconds:,.0f} contacts/s (target ≤ 60 s)"
    )


def export_in_child(ws, label: str) -> None:
    from cleaned.models import ExportJob

    job = ExportJob.objects.create(workspace=ws, filter={}, file_name=f"bench-{label.replace(' ', '-')}.csv")
    code = (
        "import sys, time, resource; sys.path[:0] = ['bench', '.']; import common, django; django.setup();"
        "from cleaned.services.exports import EXPORTS; t = time.perf_counter();"
        f"EXPORTS.run(job_id={job.id}); s = time.perf_counter() - t;"
        "print(s, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, check=True
    )
    seconds, rss_kb = out.stdout.split()[-2:]
    job.refresh_from_db()
    seconds = float(seconds)
    print(
        f"  P3 CSV export of {job.rows:,} rows ({label}): {seconds:.1f}s = {job.rows / seconds:,.0f} rows/s, "
        f"peak RSS {int(rss_kb) / 1024:.0f} MB"
    )


def bench_webhook(events: int) -> None:
    from cleaned.signing import sign

    ws = make_cleaned("p4-webhook", 10_000, with_associations=True, email_status="ok")
    port = 8765
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=1)
                break
            except OSError:  # not listening yet (URLError, refused, reset, timeout)
                time.sleep(0.2)

        def evidence(k: int) -> dict:
            if k % 10 == 0:
                return {
                    "type": "hard",
                    "code": "5.1.1",
                    "diagnostic": "smtp; 550 5.1.1 Recipient address rejected: User unknown",
                }
            return {"type": "soft", "code": "4.2.2", "diagnostic": "smtp; 452 4.2.2 Mailbox full, try again later"}

        batches = [
            [
                {
                    "id": f"e{b}-{i}",
                    "email": f"p4-webhook-{(b * 100 + i) % 10_000 + 1}@bench.example",
                    "occurred_at": "2026-11-23T10:00:00Z",
                    "reason": "bounce",
                    **evidence(b * 100 + i),
                }
                for i in range(100)
            ]
            for b in range(events // 100)
        ]
        failures = []

        def post(chunk):
            for batch in chunk:
                body = json.dumps({"events": batch}).encode()
                ts = str(int(time.time()))
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/v1/bounces",
                    data=body,
                    method="POST",
                    headers={
                        "Content-Type": "application/json",
                        "X-Workspace": ws.slug,
                        "X-Timestamp": ts,
                        "X-Signature": sign(secret=ws.webhook_secret, timestamp=ts, body=body),
                    },
                )
                with urllib.request.urlopen(request, timeout=30) as response:
                    if response.status != 202:
                        failures.append(response.status)

        threads = [threading.Thread(target=post, args=(batches[k::4],)) for k in range(4)]
        with Timer() as t:
            for th in threads:
                th.start()
            for th in threads:
                th.join()
    finally:
        server.terminate()
        server.wait(10)
    from cleaned.models import BounceEvent, Cleaning

    stored = BounceEvent.objects.filter(workspace=ws).exclude(code="").count()
    cleanings = Cleaning.objects.filter(workspace=ws).count()
    print(
        f"  P4 bounce webhook: {len(batches) * 100:,} events in {t.seconds:.1f}s = "
        f"{len(batches) * 100 / t.seconds:,.0f} events/s "
        f"over loopback (4 clients, 100 events/request); stored with evidence {stored:,}, "
        f"lost {len(batches) * 100 - stored}, "
        f"failed requests {len(failures)}, addresses cleaned {cleanings:,} (target ≥ 1,000/s)"
    )


def bench_incident_revert(n: int) -> None:
    """C8: N cleanings by one provider in one hour, reverted through a real worker."""
    from datetime import datetime, timedelta

    import redis
    from django.conf import settings

    from cleaned.models import IncidentRevertJob
    from cleaned.services.bounces import BounceInput, bounces_apply
    from cleaned.services.incidents import Incident, incident_revert_create
    from contacts_app.models import Contact, ListMembership

    ws = make_cleaned("c8-revert", n, with_associations=True, email_status="ok")
    t0 = datetime(2026, 11, 20, 9, tzinfo=UTC)
    emails = list(Contact.objects.filter(workspace=ws).order_by("id").values_list("email", flat=True))
    with Timer() as setup:
        for start in range(0, n, 10_000):
            bounces_apply(
                workspace=ws,
                provider="mailgun",
                events=[
                    BounceInput(
                        event_id=f"i{k}",
                        email=e,
                        type="hard",
                        occurred_at=t0 + timedelta(milliseconds=k),
                        code="5.1.1",
                        diagnostic="550 5.1.1 mailbox unavailable (DNS lookup of MX failed)",
                    )
                    for k, e in enumerate(emails[start : start + 10_000], start)
                ],
            )
    print(
        f"  C8 set-up: {n:,} addresses cleaned through the bounce service in "
        f"{setup.seconds:.1f}s ({n / setup.seconds:,.0f}/s)"
    )
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    log = open(ROOT / "var" / "bench-worker.log", "w")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            "restore,exports,bounces,maintenance",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(4)  # worker start-up is not part of the revert
        incident = Incident(
            workspace=ws,
            provider="mailgun",
            bounce_class="address_gone",
            cleaned_from=t0,
            cleaned_until=t0 + timedelta(hours=1),
        )
        with Timer() as t:
            job = incident_revert_create(incident=incident, actor=None, reason="bench: provider incident")
            while IncidentRevertJob.objects.get(id=job.id).status in ("queued", "running"):
                time.sleep(0.05)
    finally:
        worker.terminate()
        worker.wait(30)
    job.refresh_from_db()
    ok = Contact.objects.filter(workspace=ws, email_status="ok").count()
    restored = ListMembership.objects.filter(contact__workspace=ws, status="subscribed").count()
    assert job.status == "succeeded" and job.reverted == n and ok == n and restored == 2 * n, (
        job.status,
        job.reverted,
        ok,
        restored,
    )
    print(
        f"  C8 incident revert of {n:,} cleanings (2 lists each) through the worker, request → succeeded: "
        f"{t.seconds:.1f}s = {n / t.seconds:,.0f} cleanings/s (target ≤ 60 s)"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--archive-n", type=int, default=100_000)
    parser.add_argument("--export-n", type=int, default=1_000_000)
    parser.add_argument("--webhook-events", type=int, default=20_000)
    parser.add_argument("--revert-n", type=int, default=100_000)
    parser.add_argument("--only", choices=["p3", "p4", "c8"], help="run one part")
    args = parser.parse_args()
    setup_django()
    (ROOT / "var").mkdir(exist_ok=True)
    print("P3/P4/C8 cleaned-contacts benchmarks")
    if args.only in (None, "p3"):
        bench_archive(args.archive_n)
        small = make_cleaned("p3-export-small", args.export_n // 10, with_associations=False)
        export_in_child(small, "one tenth, for comparison")
        big = make_cleaned("p3-export", args.export_n, with_associations=False)
        export_in_child(big, "full")
    if args.only in (None, "p4"):
        bench_webhook(args.webhook_events)
    if args.only in (None, "c8"):
        bench_incident_revert(args.revert_n)


if __name__ == "__main__":
    main()
