"""Building the rollups of a district (oversight.models): every figure counted from the records
through their own querysets (oversight.figures says what is counted and how), stored once, and
kept fresh from the records' own event and history rows (oversight.changes).

- The rollups of a district are the sum of its Counted rows: what was counted of each record
  (its place, sector, variant, weight and the day of each of its dates), read from the records
  in one statement per kind of record (figures.family_rows).
- A full rebuild reads every record's Counted row again (writing only those that changed), then
  counts every date in one grouped query over (tree_id, lft, sector, month) with the interval
  sums of districts.subtree.totals_under, so a unit's figure counts its whole subtree. Rows are
  kept for the district and every unit under it down to communities (a grid's records count in
  its community): places, and the departments, office and teams for what they lead or file. A
  zero is no row.
- An incremental rebuild reads what changed since the watermarks: the records changed, and the
  units whose reports changed. A changed record's Counted row is read again; what its old row
  added is taken out of the rows of its unit then and of every unit above, what its new row adds
  put in (a hazard moved from street B to street A changes both): a hundred changed hazards cost
  a hundred rows, not a recount of the places they sit in. A unit's reports are counted again
  (reporting's own rules) and its change from what the stored rows held for them added alike.
  The rows of everything else (the other streets) are not touched. The sum holds whatever the
  records did while a rebuild read them: a record changed meanwhile has an event or history row
  the next rebuild reads, and its Counted row says what to take out.
- The rollups hold every campaign year of the district (oversight.periods.Calendar): every
  month from the start month of its earliest campaign that has started to the current month
  (or the last campaign's last month once all have ended), the periods stored only where a
  campaign covers a month of them; what is of a campaign (key tasks, reports) is counted for
  every campaign that has started (figures.calendar_for).
- A changed org unit, campaign or report type, a new reporting period, or a new day (stocks move
  with the date: a deadline passes, a report falls due) makes it a full rebuild.
- The current campaign's target progress (oversight.targets) is measured again by a full
  rebuild and by one that read a changed target, yearly value or accident.
- Rebuilds of a district are serialised by a lock on its RollupState row and write in the same
  transaction, so two at once end with the rows one gives, and none twice.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from campaign.lib.deadlines import DEADLINE_TZ, deadline_today
from districts.models import OrgUnit
from oversight import store, targets
from oversight.changes import Changes, changes_since, watermarks
from oversight.figures import (
    CONTRIBUTION_COLUMNS,
    DATES,
    FAMILY_DATES,
    FAMILY_METRICS,
    Figures,
    add,
    add_vector,
    calendar_for,
    closure_rate,
    contributions,
    count_under,
    family_rows,
    holds,
    period_values,
    record_figures,
    report_figures,
    rows_of,
)
from oversight.models import Counted, Granularity, Metric, Rollup, RollupState
from oversight.periods import Calendar

M = Metric
# The shape of the Counted rows: a rebuild that finds the rollups built with rows of another
# shape (or none: built before there were any) starts from nothing.
COUNTED_SHAPE = 1
# Changed records read at once (an import through the services may change tens of thousands):
# well under the 65,535 parameters of one PostgreSQL statement.
CHUNK = 5000


@dataclass
class RebuildResult:
    full: bool
    units: int  # units whose rows were rebuilt
    written: int  # rows written
    deleted: int  # rows deleted
    seconds: float
    built_at: datetime.datetime | None = None

    def as_report(self) -> dict:
        report = asdict(self)
        report["seconds"] = round(self.seconds, 2)
        report["built_at"] = self.built_at.isoformat() if self.built_at else None
        return report


def row_units(district: OrgUnit) -> tuple[list[OrgUnit], dict[int, int]]:
    """The units that get rows (the district and all under it but grids), in tree order, and for
    every unit of the district the row unit its records count in (itself, or a grid's community)."""
    every = list(
        OrgUnit.objects.filter(tree_id=district.tree_id, lft__gte=district.lft, rght__lte=district.rght).order_by("lft")
    )
    rows = [u for u in every if u.kind != OrgUnit.Kind.GRID]
    row_of: dict[int, int] = {}
    stack: list[OrgUnit] = []
    for unit in every:  # tree order: a unit's ancestors come before it
        while stack and not holds(stack[-1], unit):
            stack.pop()
        if unit.kind != OrgUnit.Kind.GRID:
            stack.append(unit)
        row_of[unit.pk] = stack[-1].pk if stack else unit.pk
    return rows, row_of


# ---------------------------------------------------------------- full


def _full(district, campaigns, cal: Calendar, units: list[OrgUnit], row_of: dict[int, int]) -> tuple[int, int, int]:
    for family in FAMILY_DATES:
        store.counted_refresh(district.pk, family, *family_rows(family, cal, campaigns, district))
    counts = {d.name: count_under(d, cal, district, units) for d in DATES}
    reports = report_figures(campaigns, cal)
    filers = [u for u in units if u.pk in reports]
    periods = cal.held()
    rows = []
    for unit in units:
        figures = record_figures({name: c[unit.pk] for name, c in counts.items()}, cal)
        for filer in filers:
            if holds(unit, filer):
                add(figures, reports[filer.pk])
        rows.extend(rows_of(unit.pk, figures, periods))
    written, deleted = store.replace(rows, list(row_of))
    return len(units), written, deleted


# ---------------------------------------------------------------- incremental


def _stored(where: Q, cal: Calendar) -> dict[int, Figures]:
    """The month rows stored where `where` says, as figures per unit."""
    index = {m: i for i, m in enumerate(cal.months)}
    out: dict[int, Figures] = defaultdict(dict)
    rows = Rollup.objects.filter(where, granularity=Granularity.MONTH, period_start__in=cal.months).values_list(
        "unit_id", "sector_id", "period_start", "metric", "variant", "value"
    )
    for unit_id, sector_id, start, metric, variant, value in rows:
        out[unit_id].setdefault((sector_id, metric, variant), [0] * len(cal.months))[index[start]] = int(value)
    return out


def _incremental(district, campaigns, cal: Calendar, changes: Changes, units: list[OrgUnit], row_of: dict[int, int]):
    by_pk = {u.pk: u for u in units}
    children: dict[int, list[int]] = defaultdict(list)
    for unit in units:
        if unit.parent_id in by_pk:
            children[unit.parent_id].append(unit.pk)
    # The units whose reports changed, as row units: {None (no sector): row units}.
    filers: dict[None, set[int]] = defaultdict(set)
    for unit_id, _sector in changes.cells.get("reports", ()):
        if unit_id in row_of:
            filers[None].add(row_of[unit_id])

    # {row unit: how the figures of its own records changed}, every kind of record added up.
    own: dict[int, Figures] = defaultdict(dict)
    for family, records in changes.records.items():
        if records:
            for unit_id, change in _record_changes(district, campaigns, cal, family, sorted(records), row_of).items():
                add(own[unit_id], change)
    if filers:
        for unit_id, change in _report_changes(campaigns, cal, filers, children).items():
            add(own[unit_id], change)

    deltas: dict[int, Figures] = defaultdict(dict)
    for unit_id, change in own.items():
        for above in units:
            if holds(above, by_pk[unit_id]):
                for (sector, metric, variant), values in change.items():
                    add_vector(deltas[above.pk], (sector, metric, variant), values)
                    if sector is not None:
                        add_vector(deltas[above.pk], (None, metric, variant), values)

    periods = cal.held()
    delta_rows, rate_keys = [], set()
    for unit_id, figures in deltas.items():
        for (sector, g, start, metric, variant), value in period_values(figures, periods).items():
            delta_rows.append((unit_id, sector, g, start, metric, variant, value))
            if metric in (M.HAZARDS_FOUND_TO_DATE, M.HAZARDS_CLOSED_TO_DATE):
                rate_keys.add((unit_id, sector, g, start))
    written, deleted = store.add(delta_rows, [])
    written_rates, deleted_rates = store.add([], _rates(rate_keys))
    touched = {unit_id for unit_id, figures in deltas.items() if any(any(v) for v in figures.values())}
    return len(touched), written + written_rates, deleted + deleted_rates


def _record_changes(district, campaigns, cal: Calendar, family: str, records: list[int], row_of) -> dict[int, Figures]:
    """{row unit: how its own records' figures changed} for the changed `records` of `family`:
    what their fresh Counted rows add, less what their old rows added (the old rows replaced by
    the fresh ones in the rebuild's transaction). Non-zero changes only."""
    counts: dict[int, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for start in range(0, len(records), CHUNK):
        chunk = records[start : start + CHUNK]
        counted = Counted.objects.filter(district=district, family=family, record__in=chunk)
        counted = counted.values_list("unit_id", *CONTRIBUTION_COLUMNS)
        old = list(counted)
        store.counted_replace(district.pk, family, chunk, *family_rows(family, cal, campaigns, district, chunk))
        for rows, sign in ((list(counted.all()), 1), (old, -1)):
            for unit_id, *row in rows:
                if unit_id in row_of:
                    for name, key, n in contributions(family, row, cal):
                        counts[row_of[unit_id]][name][key] += sign * n
    changes = {}
    for unit_id, own in counts.items():
        change = {k: v for k, v in record_figures(own, cal, all_sectors=False).items() if any(v)}
        if change:
            changes[unit_id] = change
    return changes


def _report_changes(campaigns, cal: Calendar, cells: dict, children) -> dict[int, Figures]:
    """{row unit: how its own reports' figures changed}, for the filing units of `cells`
    ({None: row units}): what reporting's rules count now, less what the stored rows held for
    them (the unit's rows less those of the units under it). Non-zero changes only."""
    metrics = FAMILY_METRICS["reports"]
    now: dict[int, Figures] = defaultdict(dict)
    now.update(report_figures(campaigns, cal, cells[None]))

    def stored(units_of) -> dict[int, Figures]:
        where = Q(pk__in=[])
        for sector, unit_ids in cells.items():
            where |= Q(unit_id__in=units_of(unit_ids), sector_id=sector, metric__in=metrics)
        return _stored(where, cal)

    was = stored(list)
    below = stored(lambda ids: [c for u in ids for c in children[u]])
    changes = {}
    for unit_id in {u for us in cells.values() for u in us}:
        change: Figures = {}
        add(change, now.get(unit_id, {}))
        add(change, was.get(unit_id, {}), -1)
        for child in children[unit_id]:
            add(change, below.get(child, {}))
        change = {k: v for k, v in change.items() if any(v)}
        if change:
            changes[unit_id] = change
    return changes


def _rates(keys: set[tuple]) -> list[tuple]:
    """The closure rate of each (unit, sector, granularity, period start), from the rows as they now stand."""
    if not keys:
        return []
    values: dict[tuple, dict] = defaultdict(dict)
    rows = store.values_at(sorted(keys, key=repr), [M.HAZARDS_FOUND_TO_DATE, M.HAZARDS_CLOSED_TO_DATE])
    for unit_id, sector_id, g, start, metric, value in rows:
        values[(unit_id, sector_id, g, start)][metric] = int(value)
    return [
        (*key, closure_rate(values[key].get(M.HAZARDS_CLOSED_TO_DATE, 0), values[key].get(M.HAZARDS_FOUND_TO_DATE, 0)))
        for key in keys
    ]


# ---------------------------------------------------------------- the rebuild


def rebuild(district: OrgUnit, *, full: bool) -> RebuildResult:
    """Build the rollups of `district`: all of them (`full`), or only what the records changed
    since the last build (a full rebuild when it cannot tell). Serialised per district; the rows
    are written in one transaction."""
    started = time.perf_counter()
    with transaction.atomic():
        store.plain_plans()
        RollupState.objects.get_or_create(district=district)
        state = RollupState.objects.select_for_update().get(district=district)
        now = timezone.now()
        marks = watermarks()
        district = OrgUnit.objects.get(pk=district.pk)  # its tree range as it stands
        campaign, campaigns, cal = calendar_for(district)
        today = cal.today if cal else deadline_today()
        same_day = state.built_at is not None and timezone.localdate(state.built_at, DEADLINE_TZ) == today
        counted = state.counted_shape == COUNTED_SHAPE
        changes = (
            changes_since(state.watermarks or {}, state.built_at, marks) if same_day and counted and not full else None
        )
        full = changes is None
        units, row_of = row_units(district)
        if cal is None:
            Counted.objects.filter(district=district).delete()
            result = (0, 0, store.replace([], list(row_of))[1])
        elif full:
            result = _full(district, campaigns, cal, units, row_of)
        else:
            result = _incremental(district, campaigns, cal, changes, units, row_of)
        state.built_at = now
        if full:
            state.full_built_at = now
        if full or changes.targets or state.targets is None:
            state.targets = targets.measure(campaign, units)
        state.watermarks, state.counted_shape = marks, COUNTED_SHAPE
        state.save(update_fields=["built_at", "full_built_at", "watermarks", "counted_shape", "targets"])
    if full:
        # After the commit, so that it holds no lock of the rebuild's and samples the rows as written.
        store.analyze()
    touched, written, deleted = result
    return RebuildResult(
        full=full,
        units=touched,
        written=written,
        deleted=deleted,
        seconds=time.perf_counter() - started,
        built_at=now,
    )
