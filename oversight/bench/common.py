"""What every part of the benchmark shares: the volumes asked for, the office that acts, the
names it writes, and the rows of a district."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from campaign.models import Campaign
from districts.models import OrgUnit
from hazards.demo import HAZARDS as DEMO_HAZARDS

OFFICE_USERNAME = "office"
PEOPLE = ["王建国", "李丽华", "张志强", "刘秀英", "陈伟", "杨敏", "赵磊", "黄静", "周涛", "吴芳"]
HAZARD_TITLES = [title for title, *_rest in DEMO_HAZARDS]


@dataclass(frozen=True)
class Volumes:
    hazards: int = 1_000_000
    risks: int = 200_000
    communities: int = 180
    sites: int = 50_000
    months: int = 24


def ensure_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise ImproperlyConfigured(
            f"The dashboard benchmark seeds in bulk with PostgreSQL's generate_series; this database is "
            f"{connection.vendor}. Set DATABASE_URL=postgres://… to a database of its own."
        )


def in_district(queryset, district: OrgUnit, lookup: str = "unit__"):
    return queryset.filter(
        **{f"{lookup}tree_id": district.tree_id, f"{lookup}lft__gte": district.lft, f"{lookup}rght__lte": district.rght}
    )


def month_back(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_covered(campaign: Campaign, today: datetime.date) -> int:
    last = min(today, campaign.ends_on)
    return (last.year - campaign.starts_on.year) * 12 + last.month - campaign.starts_on.month + 1
