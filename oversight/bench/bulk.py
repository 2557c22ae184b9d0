"""The SQL plumbing of the bulk seeds (oversight.bench.hazards, .risks): numbers fixed by a row's
ordinal, history rows as INSERT … SELECT, a chunk's transaction and its key checks, and the
session tables the seeds pick places, sites, sectors and staff from."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from campaign.demo import RISK_TEMPLATES
from districts.models import OrgUnit, Sector

# The session tables of lookup_tables, dropped again when the seed is done.
LOOKUP_TABLES = ("bench_place", "bench_site", "bench_sector", "bench_staff")


def hashed(salt: int) -> str:
    """SQL for a number in [0, 1) fixed by the row's ordinal `g` and `salt` (< 64)."""
    return f"((hashint8(g * 64 + {salt}) & 2147483647)::float8 / 2147483648.0)"


def columns_of(model) -> list[str]:
    return [field.column for field in model._meta.concrete_fields]


def sequence_of(model) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        return cursor.fetchone()[0]


def history_sql(model, *, source: str, on: str, date: str, kind: str, user: str, overrides=None, more="") -> str:
    """INSERT of one history row per row of `model` joined to `source` (alias b) `on`: the row as
    stored, but for the columns in `overrides`, dated `date`, of `kind` ('+' or '~'), by `user`."""
    columns = columns_of(model)
    values = [(overrides or {}).get(column, f"h.{column}") for column in columns]
    return (
        f"INSERT INTO {model.history.model._meta.db_table} "  # noqa: S608 (model tables, our own SQL)
        f"({', '.join(columns)}, history_date, history_change_reason, history_type, history_user_id) "
        f"SELECT {', '.join(values)}, {date}, NULL, {kind}, {user} "
        f"FROM {model._meta.db_table} h JOIN {source} b ON {on} {more}"
    )


def bulk_chunk(cursor) -> None:
    """The settings of one chunk's transaction. Its foreign keys are checked once per chunk, by
    check_keys on the staged key sets, rather than by a trigger for every row and key (which
    took half the time): session_replication_role=replica skips those triggers, and only those;
    the only other triggers here, the audit's append-only ones, fire on UPDATE and DELETE, and
    CHECK constraints still hold. PostgreSQL lets a superuser set it: the benchmark's database
    runs as one."""
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute("SET LOCAL session_replication_role = replica")


def check_keys(cursor, staging: str, keys: dict[str, str]) -> None:
    """Every staged value of each column in `keys` is the id of a row of its table."""
    for column, table in keys.items():
        cursor.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT {column} AS k FROM {staging} WHERE {column} IS NOT NULL) x "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = x.k)"
        )
        if missing := cursor.fetchone()[0]:
            raise RuntimeError(f"{missing} values of {staging}.{column} are not ids of {table}")


def in_chunks(
    *,
    what: str,
    have: int,
    total: int,
    size: int,
    staging: str,
    stage: str,
    params: dict,
    keys: dict[str, str],
    write: Callable,
    out: Callable[[str], None],
) -> None:
    """The district's rows `have` to `total` (ordinals g), `size` a transaction: each chunk staged
    into the session table `staging` by the SQL `stage`, its keys checked (check_keys), written by
    `write(cursor)`, and said to `out` with its rate."""
    for lo in range(have, total, size):
        hi = min(lo + size, total)
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            bulk_chunk(cursor)
            cursor.execute(f"DROP TABLE IF EXISTS {staging}")
            cursor.execute(stage, {**params, "lo": lo, "hi": hi})
            check_keys(cursor, staging, keys)
            write(cursor)
            cursor.execute(f"DROP TABLE {staging}")
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        out(f"  {what} {hi:,} of {total:,} ({(hi - lo) / (time.perf_counter() - started):,.0f} rows/s)")


def lookup_tables(cursor, district: OrgUnit) -> dict[str, int]:
    """Session tables the bulk SQL picks places, sites, sectors and staff from, by number."""
    for name in LOOKUP_TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(
        """
        CREATE TEMP TABLE bench_place AS
        SELECT (row_number() OVER (ORDER BY u.id) - 1)::int AS n, u.id, u.code, u.name,
               CASE WHEN u.kind = 'grid' THEN u.parent_id ELSE u.id END AS community_id,
               CASE WHEN u.kind = 'grid' THEN c.parent_id ELSE u.parent_id END AS street_id
        FROM districts_orgunit u JOIN districts_orgunit c ON c.id = u.parent_id
        WHERE u.tree_id = %(tree)s AND u.lft > %(lft)s AND u.rght < %(rght)s AND u.kind IN ('community', 'grid')
        """,
        {"tree": district.tree_id, "lft": district.lft, "rght": district.rght},
    )
    cursor.execute(
        """
        CREATE TEMP TABLE bench_site AS
        SELECT (row_number() OVER (ORDER BY s.id) - 1)::int AS n, s.id, s.unit_id, s.sector_id,
               split_part(s.name, '（', 1) AS short_name, p.community_id, p.street_id
        FROM districts_site s JOIN bench_place p ON p.id = s.unit_id
        """
    )
    templates = [
        (code, *RISK_TEMPLATES[code][:2], RISK_TEMPLATES[code][3], RISK_TEMPLATES[code][4]) for code in RISK_TEMPLATES
    ]
    cursor.execute(
        """
        CREATE TEMP TABLE bench_sector AS
        SELECT (row_number() OVER (ORDER BY s."order", s.id) - 1)::int AS n, s.id, l.department_id AS lead_id,
               t.name AS risk_name, t.accident, t.factors, t.engineering
        FROM districts_sector s
        LEFT JOIN districts_sectorlead l ON l.sector_id = s.id AND l.district_id = %(district)s
        JOIN (SELECT * FROM unnest(%(codes)s::text[], %(names)s::text[], %(accidents)s::text[],
                                   %(factors)s::text[], %(engineering)s::text[])
              AS t(code, name, accident, factors, engineering)) t ON t.code = s.code
        """,
        {
            "district": district.pk,
            "codes": [t[0] for t in templates],
            "names": [t[1] for t in templates],
            "accidents": [t[2] for t in templates],
            "factors": [t[3] for t in templates],
            "engineering": [t[4] for t in templates],
        },
    )
    cursor.execute(
        """
        CREATE TEMP TABLE bench_staff AS
        SELECT unit_id, min(user_id) AS user_id FROM districts_membership
        WHERE role IN ('street_staff', 'department_staff') GROUP BY unit_id
        """
    )
    for name in LOOKUP_TABLES:
        cursor.execute(f"ANALYZE {name}")
    counts = {}
    for name in ("bench_place", "bench_site", "bench_sector"):
        cursor.execute(f"SELECT count(*) FROM {name}")  # noqa: S608 (our own table names)
        counts[name] = cursor.fetchone()[0]
    if counts["bench_sector"] != Sector.objects.count():
        raise ImproperlyConfigured("every sector needs a risk template in campaign.demo.RISK_TEMPLATES")
    return counts
