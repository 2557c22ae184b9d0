"""The ranking of units for a period (通报排名): what a bulletin freezes at publication.

Reports and hazards come from the rollups the dashboards read; adoptions (reporting) and
assessment scores (assessments) from their own small tables. Streets and departments rank
in separate tables; the weights are the campaign's (oversight.models.RankingWeights).

CONTRACT (issue 13): the bulletins build on `ranking()` and `RankRow` exactly as typed here.

What each figure is, over the months of [start, end] (whole months: the month of `start` to the
month of `end`):

- Reports (no sector): the month rows summed, as the dashboards sum a quarter's months. A report
  period counts in the month of its due date (oversight.figures). 报送率 = filed ÷ expected,
  及时率 = filed on time ÷ expected, in percent to 0.1 (half up); None when nothing was expected.
  A street's reports are its subtree's (its communities' too, where they file).
- Hazards: found and closed on time are flows (the months summed); overdue, listed major hazards
  open, found and closed to date are stocks, read at the end of the period's last month (today
  for the running month; the campaign's last month when `end` lies beyond the rollups).
  整改率 (closure rate) = closed to date ÷ found to date at the period's end, as on the
  dashboard. A street's hazards are those of its subtree, every sector. A department's are the
  district's in the sectors it leads (as the district dashboard's departments table shows
  them); a department that leads none has no hazards and no closure rate.
- `major_hazards_listed_open`: listed major hazards (挂牌督办) open at the period's end, as the
  rollups count them (Metric.MAJOR_HAZARDS_LISTED_OPEN). Whether a listed one is past its
  deadline is not a rollup figure (the hazards' day slots of oversight.models.Counted are full):
  a bulletin names the units with listed major hazards not yet closed, which the office follows
  until each is closed (销号).
- Adoptions: the standing (not withdrawn) Adoption rows of the campaign's reports whose period
  starts in [start, end]; `adopted` counts adopted items (one report adopted at two levels is
  one item), `adoption_points` adds the points frozen on each row. A street counts its
  subtree's reports.
- Assessment score: the latest published assessment (assessments.Run, published) of the unit
  whose round's period overlaps [start, end] (latest by round end, then publication); `vetoed`
  is that run's veto (取消评选资格).

The total (weights w from RankingWeights, defaults in oversight.models.DEFAULT_WEIGHTS):

    total = Σ w_k · r_k / Σ w_k      over k in (filing, on_time, closure, assessment) with r_k known
          + w_adoption · adoption_points
          − w_overdue · hazards_overdue

rounded to 0.01 (half up): the weighted mean of the rates known (each 0–100; a rate with no
denominator, or a unit not assessed, leaves the mean rather than counting as 0), plus the
adoption points, less a penalty per overdue hazard. With no rate known the mean is 0.

Order: a vetoed unit ranks after every unit not vetoed, whatever its total (and is marked);
otherwise the highest total first. Equal totals (and equal veto) share a rank, the next rank
skipping as many (1, 1, 3); within a shared rank the units keep the tree's order.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from assessments.selectors import published_scores
from campaign.lib.deadlines import deadline_today
from districts.models import OrgUnit, SectorLead
from oversight.models import DEFAULT_WEIGHTS, Granularity, Metric, RankingWeights
from oversight.periods import Calendar, add_months, month_start
from oversight.selectors import Figures, RollupRows, Rows, percent
from reporting.models import Adoption

M = Metric
HAZARD_FLOWS = (M.HAZARDS_FOUND, M.HAZARDS_CLOSED_ON_TIME)
HAZARD_STOCKS = (
    M.HAZARDS_OVERDUE,
    M.MAJOR_HAZARDS_LISTED_OPEN,
    M.HAZARDS_FOUND_TO_DATE,
    M.HAZARDS_CLOSED_TO_DATE,
)
REPORTS = (M.REPORTS_EXPECTED, M.REPORTS_FILED, M.REPORTS_ON_TIME)
# The rates the total is the weighted mean of, by weight name.
RATE_WEIGHTS = ("filing", "on_time", "closure", "assessment")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class RankRow:
    unit_id: int
    unit_name: str
    unit_kind: str  # OrgUnit.Kind: "street" or "department"
    reports_expected: int
    reports_filed: int
    reports_on_time: int
    filing_rate: Decimal | None  # 报送率, percent to 0.1, None when nothing was expected
    on_time_rate: Decimal | None  # 及时率, percent to 0.1
    adopted: int  # report items adopted (采用), any level
    adoption_points: Decimal
    hazards_found: int
    hazards_closed_on_time: int
    hazards_overdue: int  # at the period's end
    major_hazards_listed_open: int  # listed major hazards (挂牌督办) open at the period's end
    closure_rate: Decimal | None  # percent to 0.1
    assessment_score: Decimal | None  # latest published run's score in the period, of 100
    vetoed: bool
    total: Decimal  # the weighted total the table is ordered by
    rank: int  # 1-based; equal totals share a rank


@dataclass(frozen=True)
class Ranking:
    start: datetime.date
    end: datetime.date
    streets: list[RankRow]
    departments: list[RankRow]
    weights: dict[str, str]  # the weights used, as decimal strings, kept in the snapshot


def weights_of(campaign) -> dict[str, Decimal]:
    """The campaign's ranking weights (oversight.models.RankingWeights), or the defaults."""
    row = RankingWeights.objects.filter(campaign=campaign).first()
    return row.as_dict() if row is not None else dict(DEFAULT_WEIGHTS)


