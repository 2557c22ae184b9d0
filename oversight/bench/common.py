"""What every part of the benchmark shares: the volumes asked for, the office that acts, the
names it writes, and the rows of a district."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields

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

    @staticmethod
    def add_arguments(parser) -> None:
        """The volumes as a benchmark command's options (bench_dashboard, bench_reminders)."""
        parser.add_argument("--hazards", type=int, default=1_000_000, help="Hazards in the district (default 1M).")
        parser.add_argument("--risks", type=int, default=200_000, help="Risk points in the district (default 200k).")
        parser.add_argument("--communities", type=int, default=180, help="Communities in all (default 180).")
        parser.add_argument("--sites", type=int, default=50_000, help="Sites in all (default 50k).")
        parser.add_argument("--months", type=int, default=24, help="Months the campaign covers up to now (24).")

    @classmethod
    def from_options(cls, options) -> Volumes:
        return cls(**{field.name: options[field.name] for field in fields(cls)})


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
