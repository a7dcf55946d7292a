"""Shared set-up for the benchmarks: a dedicated PostgreSQL database and Redis db."""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# The production settings on plain HTTP over loopback, as bin/test runs them.
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
for _switch in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
    os.environ.setdefault(_switch, "false")


def ensure_database(*, fresh: bool = True) -> None:
    import dj_database_url
    import psycopg2

    cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
    conn = psycopg2.connect(dbname="postgres", user=cfg["USER"], host=cfg["HOST"], port=cfg["PORT"] or 5432)
    conn.autocommit = True
    with conn.cursor() as cur:
        if fresh:  # each run measures the same empty database, not the last run's leftovers
            cur.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    conn.close()


def setup_django(*, fresh: bool = True) -> None:
    ensure_database(fresh=fresh)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Pages are rendered with whitenoise's manifest storage, as in production: it needs
    # the collected files (bin/run and bin/test collect them too; a fresh clone has none).
    call_command("collectstatic", interactive=False, verbosity=0)


def server_settings() -> str:
    """The PostgreSQL settings both the bound and the job run under (printed; the
    machine's own server keeps Debian's defaults, bench/pg_server starts one sized for
    the machine)."""
    from django.db import connection

    names = (
        "shared_buffers",
        "effective_cache_size",
        "random_page_cost",
        "work_mem",
        "synchronous_commit",
        "wal_level",
        "max_wal_size",
        "checkpoint_timeout",
        "autovacuum",
    )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s) ORDER BY name", [list(names)]
        )
        return ", ".join(f"{name}={value}" for name, value in cur.fetchall())  # with its unit: 128MB


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