def total_of(rates: dict[str, Decimal | None], adoption_points: Decimal, overdue: int, weights) -> Decimal:
    """The formula of the module's docstring."""
    known = [(weights[k], rates[k]) for k in RATE_WEIGHTS if rates[k] is not None and weights[k] > 0]
    weight = sum((w for w, _r in known), Decimal(0))
    mean = sum((w * r for w, r in known), Decimal(0)) / weight if weight else Decimal(0)
    total = mean + weights["adoption"] * adoption_points - weights["overdue"] * overdue
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], month_start(start)
    while month <= month_start(end):
        months.append(month)
        month = add_months(month, 1)
    return months


def _existed(unit: OrgUnit, start: datetime.date, end: datetime.date) -> bool:
    if unit.established_on and unit.established_on > end:
        return False
    return not (unit.dissolved_on and unit.dissolved_on < start)


def _adoptions(campaign, units: list[OrgUnit], start, end) -> dict[int, tuple[int, Decimal]]:
    """{ranked unit: (items adopted, points)}: one query."""
    rows = (
        Adoption.objects.standing()
        .filter(
            submission__period__campaign=campaign,
            submission__period__starts_on__gte=start,
            submission__period__starts_on__lte=end,
        )
        .values_list("submission_id", "submission__unit__tree_id", "submission__unit__lft", "points")
    )
    items: dict[int, set[int]] = {}
    points: dict[int, Decimal] = {}
    for submission_id, tree_id, lft, value in rows:
        holder = next((u for u in units if u.tree_id == tree_id and u.lft <= lft <= u.rght), None)
        if holder is not None:
            items.setdefault(holder.pk, set()).add(submission_id)
            points[holder.pk] = points.get(holder.pk, Decimal(0)) + value
    return {pk: (len(items[pk]), points[pk]) for pk in items}


def _ranked(rows: list[dict], kind_order: dict[int, int]) -> list[RankRow]:
    def key(row):
        return (row["vetoed"], -row["total"])

    ordered = sorted(rows, key=lambda row: (key(row), kind_order[row["unit_id"]]))
    out, previous, rank = [], None, 0
    for i, row in enumerate(ordered, start=1):
        if key(row) != previous:
            rank, previous = i, key(row)
        out.append(RankRow(**row, rank=rank))
    return out


