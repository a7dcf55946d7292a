"""A set of ids stored on the row, for filters that must not join (P2).

PostgreSQL stores it as `bigint[]`, which a GIN index serves and which the planner
tests inline while it walks an ordered index; SQLite (the embedded `bin/run`
default) stores a JSON array. `field__has=<id>` works on both."""

import json

from django.db import connection, models
from django.db.models import Aggregate, Lookup


class IdSetField(models.Field):
    description = "A set of integer ids"

    def db_type(self, connection):
        return "bigint[]" if connection.vendor == "postgresql" else "text"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return sorted(json.loads(value) if isinstance(value, str) else value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        ids = sorted({int(v) for v in value})
        return ids if connection.vendor == "postgresql" else json.dumps(ids)


@IdSetField.register_lookup
class HasId(Lookup):
    """`snapshot_tag_ids__has=7`: the set contains 7."""

    lookup_name = "has"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [int(value)]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @> ARRAY[{rhs}]::bigint[]", [*lhs_params, *rhs_params]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = {rhs})", [*lhs_params, *rhs_params]


class IdSetAgg(Aggregate):
    """The ids of a group as an IdSetField value (NULL for no rows)."""

    function = "JSON_GROUP_ARRAY"
    output_field = IdSetField()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="ARRAY_AGG", **extra)


def id_set_elements(column: str, *, alias: str) -> tuple[str, str]:
    """A FROM-clause item listing the ids of an IdSetField column (for a CROSS JOIN),
    and the expression naming each id."""
    if connection.vendor == "postgresql":
        return f"unnest({column}) AS {alias}(v)", f"{alias}.v"
    return f"json_each({column}) AS {alias}", f"{alias}.value"
