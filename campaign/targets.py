"""Progress toward a campaign's targets, measured from the accident register and the yearly
values, never typed.

For a unit (the district or a street) the latest campaign year with data — a yearly value or an
accident of the unit's, up to this year — is compared with the baseline year:

- deaths: the year's deaths_override where one is given (with its source), else the register's
  sum. A year of the campaign counts from the register even when it holds nothing (the register
  is kept through the campaign: no accident is no death); any other year (the baseline) counts
  from the register only when it holds accidents of that year, else the figure is missing.
- deaths per 100 million yuan of GDP: deaths ÷ the year's GDP; missing when either is.
- serious accidents (重大 and 特别重大, SERIOUS_GRADES): those the register holds dated within the
  campaign's period.

A reduction target is met when actual ≤ baseline × (1 − value %); a ceiling when actual ≤ value.
Change is (actual − baseline) ÷ baseline × 100, to 0.1 %. The arithmetic is Decimal throughout and
compared exactly (cross-multiplied), so −40.0 % meets −40 % and −39.96 % does not. A figure that
is missing stays None and is named in `missing`: the pages show 数据缺失, never 0.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from campaign.lib.deadlines import deadline_today
from campaign.models import SERIOUS_GRADES, Accident, Campaign, Target, YearlyValue
from districts.models import OrgUnit
from districts.scoping import Subtree

PERCENT = Decimal("0.1")
PER_GDP = Decimal("0.0001")


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    baseline: Decimal | None
    actual: Decimal | None
    change: Decimal | None  # percent, negative = reduction
    met: bool | None  # None: cannot be judged (something is missing)
    # What is missing, as (what, year) pairs of GAPS: named in the reader's language when shown,
    # so that progress measured once (oversight keeps it with the rollups) reads in any language.
    gaps: tuple[tuple[str, int | None], ...] = ()
    year: int | None = None  # the year `actual` is of; None when no campaign year has data
    baseline_year: int | None = None

    @property
    def missing(self) -> list[str]:
        """What is missing, for 数据缺失: "deaths in 2016", "GDP in 2020"."""
        return [gap_text(what, year) for what, year in self.gaps]

    def as_data(self) -> dict:
        """The progress as JSON-able data (Decimals as strings), for progress_from_data."""

        def text(value):
            return None if value is None else str(value)

        target = self.target
        return {
            "target": target.pk,
            "indicator": target.indicator,
            "kind": target.kind,
            "value": str(target.value),
            "baseline": text(self.baseline),
            "actual": text(self.actual),
            "change": text(self.change),
            "met": self.met,
            "gaps": [list(gap) for gap in self.gaps],
            "year": self.year,
            "baseline_year": self.baseline_year,
        }


def progress_from_data(campaign: Campaign, data: list[dict]) -> list[TargetProgress]:
    """TargetProgress.as_data's data read back, each with its target (of `campaign`, not saved again)."""

    def number(value):
        return None if value is None else Decimal(value)

    return [
        TargetProgress(
            target=Target(
                pk=item["target"],
                campaign=campaign,
                indicator=item["indicator"],
                kind=item["kind"],
                value=Decimal(item["value"]),
            ),
            baseline=number(item["baseline"]),
            actual=number(item["actual"]),
            change=number(item["change"]),
            met=item["met"],
            gaps=tuple((what, year) for what, year in item["gaps"]),
            year=item["year"],
            baseline_year=item["baseline_year"],
        )
        for item in data
    ]


# What may be missing (TargetProgress.gaps), and how each is named.
DEATHS, GDP, SERIOUS, CAMPAIGN_YEAR = "deaths", "gdp", "serious_accidents", "campaign_year"


def gap_text(what: str, year: int | None) -> str:
    if what == DEATHS:
        return _("deaths in %(year)s") % {"year": year}
    if what == GDP:
        return _("GDP in %(year)s") % {"year": year}
    if what == SERIOUS:
        return _("serious accidents in %(year)s") % {"year": year}
    return _("figures for a year of the campaign")


@dataclass(frozen=True)
class YearFigures:
    """One unit's figures for one year, and where the deaths came from."""

    year: int
    gdp: Decimal | None
    deaths: Decimal | None
    deaths_from: str | None  # "override", "register" or None (missing)


def deaths_for(*, value: YearlyValue | None, register_deaths: int, register_count: int, register_kept: bool):
    """(deaths, where from) for one unit and year, by the rule in this module's docstring."""
    if value is not None and value.deaths_override is not None:
        return Decimal(value.deaths_override), "override"
    if register_count or register_kept:
        return Decimal(register_deaths or 0), "register"
    return None, None


