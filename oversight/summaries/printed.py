"""What an annual summary prints, and how: its tables, sections and contents (the shapes the
PDF, the workbook and the snapshot are made from), the number formats, and the rows of figures
shared by the district's, the streets' and the sectors' tables."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from campaign.models import Campaign
from districts.models import OrgUnit
from oversight.models import Metric
from oversight.selectors import Dashboard, Figures
from oversight.summaries.models import AnnualSummary
from risks.models import LEVEL_ORDER

DASH = "—"

# ---------------------------------------------------------------- what a section holds


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = frozenset()  # the columns of numbers (right-aligned)
    keep: frozenset[int] = frozenset()  # short columns never wrapped (a unit's name, a state)
    appendix: bool = False  # printed in the appendix rather than in its section
    # A list of records prints its first `limit` rows in the PDF (the workbook holds them all).
    limit: int | None = None

    @property
    def printed_rows(self) -> list[list[str]]:
        return self.rows if self.limit is None else self.rows[: self.limit]

    @property
    def cut(self) -> bool:
        return self.limit is not None and len(self.rows) > self.limit

    def as_data(self) -> dict:
        """The table as the PDF prints it; a list cut short also keeps how many rows it has and
        the sha256 of them all (the workbook's), so that a change beyond the cut is a change."""
        data = {"key": self.key, "title": self.title, "headers": self.headers, "rows": self.printed_rows}
        if self.cut:
            from oversight.bulletins.snapshot import digest

            data |= {"total": len(self.rows), "rows_sha256": digest({"rows": self.rows})}
        return data


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    charts: list = field(default_factory=list)  # campaign.lib.svg Chart
    tables: list[Table] = field(default_factory=list)


@dataclass
class Contents:
    summary: AnnualSummary
    unit: OrgUnit
    year: int
    campaign: Campaign
    page: Dashboard
    sections: list[Section]
    built_at: datetime.datetime | None

    @property
    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    @property
    def appendix(self) -> list[Table]:
        return [t for t in self.tables if t.appendix]

    def snapshot(self) -> dict:
        """What the version keeps: every table as printed, the year, the unit and the build."""
        return {
            "unit": {"id": self.unit.pk, "name": self.unit.name, "kind": self.unit.kind},
            "year": self.year,
            "campaign": self.campaign.pk,
            "figures_built_at": self.built_at.isoformat() if self.built_at else None,
            "sections": [
                {"key": s.key, "title": s.title, "paragraphs": s.paragraphs, "tables": [t.as_data() for t in s.tables]}
                for s in self.sections
            ],
        }


# ---------------------------------------------------------------- shown as printed


def num(value) -> str:
    if value is None:
        return DASH
    return number_format(value, force_grouping=True)


def rate(value: Decimal | None) -> str:
    return DASH if value is None else f"{number_format(value, 1)}%"


def change(value: Decimal | None) -> str:
    if value is None:
        return DASH
    return f"{'+' if value > 0 else ''}{number_format(value, 1)}%"


def hazard_cells(f: Figures) -> list[str]:
    return [
        num(f.count(Metric.HAZARDS_FOUND)),
        num(f.count(Metric.HAZARDS_CLOSED)),
        num(f.count(Metric.HAZARDS_CLOSED_ON_TIME)),
        rate(f.closure_rate),
        num(f.overdue),
        num(f.listed_major),
    ]


def hazard_headers(first: str) -> list[str]:
    return [
        first,
        _("Found"),
        _("Closed"),
        _("Closed on time"),
        _("Closure rate (to date)"),
        _("Overdue at the end"),
        _("Listed major hazards open"),
    ]


def risk_headers(first: str) -> list[str]:
    return [first, *[str(level.label) for level in LEVEL_ORDER], _("Total")]


def risk_cells(f: Figures) -> list[str]:
    levels = f.risk_levels
    return [*[num(n) for n in levels], num(sum(levels))]


def report_headers(first: str) -> list[str]:
    return [first, _("Expected"), _("Filed"), _("On time"), _("Filing rate"), _("On-time rate")]


def report_cells(f: Figures) -> list[str]:
    return [
        num(f.count(Metric.REPORTS_EXPECTED)),
        num(f.count(Metric.REPORTS_FILED)),
        num(f.count(Metric.REPORTS_ON_TIME)),
        rate(f.report_rate),
        rate(f.timely_rate),
    ]
