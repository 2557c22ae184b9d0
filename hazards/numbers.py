"""Hazard numbers: YH<district code>-<year>-<six digits>, e.g. YH330103-2026-000042.

A number is taken from the district's counter for the year, whose row stays locked
until the creating transaction ends: hazards logged at the same moment, by any number
of people or an import, never share a number, and a rolled-back creation gives its
number back."""

from __future__ import annotations

from django.db import transaction

from campaign.lib.deadlines import DEADLINE_TZ
from districts.models import OrgUnit
from districts.subtree import district_of
from hazards.models import HazardCounter


def format_number(district: OrgUnit, year: int, n: int) -> str:
    return f"YH{district.code}-{year}-{n:06d}"


def next_numbers(*, unit: OrgUnit, when, count: int = 1) -> list[str]:
    """`count` new numbers for hazards at `unit` logged at `when`. Call inside the
    transaction that saves them."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_numbers() must run inside the transaction that saves the hazards")
    district = district_of(unit)
    year = when.astimezone(DEADLINE_TZ).year
    # INSERT … ON CONFLICT DO NOTHING: two first hazards of a year do not collide here,
    # and the row lock below then orders them.
    HazardCounter.objects.bulk_create([HazardCounter(district=district, year=year)], ignore_conflicts=True)
    counter = HazardCounter.objects.select_for_update().get(district=district, year=year)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return [format_number(district, year, n) for n in range(first, first + count)]
