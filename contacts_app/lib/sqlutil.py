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