def ranking(*, campaign, start: datetime.date, end: datetime.date) -> Ranking:
    """The district's streets and departments ranked over [start, end] (whole months)."""
    district = campaign.district
    units = [
        u
        for u in OrgUnit.objects.filter(
            parent_id=district.pk, kind__in=(OrgUnit.Kind.STREET, OrgUnit.Kind.DEPARTMENT)
        ).order_by("tree_id", "lft")
        if _existed(u, start, end)
    ]
    streets = [u for u in units if u.kind == OrgUnit.Kind.STREET]
    departments = [u for u in units if u.kind == OrgUnit.Kind.DEPARTMENT]
    led: dict[int, list[int]] = {}
    for department_id, sector_id in SectorLead.objects.filter(
        district_id=district.pk, department_id__in=[d.pk for d in departments]
    ).values_list("department_id", "sector_id"):
        led.setdefault(department_id, []).append(sector_id)
    weights = weights_of(campaign)

    months = _months(start, end)
    last = months[-1] if months else month_start(end)
    calendar = Calendar.of(campaign, deadline_today())
    if calendar is not None and last > calendar.last:
        last = max(calendar.last, months[0]) if months else calendar.last
    # Stocks only at the period's end; flows every month (one query, as a dashboard reads).
    street_ids = [u.pk for u in streets]
    led_sectors = sorted({s for sectors in led.values() for s in sectors})
    g = Granularity.MONTH
    rows = RollupRows(
        [
            Rows(g, months, street_ids, HAZARD_FLOWS, [None]),
            Rows(g, [last], street_ids, HAZARD_STOCKS, [None]),
            Rows(g, months, [district.pk], HAZARD_FLOWS, led_sectors),
            Rows(g, [last], [district.pk], HAZARD_STOCKS, led_sectors),
            Rows(g, months, [u.pk for u in units], REPORTS, [None], variant=""),
        ]
    )
    read_months = sorted({*months, last})
    adoptions = _adoptions(campaign, units, start, end)
    scores = published_scores(unit_ids=[u.pk for u in units], start=start, end=end)

    def figures_of(unit: OrgUnit) -> Figures:
        figures = Figures()
        if unit.kind == OrgUnit.Kind.STREET:
            hazard_units, sectors = [unit.pk], [None]
        else:
            hazard_units, sectors = ([district.pk], led[unit.pk]) if led.get(unit.pk) else ([], [])
        for month in read_months:
            figures.add(rows.hazards(hazard_units, sectors, g, month).values)
            figures.add(rows.reports([unit.pk], g, month))
        return figures

    def row_of(unit: OrgUnit) -> dict:
        f = figures_of(unit)
        adopted, points = adoptions.get(unit.pk, (0, Decimal(0)))
        score, vetoed = scores.get(unit.pk, (None, False))
        rates = {
            "filing": f.report_rate,
            "on_time": f.timely_rate,
            "closure": percent(f.count(M.HAZARDS_CLOSED_TO_DATE), f.count(M.HAZARDS_FOUND_TO_DATE)),
            "assessment": score,
        }
        return {
            "unit_id": unit.pk,
            "unit_name": unit.name,
            "unit_kind": unit.kind,
            "reports_expected": f.count(M.REPORTS_EXPECTED),
            "reports_filed": f.count(M.REPORTS_FILED),
            "reports_on_time": f.count(M.REPORTS_ON_TIME),
            "filing_rate": rates["filing"],
            "on_time_rate": rates["on_time"],
            "adopted": adopted,
            "adoption_points": points,
            "hazards_found": f.count(M.HAZARDS_FOUND),
            "hazards_closed_on_time": f.count(M.HAZARDS_CLOSED_ON_TIME),
            "hazards_overdue": f.overdue,
            "major_hazards_listed_open": f.listed_major,
            "closure_rate": rates["closure"],
            "assessment_score": score,
            "vetoed": bool(vetoed),
            "total": total_of(rates, points, f.overdue, weights),
        }

    order = {u.pk: i for i, u in enumerate(units)}
    return Ranking(
        start=start,
        end=end,
        streets=_ranked([row_of(u) for u in streets], order),
        departments=_ranked([row_of(u) for u in departments], order),
        weights={name: str(value) for name, value in weights.items()},
    )


__all__ = ["RankRow", "Ranking", "ranking", "total_of", "weights_of"]
