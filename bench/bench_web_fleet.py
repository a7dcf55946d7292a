"""P5: the archived list through gunicorn under load, while a restore job runs.

    .venv/bin/python bench/bench_web_fleet.py --n 1000000 --small 1000

Its own database (`crm_bench_p5`): P2's million archived contacts in one workspace
("big", built by bench_archived_list.build) and `--small` small workspaces (20 active
and 20 archived contacts each). gunicorn serves the production settings on loopback;
one Celery worker (restore queue) runs a restore job in the big workspace during the
measurement. Eight client threads request the big workspace's archived list — the
first page and each filter of P2 — in turns; then eight threads request small
workspaces' lists, still beside the running job. Server round trips are measured by
the clients (so they include gunicorn and loopback, not only Django). A first run with no
job shows the floor: what the web's own requests queueing behind each other cost.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench_p5")

from common import ROOT, Timer, server_settings, setup_django

PORT = 8771
CACHE_URL = "redis://127.0.0.1:6379/13"  # the web's busy mark, shared with the worker (adaptive pacing)


def build_small(count: int, user) -> list[str]:
    from django.db import connection, transaction

    from contacts_app.models import Role, Workspace, WorkspaceMembership

    slugs = []
    with transaction.atomic():
        for k in range(count):
            ws = Workspace.objects.create(name=f"Small {k}", slug=f"small-{k}", contact_limit=1000)
            WorkspaceMembership.objects.create(workspace=ws, user=user, role=Role.ADMIN)
            slugs.append(ws.slug)
        with connection.cursor() as cur:
            cur.execute(
                """INSERT INTO contacts_app_contact (workspace_id, email, first_name, last_name, phone, created_at,
                       updated_at, status, archived_at, email_status, cleaned_reason)
                   SELECT w.id, 'c' || g || '@' || w.slug || '.example', 'First', 'Last' || g, '',
                       now() - interval '2 years', now(),
                       CASE WHEN g <= 20 THEN 'active' ELSE 'archived' END,
                       CASE WHEN g <= 20 THEN NULL ELSE now() - (g || ' days')::interval END, 'ok', ''
                   FROM contacts_app_workspace w CROSS JOIN generate_series(1, 40) g WHERE w.slug LIKE 'small-%%'"""
            )
            cur.execute(
                """INSERT INTO contacts_app_archiverecord (workspace_id, contact_id, archived_at,
                       account_name, restore_source)
                   SELECT c.workspace_id, c.id, c.archived_at, '', '' FROM contacts_app_contact c
                   JOIN contacts_app_workspace w ON w.id = c.workspace_id AND w.slug LIKE 'small-%%'
                   WHERE c.status = 'archived'"""
            )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    return slugs


def hammer(urls: list[str], cookie: str, clients: int, rounds: int) -> tuple[list[float], int]:
    """`clients` threads, each requesting every URL `rounds` times in a shuffled order."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(seed: int):
        rng = random.Random(seed)
        mine = urls * rounds
        rng.shuffle(mine)
        for url in mine:
            request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except Exception:  # noqa: BLE001 — any failed request (incl. http.client errors) counts; the thread goes on
                ok = False
            elapsed = (time.perf_counter() - t) * 1000
            with lock:
                times.append(elapsed)
                errors[0] += 0 if ok else 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return sorted(times), errors[0]


