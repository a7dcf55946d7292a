"""P5: pacing background jobs so that the web keeps its share of a shared machine."""

import time

import pytest

from contacts_app.jobs import machinery


class FakeClock:
    """The machinery's clock and sleep, stood still: a chunk "takes" what the step says."""

    def __init__(self):
        self.now = 1000.0
        self.rests: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.rests.append(round(seconds, 6))
        self.now += seconds


def run_chunks(monkeypatch, *, chunk_seconds: list[float]) -> FakeClock:
    clock = FakeClock()
    monkeypatch.setattr(machinery.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(machinery.time, "sleep", clock.sleep)
    left = list(chunk_seconds)

    def step() -> bool:
        if not left:
            return False
        clock.now += left.pop(0)
        return True

    finished, chunks = machinery.job_steps_run(step=step, carry_on=lambda: None)
    assert finished and chunks == len(chunk_seconds)
    return clock


def test_p5_a_duty_cycle_makes_a_job_rest_in_proportion_to_its_chunks(monkeypatch, settings):
    settings.JOB_DUTY_CYCLE, settings.JOB_CHUNK_PAUSE = 0.25, 0
    clock = run_chunks(monkeypatch, chunk_seconds=[2.0, 0.4, 1.0])
    # A quarter of the worker's time in chunks: three times each chunk's length at rest.
    assert clock.rests == [6.0, 1.2, 3.0]


def test_p5_without_a_duty_cycle_a_fleet_worker_never_rests(monkeypatch, settings):
    settings.JOB_DUTY_CYCLE, settings.JOB_CHUNK_PAUSE = 1, 0
    assert run_chunks(monkeypatch, chunk_seconds=[2.0, 2.0]).rests == []
    settings.JOB_CHUNK_PAUSE = 0.5  # the fixed pause still adds up with it
    settings.JOB_DUTY_CYCLE = 0.5
    assert run_chunks(monkeypatch, chunk_seconds=[2.0]).rests == [2.5]


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "half"])
def test_p5_a_duty_cycle_outside_0_to_1_stops_the_start_up(value):
    from .test_production import REAL_SECRET, manage

    result = manage("check", SECRET_KEY=REAL_SECRET, DEBUG="false", JOB_DUTY_CYCLE=value)
    assert result.returncode != 0 and "JOB_DUTY_CYCLE" in result.stderr


@pytest.fixture
def adaptive(settings):
    from django.core.cache import cache

    from contacts_app.jobs import pacing
    from contacts_app.jobs.pacing import BUSY_KEY

    settings.JOB_PACING, settings.JOB_DUTY_CYCLE, settings.JOB_CHUNK_PAUSE = "adaptive", 0.25, 0
    settings.WEB_BUSY_AFTER_MS, settings.WEB_QUEUED_AFTER_MS = 300, 50
    pacing._marked_at = 0.0  # no earlier test's mark holds this process back from marking
    cache.delete(BUSY_KEY)
    yield settings
    cache.delete(BUSY_KEY)


@pytest.mark.django_db
def test_p5_adaptive_pacing_runs_a_job_at_full_speed_while_the_web_is_quiet(monkeypatch, adaptive, admin_client):
    from django.urls import reverse

    response = admin_client.get(reverse("contacts:list", args=["acme"]))  # a quick page: under 300 ms
    assert response.status_code == 200
    assert run_chunks(monkeypatch, chunk_seconds=[2.0, 1.0]).rests == []


