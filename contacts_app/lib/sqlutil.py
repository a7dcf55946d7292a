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


class CompiledQuery:
    """P5: an ORM query compiled to SQL once per process, then run with each call's own
    values. The page frame runs the same few small queries on every request (the running
    job, the unread notices, the workspace switcher, the filters' choices) and Django
    compiles each anew: 0.5–1 ms of CPU apiece, for lookups the database answers in a
    tenth of that.

    `build(**values)` returns the query (a `values_list`) with each keyword where its
    value goes, as an equality lookup on an id or a text: such a value reaches the SQL
    as a parameter unchanged, which the compilation checks (it is done with sentinel
    values and fails loudly if one went missing). Calling returns the rows as tuples."""

    def __init__(self, build, **kinds: type):
        self._build = build
        self._kinds = kinds
        self._compiled: dict[str, tuple] = {}  # per database vendor (SQLite in the demo)

    def _compile(self, vendor: str) -> tuple:
        sentinels = {
            name: 987_654_321_000_000 + i if kind is int else f"\x1fsentinel {i}\x1f"
            for i, (name, kind) in enumerate(self._kinds.items())
        }
        query = self._build(**sentinels).query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        # The ORM's conversions of what the driver returns (SQLite's dates are text).
        converters = compiler.get_converters([column for column, _, _ in compiler.select[: compiler.col_count]])
        names = {value: name for name, value in sentinels.items()}
        slots = [(True, names[p]) if _hashable(p) and p in names else (False, p) for p in params]
        if {name for is_value, name in slots if is_value} != set(sentinels):
            raise ValueError(f"CompiledQuery: a value did not reach the SQL as a parameter: {sql}")
        self._compiled[vendor] = (sql, slots, compiler, converters)
        return self._compiled[vendor]

    def __call__(self, **values) -> list[tuple]:
        sql, slots, compiler, converters = self._compiled.get(connection.vendor) or self._compile(connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(sql, [values[name] if is_value else name for is_value, name in slots])
            rows = cursor.fetchall()
        return [tuple(row) for row in compiler.apply_converters(rows, converters)] if converters else rows


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