def year_figures(year: int, value: YearlyValue | None, register: Mapping | None, *, register_kept: bool) -> YearFigures:
    register = register or {}
    deaths, source = deaths_for(
        value=value,
        register_deaths=register.get("deaths") or 0,
        register_count=register.get("n") or 0,
        register_kept=register_kept,
    )
    gdp = value.gdp if value is not None else None
    return YearFigures(year=year, gdp=gdp, deaths=deaths, deaths_from=source)


def per_gdp(deaths: Decimal | None, gdp: Decimal | None) -> Decimal | None:
    """Deaths per 100 million yuan of GDP, to 0.0001; None when either is missing."""
    if deaths is None or not gdp:
        return None
    with localcontext() as ctx:
        ctx.prec = 50
        return _quantized(deaths / gdp, PER_GDP)


def campaign_years(campaign: Campaign) -> range:
    return range(campaign.starts_on.year, campaign.ends_on.year + 1)


def _quantized(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def _fraction(figures: YearFigures | None, indicator: str) -> tuple[Decimal, Decimal] | None:
    """The indicator for one year as numerator and denominator (exact), or None if missing."""
    if figures is None or figures.deaths is None:
        return None
    if indicator == Target.Indicator.DEATHS:
        return figures.deaths, Decimal(1)
    if figures.gdp is None:
        return None
    return figures.deaths, figures.gdp


def _judge(target: Target, baseline: tuple | None, actual: tuple | None) -> tuple[Decimal | None, bool | None]:
    """(change in percent, met) from exact fractions (numerator, denominator > 0)."""
    with localcontext() as ctx:
        ctx.prec = 50
        change = None
        if baseline is not None and actual is not None and baseline[0] != 0:
            (bn, bd), (an, ad) = baseline, actual
            # (a − b) ÷ b × 100 with a = an/ad, b = bn/bd: one division, then rounded.
            change = _quantized((an * bd - bn * ad) * 100 / (bn * ad), PERCENT)
        if actual is None:
            return change, None
        an, ad = actual
        if target.kind == Target.Kind.CEILING:
            return change, an <= target.value * ad
        if baseline is None:
            return change, None
        bn, bd = baseline
        # a ≤ b × (100 − value) ÷ 100, cross-multiplied: no rounding decides a target.
        return change, an * bd * 100 <= bn * ad * (100 - target.value)


def _shown(fraction: tuple | None, indicator: str) -> Decimal | None:
    if fraction is None:
        return None
    numerator, denominator = fraction
    if indicator == Target.Indicator.DEATHS_PER_GDP:
        return per_gdp(numerator, denominator)
    return numerator / denominator


def _missing(indicator: str, year: int, figures: YearFigures | None) -> list[tuple[str, int]]:
    missing = []
    if figures is None or figures.deaths is None:
        missing.append((DEATHS, year))
    if indicator == Target.Indicator.DEATHS_PER_GDP and (figures is None or figures.gdp is None):
        missing.append((GDP, year))
    return missing


@dataclass(frozen=True)
class _Loaded:
    years: range  # the campaign's
    values: dict  # year → YearlyValue of the unit
    register: dict  # year → {"n", "deaths", "serious", "serious_in_period"} under the unit
    year: int | None  # the latest campaign year with data, up to this year

    def figures(self, year: int) -> YearFigures:
        return year_figures(year, self.values.get(year), self.register.get(year), register_kept=year in self.years)


def _load(campaign: Campaign, unit: OrgUnit) -> _Loaded:
    """Two queries: the unit's yearly values, and the register's accidents under it by year."""
    years = campaign_years(campaign)
    wanted = {campaign.baseline_year, *years}
    values = {v.year: v for v in YearlyValue.objects.filter(unit=unit, year__in=wanted)}
    period = Q(occurred_on__gte=campaign.starts_on, occurred_on__lte=campaign.ends_on)
    rows = (
        Accident.objects.filter(Subtree.of(unit).q("unit__"))
        .filter(occurred_on__gte=datetime.date(min(wanted), 1, 1), occurred_on__lte=datetime.date(max(wanted), 12, 31))
        .annotate(year=ExtractYear("occurred_on"))
        .values("year")
        .annotate(
            n=Count("pk"),
            deaths=Sum("deaths"),
            serious=Count("pk", filter=Q(grade__in=SERIOUS_GRADES)),
            serious_in_period=Count("pk", filter=Q(grade__in=SERIOUS_GRADES) & period),
        )
        .order_by()
    )
    register = {row["year"]: row for row in rows if row["year"] in wanted}
    this_year = deadline_today().year
    with_data = [y for y in years if y <= this_year and (y in values or y in register)]
    return _Loaded(years, values, register, max(with_data) if with_data else None)


def campaign_figures(campaign: Campaign, unit: OrgUnit) -> list[YearFigures]:
    """The unit's figures for the baseline year and each campaign year up to this year: what the
    targets are measured with, for a page to show beside them. Two queries."""
    loaded = _load(campaign, unit)
    this_year = deadline_today().year
    shown = [campaign.baseline_year, *(y for y in loaded.years if y <= this_year and y != campaign.baseline_year)]
    return [loaded.figures(y) for y in shown]


def target_progress(
    campaign: Campaign, unit: OrgUnit, *, targets: list[Target] | None = None, year: int | None = None
) -> list[TargetProgress]:
    """One TargetProgress per target of `campaign`, for `unit` (the district or a street) and
    everything under it; as of the campaign year `year` when given (an annual summary's), else
    of the latest with data. Three queries: the targets (none when `targets`, the campaign's, are
    given), the unit's yearly values, and the register's accidents under the unit grouped by year."""
    loaded = _load(campaign, unit)
    as_of = year
    year = loaded.year if as_of is None else as_of
    base = loaded.figures(campaign.baseline_year)
    latest = loaded.figures(year) if year is not None else None
    progress = []
    for target in campaign.targets.all() if targets is None else targets:
        indicator = target.indicator
        if indicator == Target.Indicator.SERIOUS_ACCIDENTS:
            held = loaded.register.get(campaign.baseline_year)
            baseline = (Decimal(held["serious"]), Decimal(1)) if held else None
            in_period = sum(
                row["serious_in_period"]
                for y, row in loaded.register.items()
                if y in loaded.years and (as_of is None or y <= as_of)
            )
            actual = (Decimal(in_period), Decimal(1))
            missing = []
            if target.kind == Target.Kind.REDUCTION and baseline is None:
                missing.append((SERIOUS, campaign.baseline_year))
        else:
            baseline = _fraction(base, indicator)
            actual = _fraction(latest, indicator)
            missing = [] if target.kind == Target.Kind.CEILING else _missing(indicator, campaign.baseline_year, base)
            if year is None:
                missing.append((CAMPAIGN_YEAR, None))
            else:
                missing += _missing(indicator, year, latest)
        change, met = _judge(target, baseline, actual)
        progress.append(
            TargetProgress(
                target=target,
                baseline=_shown(baseline, indicator),
                actual=_shown(actual, indicator),
                change=change,
                met=met,
                gaps=tuple(missing),
                year=year,
                baseline_year=campaign.baseline_year,
            )
        )
    return progress


@dataclass(frozen=True)
class YearsOf:
    """A unit's figures for some years (YearFigures by year) and the register's serious accidents
    (重大 and 特别重大) by year: what an annual summary prints beside the targets."""

    figures: dict[int, YearFigures]
    serious: dict[int, int]

    def get(self, year: int) -> YearFigures | None:
        return self.figures.get(year)


def year_figures_of(campaign: Campaign, unit: OrgUnit, years) -> YearsOf:
    """`unit`'s figures for each of `years` by this module's rule (a campaign year counts from
    the register even when it holds nothing). Two queries."""
    years = sorted(set(years))
    values = {v.year: v for v in YearlyValue.objects.filter(unit=unit, year__in=years)}
    rows = (
        Accident.objects.filter(Subtree.of(unit).q("unit__"))
        .filter(occurred_on__gte=datetime.date(years[0], 1, 1), occurred_on__lte=datetime.date(years[-1], 12, 31))
        .annotate(year=ExtractYear("occurred_on"))
        .values("year")
        .annotate(n=Count("pk"), deaths=Sum("deaths"), serious=Count("pk", filter=Q(grade__in=SERIOUS_GRADES)))
        .order_by()
    )
    register = {row["year"]: row for row in rows}
    kept = set(campaign_years(campaign))
    return YearsOf(
        figures={y: year_figures(y, values.get(y), register.get(y), register_kept=y in kept) for y in years},
        serious={y: int(register[y]["serious"]) if y in register else 0 for y in years if y in kept or y in register},
    )


def target_progress_in(campaign: Campaign, unit: OrgUnit, year: int) -> list[TargetProgress]:
    """The progress as it stood at the end of campaign year `year`."""
    return target_progress(campaign, unit, year=year)
