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
