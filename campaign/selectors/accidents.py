"""Scoped reads of the accident register and the yearly values. Each selector owns its joins."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Sum

from campaign.lib.deadlines import deadline_today
from campaign.lib.history import Version, versions_of
from campaign.models import YEARLY_VALUE_KINDS, Accident, Campaign, YearlyValue
from campaign.targets import YearFigures, campaign_years, per_gdp, year_figures
from districts.models import OrgUnit, User
from districts.subtree import totals_under

# Kept by the platform, not typed by a person.
ACCIDENT_HISTORY_HIDDEN = {"created_at"}


def accidents_for(user: User):
    # unit__parent__parent: the street and community of an accident in a grid, for the place column.
    return Accident.objects.visible_to(user).select_related("unit__parent__parent", "sector", "site")


def accident_detail_for(user: User, pk: int) -> Accident:
    return accidents_for(user).get(pk=pk)


def accident_history(accident: Accident) -> list[Version]:
    return versions_of(accident, hidden=ACCIDENT_HISTORY_HIDDEN)


def accident_years(user: User) -> list[int]:
    """The years the user's visible register holds, newest first, and this year."""
    years = {day.year for day in Accident.objects.visible_to(user).dates("occurred_on", "year")}
    years.add(deadline_today().year)
    return sorted(years, reverse=True)


def yearly_units_for(user: User) -> list[OrgUnit]:
    """The district(s) and streets the user may see, in tree order."""
    return list(
        OrgUnit.objects.visible_to(user)
        .filter(kind__in=YEARLY_VALUE_KINDS)
        .select_related("parent")
        .order_by("tree_id", "lft")
    )


def _district_id(unit: OrgUnit) -> int:
    return unit.pk if unit.kind == OrgUnit.Kind.DISTRICT else unit.parent_id


@dataclass(frozen=True)
class YearlyRow:
    unit: OrgUnit
    value: YearlyValue | None
    figures: YearFigures
    per_gdp: object  # Decimal | None: deaths per 100 million yuan of GDP
    register_deaths: int
    register_count: int


def yearly_rows(units: list[OrgUnit], year: int) -> list[YearlyRow]:
    """Each unit's figures for `year`: its yearly value, the register's deaths under it, and
    the deaths the targets count (campaign.targets). Four queries whatever the number of units."""
    values = {v.unit_id: v for v in YearlyValue.objects.filter(unit__in=units, year=year)}
    in_year = Accident.objects.filter(occurred_on__year=year)
    deaths = totals_under(in_year, units, value=Sum("deaths"))
    counts = totals_under(in_year, units, value=Count("pk"))
    kept = {
        c.district_id
        for c in Campaign.objects.filter(district__in={_district_id(u) for u in units})
        if year in campaign_years(c)
    }
    rows = []
    for unit in units:
        register = {"deaths": deaths[unit.pk][()], "n": counts[unit.pk][()]}
        value = values.get(unit.pk)
        figures = year_figures(year, value, register, register_kept=_district_id(unit) in kept)
        rows.append(
            YearlyRow(unit, value, figures, per_gdp(figures.deaths, figures.gdp), register["deaths"], register["n"])
        )
    return rows


def yearly_years(user: User) -> list[int]:
    """The years worth offering on the yearly values page: every campaign's baseline and years,
    and the years that hold values, up to next year; newest first."""
    years = set(YearlyValue.objects.visible_to(user).values_list("year", flat=True).distinct())
    for campaign in Campaign.objects.all():
        years.add(campaign.baseline_year)
        years.update(campaign_years(campaign))
    years.add(deadline_today().year)
    return sorted((y for y in years if y <= deadline_today().year + 1), reverse=True)


def yearly_value_for(unit: OrgUnit, year: int) -> YearlyValue | None:
    return YearlyValue.objects.filter(unit=unit, year=year).first()


def campaigns_of(unit: OrgUnit) -> list[Campaign]:
    district = unit if unit.kind == OrgUnit.Kind.DISTRICT else unit.parent
    return list(Campaign.objects.filter(district=district).order_by("-starts_on"))


def current_campaign(campaigns: list[Campaign], today: datetime.date | None = None) -> Campaign | None:
    """The one running today (the latest started), else the latest to end."""
    today = today or deadline_today()
    running = [c for c in campaigns if c.starts_on <= today <= c.ends_on]
    if running:
        return max(running, key=lambda c: c.starts_on)
    return max(campaigns, key=lambda c: c.ends_on, default=None)
