"""Rollup rows made directly, as the builder would leave them, for the dashboards' tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from districts.models import OrgUnit, Sector
from oversight.models import Granularity, Metric, Rollup, RollupState
from oversight.periods import start_of


def figures(
    unit: OrgUnit,
    month: datetime.date,
    *,
    sector: Sector | None = None,
    granularities=(Granularity.MONTH, Granularity.QUARTER, Granularity.YEAR),
    risks: dict[str, int] | None = None,
    **values,
) -> list[Rollup]:
    """Rows of `unit` (and `sector`) for the month holding `month`, and for its quarter and year
    unless `granularities` says otherwise: one per metric=value given (a metric's name as in
    Metric), and one per risk level in `risks`."""
    rows = []
    pairs = [(Metric(name), "", value) for name, value in values.items()]
    pairs += [(Metric.RISKS, str(level), n) for level, n in (risks or {}).items()]
    for granularity in granularities:
        start = start_of(granularity, month)
        for metric, variant, value in pairs:
            rows.append(
                Rollup(
                    unit=unit,
                    sector=sector,
                    granularity=granularity,
                    period_start=start,
                    metric=metric,
                    variant=variant,
                    value=None if value is None else Decimal(value),
                )
            )
    return Rollup.objects.bulk_create(rows)


def built(district: OrgUnit, at: datetime.datetime | None = None) -> RollupState:
    state, _ = RollupState.objects.update_or_create(
        district=district, defaults={"built_at": at or timezone.now(), "full_built_at": at or timezone.now()}
    )
    return state
