"""Run the same request from several threads released at the same instant, each on its
own database connection: how two admins' clicks or a provider's retries really race."""

import threading

from django.db import connection


def at_once(calls: list, *, timeout: float = 30) -> list:
    """Call each zero-argument function in its own thread, all released together;
    return their results in the order given."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results
