"""Writing the rollup rows: every row of some units replaced by the rows just counted, or the
changes of an incremental rebuild added to the rows stored. Both go through a temporary table
(PostgreSQL's COPY fills it) and a few set-wise statements, so that only the rows whose figure
changed are written: a nightly rebuild that finds the figures as they were writes almost nothing.
The Counted rows (what the rollups hold of each record) are written the same way: a full rebuild
rewrites only the records' rows that changed, an incremental one those of the records it counts.
Runs inside the rebuild's transaction, under its lock."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.db import connection

from oversight.models import COUNTED_COLUMNS, Counted, Metric, Rollup

COLUMNS = ("unit_id", "sector_id", "granularity", "period_start", "metric", "variant", "value")
KEY = COLUMNS[:-1]
TABLE = Rollup._meta.db_table
COUNTED = Counted._meta.db_table


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _match(a: str, b: str, columns=KEY, *, null_sector: bool) -> str:
    """Rows of `a` and `b` with the same key, among those with no sector or those with one: two
    plain conditions, each of which an index answers (IS NOT DISTINCT FROM would not)."""
    parts = [f"{a}.{_q('sector_id')} IS NULL AND {b}.{_q('sector_id')} IS NULL" if null_sector else ""]
    parts += [f"{a}.{_q(c)} = {b}.{_q(c)}" for c in columns if c != "sector_id" or not null_sector]
    return " AND ".join(p for p in parts if p)


def _none_in(table: str, other: str, columns=KEY) -> str:
    """No row of `table` has the key of this row of `other`."""
    return " AND ".join(
        f"NOT EXISTS (SELECT 1 FROM {table} x WHERE {_match('x', other, columns, null_sector=nulls)})"  # noqa: S608
        for nulls in (False, True)
    )


class _Scratch:
    """A temporary table of rows shaped like the rollups', dropped when done."""

    def __init__(self, cursor, rows: Iterable[tuple], columns=COLUMNS):
        self.cursor, self.columns = cursor, columns
        self.name = f"rollup_scratch_{uuid.uuid4().hex[:12]}"
        types = {
            "unit_id": "bigint NOT NULL",
            "sector_id": "bigint NULL",
            "granularity": "varchar(10) NOT NULL",
            "period_start": "date NOT NULL",
            "metric": "varchar(40) NOT NULL",
            "variant": "varchar(40) NOT NULL",
            "value": "numeric(16, 4) NULL",
        }
        cursor.execute(f"CREATE TEMPORARY TABLE {self.name} ({', '.join(f'{_q(c)} {types[c]}' for c in columns)})")
        names = ", ".join(_q(c) for c in columns)
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {self.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            insert = f"INSERT INTO {self.name} ({names}) VALUES ({marks})"  # noqa: S608 (names, no input)
            cursor.executemany(insert, [tuple(r) for r in rows])
            # SQLite answers NOT EXISTS against an unindexed table by scanning it for every row of
            # the other: a rebuild of the demo's 25,000 rows over the rows stored took 75 s.
            keys = ", ".join(_q(c) for c in columns if c in KEY and c != "sector_id")
            cursor.execute(f"CREATE INDEX {self.name}_key ON {self.name} ({keys})")
        # Its size, so that the planner joins a few changed rows by index and a district's rows by hash.
        cursor.execute(f"ANALYZE {self.name}")

    def drop(self) -> None:
        self.cursor.execute(f"DROP TABLE {self.name}")


def _upsert(cursor, scratch: str, set_value: str, changed: str | None = None) -> int:
    """Insert the scratch rows, or where a row of the key is there, set its value to `set_value`
    (of the row and `excluded`, the scratch row) where `changed` says: one statement per unique
    constraint (with a sector, without), each found by its index, whatever the planner believes."""
    t = _q(TABLE)
    names = ", ".join(_q(c) for c in COLUMNS)
    written = 0
    for nulls in (False, True):
        sector = _q("sector_id")
        # Without a sector, the constraint is partial (one_rollup_per_key_all_sectors): named with its condition.
        target = ", ".join(_q(c) for c in KEY if c != "sector_id" or not nulls)
        target += f") WHERE {sector} IS NULL" if nulls else ")"
        cursor.execute(
            f"INSERT INTO {t} ({names}) SELECT {names} FROM {scratch} "  # noqa: S608 (names, no input)
            f"WHERE {sector} IS {'' if nulls else 'NOT '}NULL "
            f"ON CONFLICT ({target} DO UPDATE SET {_q('value')} = {set_value}"
            + (f" WHERE {changed}" if changed else "")
        )
        written += max(cursor.rowcount, 0)
    return written


def replace(rows: list[tuple], unit_ids: list[int]) -> tuple[int, int]:
    """Make the rows of `unit_ids` exactly `rows`; returns (rows written, rows deleted)."""
    t = _q(TABLE)
    with connection.cursor() as cursor:
        s = _Scratch(cursor, rows)
        units = ", ".join(str(int(u)) for u in unit_ids) or "NULL"
        cursor.execute(f"DELETE FROM {t} WHERE {_q('unit_id')} IN ({units}) AND {_none_in(s.name, t)}")  # noqa: S608
        deleted = max(cursor.rowcount, 0)
        value = _q("value")
        written = _upsert(cursor, s.name, f"excluded.{value}", f"{t}.{value} <> excluded.{value}")
        s.drop()
    return written, deleted


def add(deltas: list[tuple], rates: list[tuple]) -> tuple[int, int]:
    """Add each of `deltas` (rows whose value is a change) to the row of its key (made where
    there is none; removed where it comes to zero), then set the closure rates `rates` (rows of
    unit, sector, granularity, period start and the rate; None removes it). Returns (written,
    deleted)."""
    t = _q(TABLE)
    value = _q("value")
    written = deleted = 0
    with connection.cursor() as cursor:
        if deltas:
            s = _Scratch(cursor, deltas)
            written += _upsert(cursor, s.name, f"{t}.{value} + excluded.{value}")
            for nulls in (False, True):
                cursor.execute(
                    f"DELETE FROM {t} WHERE {value} = 0 "  # noqa: S608
                    f"AND EXISTS (SELECT 1 FROM {s.name} n WHERE {_match('n', t, null_sector=nulls)})"
                )
                deleted += max(cursor.rowcount, 0)
            s.drop()
        if rates:
            keys = ("unit_id", "sector_id", "granularity", "period_start")
            s = _Scratch(cursor, rates, columns=(*keys, "value"))
            rate = Metric.HAZARD_CLOSURE_RATE.value
            for nulls in (False, True):
                cursor.execute(
                    f"DELETE FROM {t} WHERE {_q('metric')} = %s "  # noqa: S608
                    f"AND EXISTS (SELECT 1 FROM {s.name} n WHERE {_match('n', t, keys, null_sector=nulls)})",
                    [rate],
                )
                deleted += max(cursor.rowcount, 0)
            names = ", ".join(_q(c) for c in (*keys, "metric", "variant", "value"))
            cursor.execute(
                f"INSERT INTO {t} ({names}) SELECT {', '.join('n.' + _q(c) for c in keys)}, %s, '', "  # noqa: S608
                f"n.{value} FROM {s.name} n WHERE n.{value} IS NOT NULL",
                [rate],
            )
            written += max(cursor.rowcount, 0)
            s.drop()
    return written, deleted


def values_at(keys: list[tuple], metrics: list[str]) -> list[tuple]:
    """(unit_id, sector_id, granularity, period_start, metric, value) of the rows of `metrics`
    (variant "") at each of `keys` (unit, sector, granularity, period start): the keys joined to
    the rows, not every sector and period of their units read."""
    if not keys:
        return []
    columns = ("unit_id", "sector_id", "granularity", "period_start")
    t = _q(TABLE)
    names = ", ".join(f"{t}.{_q(c)}" for c in (*columns, "metric", "value"))
    marks = ", ".join(["%s"] * len(metrics))
    out = []
    with connection.cursor() as cursor:
        s = _Scratch(cursor, keys, columns=columns)
        for nulls in (False, True):
            cursor.execute(
                f"SELECT {names} FROM {s.name} n JOIN {t} ON {_match('n', t, columns, null_sector=nulls)} "  # noqa: S608
                f"WHERE {t}.{_q('metric')} IN ({marks}) AND {t}.{_q('variant')} = ''",
                metrics,
            )
            out += cursor.fetchall()
        s.drop()
    # SQLite gives dates as text.
    return [
        (u, sector, g, d if isinstance(d, datetime.date) else datetime.date.fromisoformat(d), m, v)
        for u, sector, g, d, m, v in out
    ]


def plain_plans() -> None:
    """No JIT compilation for the rest of the rebuild's transaction: PostgreSQL judges its
    grouped reads of a million rows costly enough to compile, and compiling their many date
    expressions took longer than running them (15 s of a 22 s read of the hazards at 1M)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def analyze() -> None:
    """Fresh planner statistics of the rollups and the Counted rows, after a full rebuild
    rewrote them: where autovacuum is off (government servers often run so), the plans of the
    dashboards' and the next rebuilds' queries would otherwise read the statistics of long-gone
    rows (a rollup query went from 24 ms to 0.6 ms after one). Cheap: ANALYZE reads a sample."""
    with connection.cursor() as cursor:
        for table in (TABLE, COUNTED):
            cursor.execute(f"ANALYZE {_q(table)}")


def _counted_of(district_id: int, family: str) -> tuple[str, list]:
    t = _q(COUNTED)
    return f"{t}.{_q('district_id')} = %s AND {t}.{_q('family')} = %s", [district_id, family]


def counted_refresh(district_id: int, family: str, select: str, params: list) -> tuple[int, int]:
    """Make the Counted rows of the district's records of `family` the rows `select` gives (the
    columns COUNTED_COLUMNS), writing only those that changed: a nightly rebuild that finds the
    records as the day's rebuilds left them writes almost nothing, where autovacuum may never
    come to clear a million rows rewritten. Returns (rows written, rows deleted)."""
    t, record = _q(COUNTED), _q("record")
    names = ", ".join(_q(c) for c in COUNTED_COLUMNS)
    rest = [c for c in COUNTED_COLUMNS if c != "record"]
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    mine, key = _counted_of(district_id, family)
    scratch = f"counted_scratch_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        # CREATE TABLE AS, not INSERT … SELECT: PostgreSQL reads the records for it with its
        # parallel workers (9 s instead of 14 s for a million hazards).
        cursor.execute(f"CREATE TEMPORARY TABLE {scratch} AS {select}", params)
        cursor.execute(f"ANALYZE {scratch}")
        cursor.execute(
            f"DELETE FROM {t} WHERE {mine} AND NOT EXISTS "  # noqa: S608 (names, no input)
            f"(SELECT 1 FROM {scratch} n WHERE n.{record} = {t}.{record})",
            key,
        )
        deleted = max(cursor.rowcount, 0)
        cursor.execute(
            f"UPDATE {t} SET {', '.join(f'{_q(c)} = n.{_q(c)}' for c in rest)} FROM {scratch} n "  # noqa: S608
            f"WHERE {mine} AND n.{record} = {t}.{record} "
            f"AND ({' OR '.join(f'{t}.{_q(c)} {differs} n.{_q(c)}' for c in rest)})",
            key,
        )
        written = max(cursor.rowcount, 0)
        cursor.execute(
            f"INSERT INTO {t} ({_q('district_id')}, {_q('family')}, {names}) "  # noqa: S608 (names, no input)
            f"SELECT %s, %s, {', '.join('n.' + _q(c) for c in COUNTED_COLUMNS)} FROM {scratch} n "
            f"WHERE NOT EXISTS (SELECT 1 FROM {t} WHERE {mine} AND {t}.{record} = n.{record})",
            [*key, *key],
        )
        written += max(cursor.rowcount, 0)
        cursor.execute(f"DROP TABLE {scratch}")
    return written, deleted


def counted_replace(district_id: int, family: str, records: list[int], select: str, params: list) -> None:
    """Make the Counted rows of the district's `records` of `family` the rows `select` gives (the
    columns COUNTED_COLUMNS; a record it has no row for has none)."""
    t = _q(COUNTED)
    names = ", ".join(_q(c) for c in COUNTED_COLUMNS)
    mine, key = _counted_of(district_id, family)
    with connection.cursor() as cursor:
        ids = ", ".join(str(int(r)) for r in records) or "NULL"
        cursor.execute(f"DELETE FROM {t} WHERE {mine} AND {_q('record')} IN ({ids})", key)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {t} ({_q('district_id')}, {_q('family')}, {names}) "  # noqa: S608 (names, no input)
            f"SELECT %s, %s, {', '.join('n.' + _q(c) for c in COUNTED_COLUMNS)} FROM ({select}) n",
            [*key, *params],
        )
