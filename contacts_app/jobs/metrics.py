"""What operators measure of the job machinery (A6), kept in the database so that every
worker on every host adds to the same figures: chunk durations as a histogram, failures,
crashes and sweeper recoveries, per kind. One upsert per chunk, outside the chunk's
transaction (a hot counter row must not serialise the fleet's commits)."""

from django.db import connection, transaction

from contacts_app.models import JobMetric

CHUNK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def metrics_add(*, kind: str, values: list[tuple[str, str, float]]) -> None:
    """Add each (name, bucket, amount) to the kind's counters, creating them at zero."""
    if not values:
        return
    table = JobMetric._meta.db_table
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(values))
    params = [p for name, le, amount in values for p in (kind, name, le, amount)]
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Its own tiny transaction, not waiting for the WAL flush (100 ms a commit on a
            # slow disk would be paid by every chunk); a counter lost in a crash is harmless.
            cur.execute("SET LOCAL synchronous_commit TO OFF")
        cur.execute(
            f"INSERT INTO {table} (kind, name, le, value) VALUES {rows} "
            f"ON CONFLICT (kind, name, le) DO UPDATE SET value = {table}.value + excluded.value",
            params,
        )


def chunk_observe(*, kind: str, seconds: float) -> None:
    """One chunk's duration into the histogram (its bucket, the sum and the count)."""
    bucket = next((str(b) for b in CHUNK_BUCKETS if seconds <= b), "+Inf")
    metrics_add(
        kind=kind,
        values=[
            ("chunk_seconds_bucket", bucket, 1),
            ("chunk_seconds_sum", "", seconds),
            ("chunk_seconds_count", "", 1),
        ],
    )


def event_count(*, kind: str, name: str, n: int = 1) -> None:
    """A failure, a crash or sweeper recoveries."""
    if n:
        metrics_add(kind=kind, values=[(name, "", n)])