def _cpu_ticks(match) -> int:
    """utime + stime (and those of its ended children) of every process `match` picks, from /proc (ticks)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if match(int(entry), stat[stat.index("(") + 1 : stat.rindex(")")], command):
            total += sum(int(v) for v in fields[11:15])  # its own and its reaped children's (a backend that ended)
    return total


def request_costs(urls: list[str], cookie: str, rounds: int, web_pid: int) -> dict:
    """One client, no job: each URL `rounds` times. The Django thread's CPU and database
    wait per request from the Server-Timing header; the web processes' and PostgreSQL's
    CPU per request from /proc (PostgreSQL's includes its background processes)."""
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")

    def is_web(pid, name, command):
        return pid == web_pid or ("gunicorn" in command and "config.wsgi" in command)

    def is_db(pid, name, command):
        return name.startswith("postgres")

    cpu, db, queries = [], [], []
    web0, db0 = _cpu_ticks(is_web), _cpu_ticks(is_db)
    for url in urls * rounds:
        request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            timing = dict(
                (part.split(";")[0].strip(), part) for part in response.headers.get("Server-Timing", "").split(",")
            )
        cpu.append(float(timing["cpu"].split("dur=")[1]))
        db.append(float(timing["db"].split("dur=")[1].split(";")[0]))
        queries.append(int(timing["db"].split('desc="')[1].split()[0]))
    n = len(cpu)
    return {
        "requests": n,
        "cpu_p50": statistics.median(cpu),
        "cpu_mean": statistics.fmean(cpu),
        "cpu_max": max(cpu),
        "db_mean": statistics.fmean(db),
        "queries": max(queries),
        "web_cpu": (_cpu_ticks(is_web) - web0) * tick_ms / n,
        "db_cpu": (_cpu_ticks(is_db) - db0) * tick_ms / n,
    }


def costs_print(label: str, c: dict, target: str) -> None:
    print(
        f"  {label}: {c['requests']} requests, one client, no job — Django CPU p50 {c['cpu_p50']:.1f} ms, "
        f"mean {c['cpu_mean']:.1f} ms, max {c['cpu_max']:.1f} ms ({target}); database wait mean "
        f"{c['db_mean']:.1f} ms, ≤ {c['queries']} queries; per request, web processes' CPU {c['web_cpu']:.1f} ms, "
        f"PostgreSQL's CPU {c['db_cpu']:.1f} ms"
    )


def p95(times: list[float]) -> float:
    return times[max(0, int(len(times) * 0.95) - 1)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--duty", type=float, nargs="*", default=[1.0, 0.5], help="JOB_DUTY_CYCLE of the worker, one run each"
    )
    parser.add_argument(
        "--adaptive",
        type=float,
        nargs="*",
        default=[0.25],
        help="JOB_PACING=adaptive runs, each with this JOB_DUTY_CYCLE while the web is busy",
    )
    parser.add_argument("--skip-no-job", action="store_true", help="no run of the web alone, without a job")
    parser.add_argument("--cost-rounds", type=int, default=10, help="rounds of the one-client CPU measurement")
    args = parser.parse_args()
    setup_django(fresh=not args.reuse)
    import redis
    from bench_archived_list import build
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from contacts_app.models import MailingList, Tag, Workspace
    from restore.forms import archived_filter
    from restore.models import RestoreJob
    from restore.services.jobs import RESTORE_JOBS, restore_job_create
    from restore.services.selection import selection_from_queryset

    with Timer() as t:
        if args.reuse and Workspace.objects.filter(slug="big").exists():
            ws, user = Workspace.objects.get(slug="big"), get_user_model().objects.get(username="bench-admin")
            slugs = list(Workspace.objects.filter(slug__startswith="small-").values_list("slug", flat=True))
        else:
            ws, user = build(args.n)
            slugs = build_small(args.small, user)
    print(f"P5 set-up {t.seconds:.0f}s: {args.n:,} archived contacts in 'big', {len(slugs):,} small workspaces")
    print(f"  server: {server_settings()}")
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    base = f"http://127.0.0.1:{PORT}"
    lst, tag = MailingList.objects.filter(workspace=ws).first(), Tag.objects.filter(workspace=ws, name="tag-1").first()
    cohort = Tag.objects.get(workspace=ws, name="cohort")
    filters = [
        "",
        "restorable=yes",
        "restorable=frozen",
        "restorable=expiring",
        "restorable=merged",
        "q=person4242",
        "archived_after=2026-03-01&archived_before=2026-04-01",
        f"list={lst.id}",
        f"tag={tag.id}",
        f"tag={cohort.id}",
        "email_status=cleaned",
        "sort=archived",
        "sort=email",
        "sort=-name",
        "page=50",
    ]
    big_urls = [f"{base}/w/big/contacts/archived/?{f}" for f in filters]

    env = {
        **os.environ,
        "WEB_CONCURRENCY": os.getenv("WEB_CONCURRENCY", "4"),
        "WEB_THREADS": os.getenv("WEB_THREADS", "2"),
        "PORT": str(PORT),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SERVER_TIMING": "true",
        "JOB_PACING": "adaptive",  # the web marks itself busy; a worker reads the mark only when adaptive
        "CACHE_URL": CACHE_URL,
    }
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "config/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=open(ROOT / "var" / "bench-gunicorn.log", "w"),
        stderr=subprocess.STDOUT,
    )

    def worker_start(duty: float, pacing: str):
        redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
        redis.Redis.from_url(CACHE_URL).flushdb()
        return subprocess.Popen(
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
            ],
            cwd=ROOT,
            env={**os.environ, "JOB_DUTY_CYCLE": str(duty), "JOB_PACING": pacing, "CACHE_URL": CACHE_URL},
            stdout=open(ROOT / "var" / f"bench-worker-{pacing}-{duty}.log", "w"),
            stderr=subprocess.STDOUT,
        )

    staff = get_user_model().objects.get_or_create(username="bench-staff", is_staff=True)[0]

    def job_start():
        """A restore of the list with the most restorable contacts left (about 140,000 at
        first; earlier runs' restores use them up), so that the job outlasts the measurement."""
        best = None
        for candidate in MailingList.objects.filter(workspace=ws).order_by("id"):
            params = {"restorable": "yes", "list": str(candidate.id)}
            matching = archived_filter(params, workspace=ws).qs_or_error()
            left = matching[:200_000].count()
            if best is None or left > best[0]:
                best = (left, params, matching)
        left, params, matching = best
        if left < 60_000:
            print(f"    (only {left:,} restorable contacts left on any list: the job may end within the measurement)")
        selection = selection_from_queryset(workspace=ws, queryset=matching, description=params)
        job = restore_job_create(selection=selection, actor=user, confirm_overage=True)
        while RestoreJob.objects.get(id=job.id).status == "queued":
            time.sleep(0.1)
        return job

    def job_progress(job, start_cursor, started):
        """The job now, what to say of it ("job running", "no job") and its throughput since `started`."""
        if job is None:
            return None, "no job", ""
        during = RestoreJob.objects.get(id=job.id)
        rate = (during.cursor - start_cursor) / (time.monotonic() - started)
        return during, f"job {during.status}", f"; the restore meanwhile: {rate:,.0f} contacts/s"

    def measure(duty: float | None, pacing: str = "fixed") -> None:
        """P5 with the worker paced at `duty` (1: not paced; adaptive: while the web is
        busy), the restore's throughput beside; `duty` None: the web alone, no job."""
        worker = worker_start(duty, pacing) if duty is not None else None
        job = None
        try:
            job = job_start() if worker else None
            cursor = (lambda: RestoreJob.objects.get(id=job.id).cursor) if job else (lambda: 0)
            start_cursor, started = cursor(), time.monotonic()
            times, errors = hammer(big_urls, cookie, args.clients, args.rounds)
            during, _, rate = job_progress(job, start_cursor, started)
            if duty is None:
                label, beside = "no job", "with no job running"
            else:
                label = "not paced" if duty >= 1 else f"JOB_DUTY_CYCLE={duty}"
                if pacing == "adaptive":
                    label = f"JOB_PACING=adaptive, JOB_DUTY_CYCLE={duty} while busy"
                beside = f"while restore job #{job.id} ran ({during.cursor:,}/{during.requested:,}, {during.status})"
            print(
                f"  [{label}] big workspace, {args.clients} clients, {len(times)} requests over {len(filters)} "
                f"pages/filters {beside}:"
            )
            print(
                f"    p50 {statistics.median(times):.1f} ms, p95 {p95(times):.1f} ms, max {times[-1]:.1f} ms, "
                f"errors {errors} (target p95 ≤ 300 ms){rate}"
            )
            small_urls = [
                f"{base}/w/{s}/contacts/archived/" for s in random.Random(1).sample(slugs, min(100, len(slugs)))
            ]
            start_cursor, started = cursor(), time.monotonic()
            times, errors = hammer(small_urls, cookie, args.clients, 1)
            _, state, rate = job_progress(job, start_cursor, started)
            print(
                f"    small workspaces beside it ({len(slugs):,}), {args.clients} clients, {len(times)} requests, "
                f"{state}: p50 {statistics.median(times):.1f} ms, p95 {p95(times):.1f} ms, "
                f"errors {errors} (target p95 ≤ 50 ms){rate}"
            )
        finally:
            if job is not None:
                RESTORE_JOBS.cancel(job_id=job.id, actor=staff)
            if worker is not None:
                worker.terminate()
                worker.wait(30)

    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1)
                break
            except OSError:  # not serving yet (URLError, HTTPError 503, refused, reset, timeout)
                time.sleep(0.2)
        time.sleep(3)
        hammer(big_urls, cookie, 4, 1)  # warm the workers' connections and caches
        small_sample = [f"{base}/w/{s}/contacts/archived/" for s in random.Random(2).sample(slugs, min(15, len(slugs)))]
        costs_print(
            "CPU per request, big workspace",
            request_costs(big_urls, cookie, args.cost_rounds, web.pid),
            "target < 20 ms",
        )
        small_costs = request_costs(small_sample, cookie, args.cost_rounds, web.pid)
        costs_print("CPU per request, small workspaces", small_costs, "")
        if not args.skip_no_job:
            measure(None)  # the floor: the web's own queueing, which no pacing can take away
        for duty in args.duty:
            measure(duty)
        for duty in args.adaptive:
            measure(duty, "adaptive")
    finally:
        web.terminate()
        web.wait(30)


if __name__ == "__main__":
    main()
