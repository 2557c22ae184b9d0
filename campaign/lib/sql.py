"""Long lists as one parameter.

`field__in=[…]` binds a placeholder a value: at 50,000 ids psycopg spends seconds splitting the
query around them (client-side binding, Django's default) and the server as long parsing it. On
PostgreSQL `any_of` sends them as one array, `IN (SELECT unnest(%s::bigint[]))`; elsewhere (the
embedded SQLite of ./dev up) the plain list, as before.

Beside it: InValues and InSubquery, conditions an index serves even inside an OR (a scope's
branches); capped_counts, several counts that stop early, in one query; copy_insert, rows
written with COPY."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, F, Func, Subquery
from django.db.models.expressions import RawSQL

ARRAY_TYPES = frozenset({"bigint", "integer", "text", "date"})


def any_of(values: Iterable, db_type: str = "bigint"):
    """The right-hand side of an `__in` lookup holding `values` (of the PostgreSQL `db_type`)."""
    if db_type not in ARRAY_TYPES:
        raise ValueError(f"not an array type here: {db_type}")
    values = list(values)
    if connection.vendor != "postgresql":
        return values
    return RawSQL(f"SELECT unnest(%s::{db_type}[])", [values])  # noqa: S611 (the type is one of ARRAY_TYPES; the values a parameter)


class InValues(Func):
    """`column` is one of `values` (ids), as a condition an index on `column` serves, in one parameter.

    On PostgreSQL `column = ANY(%s::bigint[])`: the planner sees the values, so it knows how many
    rows they select (a street's units, a tenth of the ledger; a community's, a hundredth), and
    each branch of an OR is its own index scan, combined in a BitmapOr. On SQLite the values as
    one JSON parameter, `column IN (SELECT value FROM json_each(%s))`, which it serves from an
    index on `column` too."""

    conditional = True
    output_field = BooleanField()
    arity = 1

    def __init__(self, column: str, values: Iterable[int]):
        super().__init__(F(column))
        self.values = sorted(set(values))

    def as_sql(self, compiler, connection, **extra_context):
        column_sql, column_params = compiler.compile(self.get_source_expressions()[0])
        sql = f"{column_sql} IN (SELECT value FROM json_each(%s))"  # noqa: S608 (a compiled column; the values a parameter)
        return sql, (*column_params, json.dumps(self.values))

    def as_postgresql(self, compiler, connection, **extra_context):
        column_sql, column_params = compiler.compile(self.get_source_expressions()[0])
        return f"{column_sql} = ANY(%s::bigint[])", (*column_params, self.values)


class InSubquery(Func):
    """`column` is one of the values `subquery` selects, as a condition an index on `column` serves.

    `column IN (SELECT …)` is a semi-join: fine alone, but OR-ed with another condition
    PostgreSQL can only test it row by row (a hashed SubPlan over the whole table). Written as
    `column = ANY(ARRAY(SELECT …))` the subquery runs once (an InitPlan) and the condition is an
    index qual, so that each branch of an OR is its own index scan, combined in a BitmapOr. On
    SQLite, the plain `IN (SELECT …)`, which its planner serves from an index either way."""

    conditional = True
    output_field = BooleanField()
    arity = 2

    def __init__(self, column: str, subquery):
        super().__init__(F(column), Subquery(subquery.order_by()))

    def as_sql(self, compiler, connection, **extra_context):
        column, subquery = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        subquery_sql, subquery_params = compiler.compile(subquery)
        return f"{column_sql} IN {subquery_sql}", (*column_params, *subquery_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        column, subquery = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        subquery_sql, subquery_params = compiler.compile(subquery)
        return f"{column_sql} = ANY(ARRAY{subquery_sql})", (*column_params, *subquery_params)


def capped_counts(querysets: dict, cap: int) -> dict[str, int]:
    """How many rows each of `querysets` has, counting no further than cap + 1 (which means "more
    than cap"): one query, each count reading at most cap + 1 index entries or rows."""
    if not querysets:
        return {}
    parts, params = [], []
    for i, queryset in enumerate(querysets.values()):
        try:
            sql, part_params = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing (a scope with no unit)
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{i})")  # noqa: S608 (a compiled queryset)
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(querysets, row, strict=True))


def copy_insert(model, objs: list) -> None:
    """Insert `objs` (new rows of `model`, their ids left to the database) at once: with COPY on
    PostgreSQL, else bulk_create. bulk_create binds a parameter a value (on PostgreSQL an array
    a column, which psycopg builds value by value in Python); COPY streams the rows. The rows'
    ids are not read back: for rows written and never touched again (audit rows)."""
    from django.db import connections, router
    from django.db.models import AutoField, BigAutoField, SmallAutoField

    if not objs:
        return
    conn = connections[router.db_for_write(model)]
    if conn.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=1000)
        return
    fields = [
        f for f in model._meta.local_concrete_fields if not isinstance(f, AutoField | BigAutoField | SmallAutoField)
    ]
    quote = conn.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
    with conn.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, add=True), connection=conn) for f in fields])
