"""Long lists as one parameter.

`field__in=[…]` binds a placeholder a value: at 50,000 ids psycopg spends seconds splitting the
query around them (client-side binding, Django's default) and the server as long parsing it. On
PostgreSQL `any_of` sends them as one array, `IN (SELECT unnest(%s::bigint[]))`; elsewhere (the
embedded SQLite of ./dev up) the plain list, as before."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
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
