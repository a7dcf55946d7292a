"""Small helpers for the hand-written set-based SQL (archive and restore hot paths)."""

from collections.abc import Sequence

from django.db import connection


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def in_ids(column: str, ids: Sequence[int]) -> tuple[str, list]:
    """`column` is one of `ids`: = ANY(array) on PostgreSQL (one parameter, cheap to
    plan), an IN list elsewhere."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def utc_timestamps_register() -> None:
    """S4: every aware datetime reaches PostgreSQL in UTC. Python allows offsets up to
    ±23:59, PostgreSQL only ±15:59 ("time zone displacement out of range"): a bounce
    dated `…+16:00`, an incident window or an admin filter written so answered 500.
    Converted here, one place for every query (the ORM's, the admin's, ours)."""
    from datetime import UTC, datetime

    import psycopg2.extensions

    default = psycopg2.extensions.adapters[(datetime, psycopg2.extensions.ISQLQuote)]
    if getattr(default, "utc_first", False):
        return

    def utc_first(value: datetime):
        if value.tzinfo is not None:
            try:
                value = value.astimezone(UTC)
            except OverflowError:  # year 1 or 9999 in UTC: left as written (its offset is small)
                pass
        return default(value)

    utc_first.utc_first = True
    psycopg2.extensions.register_adapter(datetime, utc_first)
