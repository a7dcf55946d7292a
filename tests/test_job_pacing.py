"""P5: pacing background jobs so that the web keeps its share of a shared machine."""

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
