"""P1: restore N archived contacts (3 lists, 4 tags, 1 account, 1 deal each) through
the real Celery worker on PostgreSQL, against a hand-written SQL lower bound run on
an identical population in the same process.

    .venv/bin/python bench/bench_restore.py --sizes 10000,100000,1000000 --workers 1,2

R14: each size is measured with one and with two worker processes; each run prints
where a chunk's time goes (claim and lock, the restore SQL as "process", outcomes,
counters, commit).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

# Its own database: it starts from an empty one, and must not drop P2's million rows.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench_p1")

from common import ROOT, Timer, server_settings, setup_django


def build_population(slug: str, n: int):
    """Archived contacts with their snapshots, written in SQL so set-up stays quick."""
    from django.db import connection, transaction

    from contacts_app.models import Workspace

    ws = Workspace.objects.create(name=slug, slug=slug, contact_limit=10 * n)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO contacts_app_account (workspace_id, name, created_at) "
            "VALUES (%s, 'Bench Corp', now()) RETURNING id",
            [ws.id],
        )
        account_id = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO contacts_app_mailinglist (workspace_id, name, created_at) "
            "SELECT %s, 'List ' || g, now() FROM generate_series(1, 3) g",
            [ws.id],
        )
        cur.execute(
            "INSERT INTO contacts_app_tag (workspace_id, name) SELECT %s, 'tag-' || g FROM generate_series(1, 4) g",
            [ws.id],
        )
        # One active partner per deal keeps the deals alive (A3), so restore re-links them.
        deals = max(1, n // 10)
        cur.execute(
            "INSERT INTO contacts_app_deal (workspace_id, title, value, created_at) "
            "SELECT %s, 'Deal ' || g, 0, now() FROM generate_series(1, %s) g",
            [ws.id, deals],
        )
        cur.execute(
            """INSERT INTO contacts_app_contact (workspace_id, email, first_name, last_name, phone, created_at,
                   updated_at, status, archived_at, email_status, cleaned_reason)
               SELECT %s, %s || '-' || g || '@bench.example', 'First', 'Last ' || g, '',
                   now() - interval '2 years', now(),
                   'archived', now() - interval '40 days', 'ok', ''
               FROM generate_series(1, %s) g""",
            [ws.id, slug, n],
        )
        cur.execute(
            """WITH partner AS (
                   INSERT INTO contacts_app_contact (workspace_id, email, first_name, last_name, phone, created_at,
                       updated_at, status, email_status, cleaned_reason)
                   SELECT %s, %s || '-partner-' || d.id || '@bench.example', 'Partner', '', d.id::text,
                       now(), now(), 'active', 'ok', ''
                   FROM contacts_app_deal d WHERE d.workspace_id = %s
                   RETURNING id, phone)
               INSERT INTO contacts_app_dealcontact (deal_id, contact_id, is_primary, created_at)
               SELECT phone::bigint, id, TRUE, now() FROM partner""",
            [ws.id, slug, ws.id],
        )
        cur.execute("SELECT min(id) FROM contacts_app_deal WHERE workspace_id = %s", [ws.id])
        first_deal = cur.fetchone()[0]
        cur.execute(
            """INSERT INTO contacts_app_archiverecord (workspace_id, contact_id, archived_at, account_id_snapshot,
                   account_name, restore_source)
               SELECT %s, id, archived_at, %s, 'Bench Corp', '' FROM contacts_app_contact
               WHERE workspace_id = %s AND status = 'archived'""",
            [ws.id, account_id, ws.id],
        )
        cur.execute(
            """INSERT INTO contacts_app_archivedlistmembership (record_id, contact_id, list_id_snapshot, list_name,
                   status, subscribed_at)
               SELECT r.id, r.contact_id, l.id, l.name, 'subscribed', now() - interval '1 year'
               FROM contacts_app_archiverecord r JOIN contacts_app_mailinglist l ON l.workspace_id = r.workspace_id
               WHERE r.workspace_id = %s""",
            [ws.id],
        )
        cur.execute(
            """INSERT INTO contacts_app_archivedcontacttag (record_id, contact_id, tag_id_snapshot, tag_name)
               SELECT r.id, r.contact_id, t.id, t.name
               FROM contacts_app_archiverecord r JOIN contacts_app_tag t ON t.workspace_id = r.workspace_id
               WHERE r.workspace_id = %s""",
            [ws.id],
        )
        cur.execute(
            """INSERT INTO contacts_app_archiveddeallink (record_id, contact_id, deal_id_snapshot, deal_title,
                   was_primary, deal_deleted)
               SELECT r.id, r.contact_id, d.id, d.title, FALSE, FALSE
               FROM contacts_app_archiverecord r
               JOIN contacts_app_deal d ON d.id = %s + (r.contact_id %% %s)
               WHERE r.workspace_id = %s""",
            [first_deal, deals, ws.id],
        )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return ws


SQL_LOWER_BOUND = [
    """INSERT INTO contacts_app_listmembership (contact_id, mailing_list_id, status, created_at)
       SELECT s.contact_id, s.list_id_snapshot, s.status, s.subscribed_at FROM contacts_app_archivedlistmembership s
       JOIN contacts_app_archiverecord r ON r.id = s.record_id AND r.restored_at IS NULL AND r.workspace_id = %(ws)s
       JOIN contacts_app_mailinglist l ON l.id = s.list_id_snapshot""",
    """INSERT INTO contacts_app_contacttag (contact_id, tag_id, created_at)
       SELECT s.contact_id, s.tag_id_snapshot, now() FROM contacts_app_archivedcontacttag s
       JOIN contacts_app_archiverecord r ON r.id = s.record_id AND r.restored_at IS NULL AND r.workspace_id = %(ws)s
       JOIN contacts_app_tag t ON t.id = s.tag_id_snapshot""",
    """INSERT INTO contacts_app_dealcontact (deal_id, contact_id, is_primary, created_at)
       SELECT s.deal_id_snapshot, s.contact_id, FALSE, now() FROM contacts_app_archiveddeallink s
       JOIN contacts_app_archiverecord r ON r.id = s.record_id AND r.restored_at IS NULL AND r.workspace_id = %(ws)s
       JOIN contacts_app_deal d ON d.id = s.deal_id_snapshot""",
    """UPDATE contacts_app_contact c
       SET status = 'active', archived_at = NULL, archived_by_id = NULL, account_id = r.account_id_snapshot
       FROM contacts_app_archiverecord r
       WHERE r.contact_id = c.id AND r.restored_at IS NULL AND r.workspace_id = %(ws)s""",
    "UPDATE contacts_app_archiverecord SET restored_at = now() WHERE workspace_id = %(ws)s AND restored_at IS NULL",
]


def row_updates() -> dict[str, tuple[int, int]]:
    """(updates, of which HOT) per table the restore rewrites, from pg_stat_user_tables;
    read after the workers have exited (a backend reports its counts when it ends) and
    after this backend's own counts are flushed."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_force_next_flush()")
        cur.execute("SELECT pg_stat_clear_snapshot()")
        cur.execute(
            "SELECT relname, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables "
            "WHERE relname IN ('contacts_app_contact', 'contacts_app_archiverecord')"
        )
        return {name: (upd, hot) for name, upd, hot in cur.fetchall()}