@pytest.mark.django_db
def test_p5_adaptive_pacing_backs_off_after_a_slow_request_and_not_for_ever(monkeypatch, adaptive, admin_client):
    from django.core.cache import cache
    from django.urls import reverse

    from contacts_app.jobs.pacing import BUSY_KEY

    adaptive.WEB_BUSY_AFTER_MS, adaptive.JOB_BACKOFF_SECONDS = -1, 1  # every request is "slow"
    assert admin_client.get(reverse("contacts:list", args=["acme"])).status_code == 200
    # While the mark lasts, the job keeps to its duty cycle: three times each chunk at rest.
    assert run_chunks(monkeypatch, chunk_seconds=[2.0, 1.0]).rests == [6.0, 3.0]
    # The mark expires: JOB_BACKOFF_SECONDS of quiet and the job is back at full speed (a
    # web process that dies leaves no lasting brake).
    monkeypatch.undo()
    time.sleep(1.2)
    assert cache.get(BUSY_KEY) is None
    assert run_chunks(monkeypatch, chunk_seconds=[2.0]).rests == []


def test_p5_a_request_shows_the_web_busy_by_its_wait_for_a_cpu_not_by_its_own_work(settings):
    from contacts_app.jobs.pacing import request_queued

    settings.WEB_BUSY_AFTER_MS, settings.WEB_QUEUED_AFTER_MS = 300, 20
    # 80 ms for 15 ms of CPU and 5 of database: 60 ms waiting for a CPU — the requests queue.
    assert request_queued(total_ms=80, cpu_ms=15, db_ms=5)
    # 250 ms of its own work and database: slow, but nothing waited behind anything.
    assert not request_queued(total_ms=250, cpu_ms=200, db_ms=40)
    # Past WEB_BUSY_AFTER_MS in all: busy, whatever the time went to.
    assert request_queued(total_ms=400, cpu_ms=390, db_ms=5)


@pytest.mark.django_db
def test_p5_adaptive_pacing_backs_off_while_requests_wait_for_a_cpu(monkeypatch, adaptive, admin_client):
    """A request that is quick on its own but waits behind other work (here a thread of
    its process holding the interpreter, as a busy gunicorn worker's other thread does)
    marks the web busy: the job keeps to its duty cycle while the requests queue."""
    import threading

    from django.core.cache import cache
    from django.urls import reverse

    from contacts_app.jobs.pacing import BUSY_KEY

    adaptive.WEB_BUSY_AFTER_MS, adaptive.WEB_QUEUED_AFTER_MS = 60_000, 5  # only the wait can mark it
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            sum(range(1000))

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        assert admin_client.get(reverse("contacts:list", args=["acme"])).status_code == 200
    finally:
        stop.set()
        spinner.join()
    assert cache.get(BUSY_KEY) is not None
    assert run_chunks(monkeypatch, chunk_seconds=[2.0, 1.0]).rests == [6.0, 3.0]


def test_p5_adaptive_pacing_needs_a_cache_the_web_and_workers_share():
    from .test_production import REAL_SECRET, manage

    refused = manage("check", SECRET_KEY=REAL_SECRET, DEBUG="false", JOB_PACING="adaptive")
    assert refused.returncode != 0 and "CACHE_URL" in refused.stderr
    shared = manage(
        "check", SECRET_KEY=REAL_SECRET, DEBUG="false", JOB_PACING="adaptive", CACHE_URL="redis://127.0.0.1:6379/15"
    )
    assert shared.returncode == 0, shared.stderr
    unknown = manage("check", SECRET_KEY=REAL_SECRET, DEBUG="false", JOB_PACING="sometimes")
    assert unknown.returncode != 0 and "JOB_PACING" in unknown.stderr


@pytest.mark.django_db
def test_p5_server_timing_tells_what_a_request_cost_only_when_turned_on(settings, admin_client):
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("restore:archived", args=["acme"])
    assert not admin_client.get(url).has_header("Server-Timing")  # off by default: it reveals query times
    settings.SERVER_TIMING = True
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)
    timing = re.fullmatch(
        r'cpu;dur=([0-9.]+), db;dur=([0-9.]+);desc="(\d+) queries", total;dur=([0-9.]+)', response["Server-Timing"]
    )
    assert timing, response["Server-Timing"]
    cpu, db, count, total = float(timing[1]), float(timing[2]), int(timing[3]), float(timing[4])
    assert count == len(queries) and 0 < cpu and db <= total
