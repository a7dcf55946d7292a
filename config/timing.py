"""P5: what a request costs the server, in a `Server-Timing` header (SERVER_TIMING=true),
and, for adaptive job pacing, whether the web is busy: a request that waited for a CPU
(`contacts_app.jobs.pacing`).

`cpu` is the CPU time of the thread that served the request (`time.thread_time`, so a
gunicorn worker's other threads do not count), `db` the time spent waiting on the
database and the number of queries, `total` the wall time from this middleware in and
out. Browsers' developer tools show the header; `bench/bench_web_fleet.py` reads it to
print the CPU milliseconds per list request. Off by default: it tells anyone who can
load a page how long its queries took."""

import time

from django.conf import settings
from django.db import connections

from contacts_app.jobs.pacing import web_busy_mark


class _QueryClock:
    def __init__(self):
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.queries += 1


class RequestCostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timing, pacing = settings.SERVER_TIMING, settings.JOB_PACING == "adaptive"
        if not (timing or pacing):
            return self.get_response(request)
        clock = _QueryClock()
        wall, cpu = time.perf_counter(), time.thread_time()
        wrappers = [connections[alias].execute_wrapper(clock) for alias in connections]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
            cpu = (time.thread_time() - cpu) * 1000
            total = (time.perf_counter() - wall) * 1000
            if getattr(response, "streaming", False):
                return response  # its body is produced after this returns: no honest figure
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        db = clock.seconds * 1000
        web_busy_mark(total_ms=total, cpu_ms=cpu, db_ms=db)
        if timing:
            response["Server-Timing"] = (
                f'cpu;dur={cpu:.1f}, db;dur={db:.1f};desc="{clock.queries} queries", total;dur={total:.1f}'
            )
        return response