def hot_share(before: dict, after: dict) -> str:
    """P1: how many of the contact and archive-record updates were HOT (no index touched)."""
    parts = []
    for name, short in (("contacts_app_contact", "contact"), ("contacts_app_archiverecord", "archive record")):
        upd = after[name][0] - before[name][0]
        hot = after[name][1] - before[name][1]
        parts.append(f"{short} rows updated {upd:,}, HOT {hot:,} ({hot / max(1, upd):.0%})")
    return "; ".join(parts)


def sql_lower_bound(ws) -> float:
    from django.db import connection, transaction

    with Timer() as t, transaction.atomic(), connection.cursor() as cur:
        for statement in SQL_LOWER_BOUND:
            cur.execute(statement, {"ws": ws.id})
    return t.seconds


def worker_restore(ws, n: int, workers: int, profile: Path):
    """The restore job, request → succeeded, on `workers` worker processes (one
    process each, concurrency 1) serving the restore queue; per-chunk timings land in
    `profile` (JOB_PROFILE)."""
    import redis
    from django.conf import settings

    from contacts_app.models import Contact
    from restore.models import RestoreJob
    from restore.services.jobs import restore_job_create
    from restore.services.selection import selection_from_ids

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    profile.unlink(missing_ok=True)
    env = {**os.environ, "JOB_PROFILE": str(profile)}
    procs = []
    for k in range(workers):
        log = open(ROOT / "var" / f"bench-worker-{k}.log", "w")
        procs.append(
            subprocess.Popen(
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
                    "restore",
                    "-n",
                    f"bench{k}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        time.sleep(4 + workers)  # worker start-up is not part of the restore
        ids = list(Contact.objects.filter(workspace=ws, status="archived").order_by("id").values_list("id", flat=True))
        with Timer() as t:
            job = restore_job_create(selection=selection_from_ids(workspace=ws, ids=ids), actor=None)
            while RestoreJob.objects.get(id=job.id).status in ("queued", "running"):
                time.sleep(0.05)
        job.refresh_from_db()
        return t.seconds, job
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                print(
                    f"    (a worker had not stopped 30 s after SIGTERM: killed; see {ROOT / 'var'}/bench-worker-*.log)"
                )
                p.kill()
                p.wait()


def where_time_goes(profile: Path) -> str:
    """Mean milliseconds per 1,000-contact chunk, by step, as the workers measured them."""
    rows = [json.loads(line) for line in profile.read_text().splitlines() if line.strip()]
    steps = ("claim", "process", "outcomes", "counters", "commit")  # "process": the restore SQL
    per_k = {s: sum(r.get(s, 0) for r in rows) / max(1, sum(r["items"] for r in rows)) * 1000 for s in steps}
    total = sum(per_k.values())
    return ", ".join(f"{s} {per_k[s]:.0f} ms ({per_k[s] / total:.0%})" for s in steps) + f"; {len(rows)} chunks"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--sizes", default="10000,100000", help="comma-separated population sizes, e.g. 10000,100000,1000000"
    )
    parser.add_argument("--workers", default="1,2", help="worker counts to measure, e.g. 1,2")
    args = parser.parse_args()
    setup_django()
    from django.conf import settings

    from contacts_app.models import ListMembership

    sizes = [int(x) for x in args.sizes.split(",")]
    counts = [int(x) for x in args.workers.split(",")]
    (ROOT / "var").mkdir(exist_ok=True)
    print(
        f"P1 restore benchmark (3 lists, 4 tags, 1 account, 1 deal each), chunk {settings.JOB_CHUNK_SIZE}, "
        f"sizes {sizes}, workers {counts}; each run on its own freshly built population"
    )
    print(f"  server: {server_settings()}")
    table = []
    for n in sizes:
        with Timer() as build:
            bound_ws = build_population(f"sql-{n}", n)
            job_ws = {w: build_population(f"job{w}-{n}", n) for w in counts}
        print(f"  N={n:,}: set-up {build.seconds:.1f}s")
        before = row_updates()
        bound_s = sql_lower_bound(bound_ws)
        print(
            f"    SQL bound (one statement per table): {bound_s:.2f}s = {n / bound_s:,.0f} contacts/s; "
            f"{hot_share(before, row_updates())}"
        )
        for w in counts:
            profile = ROOT / "var" / f"restore-profile-{w}.jsonl"
            before = row_updates()
            job_s, job = worker_restore(job_ws[w], n, w, profile)
            hot = hot_share(before, row_updates())
            assert job.status == "succeeded" and job.restored == n, (job.status, job.restored, job.error)
            assert ListMembership.objects.filter(contact__workspace=job_ws[w]).count() == 3 * n
            ratio = bound_s / job_s
            table.append((n, w, bound_s, job_s, ratio))
            print(
                f"    {w} worker{'s' if w > 1 else ''}: {job_s:.2f}s = {n / job_s:,.0f} contacts/s, "
                f"{job_s / n * 1e6:.0f} µs/contact, "
                f"{ratio:.0%} of the bound; per 1,000 contacts: {where_time_goes(profile)}; {hot}"
            )
    print("\n  | contacts | workers | SQL bound | job | contacts/s | µs/contact | ratio |")
    for n, w, b, j, r in table:
        print(f"  | {n:,} | {w} | {b:.1f} s | {j:.1f} s | {n / j:,.0f} | {j / n * 1e6:.0f} | {r:.0%} |")
    for w in counts:
        costs = [j / n for n, ww, _, j, _ in table if ww == w]
        if len(costs) > 1:
            print(
                f"  cost per contact with {w} worker(s), largest vs smallest size: "
                f"{costs[-1] / costs[0]:.2f}× (target within 1.2×)"
            )


if __name__ == "__main__":
    main()
