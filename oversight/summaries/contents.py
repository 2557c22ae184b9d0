"""What an annual summary says: the year's figures of one unit, read as its dashboard reads them.

Every figure comes from the rollups through the dashboard's own reader (oversight.selectors.
dashboard_for, for the summary's maker, the unit and `period=year:<year>-01-01`), so the PDF and
the dashboard show the same number for the same year and scope; the few figures the dashboard
page does not show (reports by type, key tasks by sector) are read from the same rollup rows
with the same reader (RollupRows). Lists of records (the 重大 and 较大 risks, the listed major
hazards, the rounds and bulletins of the year) are read from their tables. Charts are the
dashboard's (oversight.charts.for_page) and target progress the dashboard cards' measure
(campaign.targets), for the year.

`build(summary, user, step)` returns the Contents: its sections, each with its text, charts and
tables (a Table is headers and rows of strings, as printed), and the snapshot (JSON) the version
keeps. `step(i)` is called after each section, for the job's progress.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from campaign.lib.deadlines import DEADLINE_TZ, day_end
from campaign.models import KeyTask, Target, campaign_of_year
from campaign.targets import target_progress_in, year_figures_of
from districts.models import OrgUnit, Sector
from districts.scoping import Subtree
from hazards.models import Hazard
from oversight import charts
from oversight.models import Granularity, Metric
from oversight.readers import ReaderKind
from oversight.selectors import Dashboard, Figures, RollupRows, Rows, dashboard_for, percent
from oversight.summaries.models import AnnualSummary
from oversight.summaries.printed import (
    DASH,
    Contents,
    Section,
    Table,
    change,
    hazard_cells,
    hazard_headers,
    num,
    rate,
    report_cells,
    report_headers,
    risk_cells,
    risk_headers,
)
from reporting.models import ReportType
from risks.models import LEVEL_ORDER, Level, RiskPoint

# The rows a list of records prints in the PDF (重大 risks first; open listed hazards first): a
# summary is read, not searched; the workbook beside it holds every row.
LIST_LIMIT = 60
TASK_METRICS = (Metric.TASKS_DUE, Metric.TASKS_DONE, Metric.TASKS_OVERDUE)
REPORT_METRICS = (Metric.REPORTS_EXPECTED, Metric.REPORTS_FILED, Metric.REPORTS_ON_TIME)


# The sections, in order (the job's progress names them).
SECTION_KEYS = ("targets", "risks", "hazards", "reports", "assessments", "tasks", "narrative")


def section_titles() -> dict[str, str]:
    return {
        "targets": _("Targets against the baseline year"),
        "risks": _("Risks"),
        "hazards": _("Hazards"),
        "reports": _("Reports"),
        "assessments": _("Assessments and bulletins"),
        "tasks": _("Key tasks by sector"),
        "narrative": _("Work, problems and next year's plans"),
    }


# ---------------------------------------------------------------- the year's page


def period_param(year: int) -> str:
    return f"{Granularity.YEAR}:{year}-01-01"


def year_page(user, unit: OrgUnit, year: int) -> Dashboard:
    """The unit's dashboard for the year, as `user` reads it; ValidationError when the rollups
    hold no figures for that year (a year outside the campaigns, or figures not built yet)."""
    page = dashboard_for(user, unit.pk, period=period_param(year))
    if page.period is None or page.period.param != period_param(year) or page.notices:
        raise ValidationError(_("The dashboards hold no figures for %(year)s.") % {"year": year})
    if not page.has_figures:
        raise ValidationError(_("The dashboard figures have not been built yet: rebuild them first."))
    return page


def _year_start(year: int) -> datetime.datetime:
    """The year's first instant where the district is (Beijing time), not in UTC."""
    return day_end(datetime.date(year - 1, 12, 31))


def _local_day(moment: datetime.datetime) -> datetime.date:
    """The day a moment fell on in Beijing: a stored time is UTC, 8 hours behind."""
    return moment.astimezone(DEADLINE_TZ).date()


def _year_end(page: Dashboard, year: int) -> datetime.date:
    """The day the year's stocks are of: 31 December, or today for the running year."""
    return min(datetime.date(year, 12, 31), page.calendar.cap)


def _child_header(page: Dashboard) -> str:
    return _("Community") if page.child_kind == OrgUnit.Kind.COMMUNITY else _("Street")


# ---------------------------------------------------------------- the sections


def _targets(contents: Contents) -> Section:
    section = Section("targets", "")
    campaign, unit, year = contents.campaign, contents.unit, contents.year
    progress = target_progress_in(campaign, unit, year)
    charted = sorted({campaign.baseline_year, *range(max(campaign.baseline_year, year - 4), year + 1)})
    figures = year_figures_of(campaign, unit, [campaign.baseline_year, year - 1, *charted])
    base, previous, current = (figures.get(y) for y in (campaign.baseline_year, year - 1, year))
    rows = []
    for p in progress:
        indicator = p.target.indicator
        if indicator == Target.Indicator.SERIOUS_ACCIDENTS:
            this, last = figures.serious.get(year), figures.serious.get(year - 1)
        else:
            this, last = _indicator(current, indicator), _indicator(previous, indicator)
        yoy = None
        if this is not None and last:
            yoy = ((Decimal(this) - Decimal(last)) * 100 / Decimal(last)).quantize(Decimal("0.1"))
        rows.append(
            [
                str(p.target.get_indicator_display()),
                _target_text(p.target),
                num(p.baseline)
                if indicator != Target.Indicator.SERIOUS_ACCIDENTS
                else num(_indicator_serious(figures, campaign.baseline_year)),
                num(this),
                num(last),
                change(yoy),
                change(p.change) if indicator != Target.Indicator.SERIOUS_ACCIDENTS else DASH,
                _met_text(p.met),
            ]
        )
    headers = [
        _("Indicator"),
        _("Target by the campaign's end"),
        _("%(year)s (baseline)") % {"year": campaign.baseline_year},
        str(year),
        str(year - 1),
        _("Year on year"),
        _("Against the baseline"),
        _("Met"),
    ]
    section.tables.append(
        Table("targets", _("Targets"), headers, rows, numeric=frozenset({2, 3, 4, 5, 6}), keep=frozenset({7}))
    )
    # The baseline and the years recorded of the last five (a year nobody recorded is left out of
    # the chart, not drawn as a gap; the table above marks what is missing).
    deaths = [(y, _indicator(figures.get(y), Target.Indicator.DEATHS)) for y in charted]
    deaths = [(y, n) for y, n in deaths if n is not None or y == year]
    from campaign.lib import svg

    section.charts.append(
        svg.bar_chart(
            title=_("Deaths in production-safety accidents by year"),
            categories=[str(y) for y, _n in deaths],
            series=[svg.Series(_("Deaths"), [n for _y, n in deaths], "#D55E00")],
            category_label=_("Year"),
        )
    )
    if base is None or current is None:
        section.paragraphs.append(_("Some yearly values are missing: the figures marked — are not recorded."))
    return section


def _indicator(figures, indicator: str):
    if figures is None or figures.deaths is None:
        return None
    if indicator == Target.Indicator.DEATHS:
        return figures.deaths
    if indicator == Target.Indicator.DEATHS_PER_GDP:
        from campaign.targets import per_gdp

        return per_gdp(figures.deaths, figures.gdp)
    return None


def _indicator_serious(figures, year: int):
    return figures.serious.get(year)


def _target_text(target: Target) -> str:
    if target.kind == Target.Kind.CEILING:
        return _("at most %(value)s") % {"value": num(target.value.normalize())}
    return _("−%(value)s%%") % {"value": num(target.value.normalize())}


def _met_text(met: bool | None) -> str:
    if met is None:
        return DASH
    return _("met") if met else _("not met")


def _risks(contents: Contents) -> Section:
    page, year = contents.page, contents.year
    section = Section("risks", "")
    f = page.figures
    section.paragraphs.append(
        _(
            "At the end of %(year)s the register held %(total)s risk points: %(major)s major (red), "
            "%(significant)s significant (orange), %(general)s general (yellow) and %(low)s low (blue)."
        )
        % {
            "year": year,
            "total": num(sum(f.risk_levels)),
            "major": num(f.red),
            "significant": num(f.orange),
            "general": num(f.risks(Level.GENERAL)),
            "low": num(f.risks(Level.LOW)),
        }
    )
    drawn = charts.for_page(_year_only(page, year))
    if "risk_map" in drawn:
        section.charts.append(drawn["risk_map"])
    child = _child_header(page)
    section.tables.append(
        Table(
            "risks_by_unit",
            _("Risk points by %(unit)s and level") % {"unit": child},
            risk_headers(child),
            [[row.unit.name, *risk_cells(row.figures)] for row in page.children] + [[_("Total"), *risk_cells(f)]],
            numeric=frozenset(range(1, 6)),
            appendix=page.child_kind == OrgUnit.Kind.COMMUNITY and len(page.children) > 30,
        )
    )
    if page.by_sector:
        section.tables.append(
            Table(
                "risks_by_sector",
                _("Risk points by sector and level"),
                risk_headers(_("Sector")),
                [[s.display_name, *risk_cells(sf)] for s, sf in page.by_sector],
                numeric=frozenset(range(1, 6)),
            )
        )
    day = _year_end(page, year)
    sectors = {sector.pk: sector.display_name for sector in Sector.objects.all()}
    level_order = {level: i for i, level in enumerate(LEVEL_ORDER)}
    labels = {level: str(level.label) for level in LEVEL_ORDER}
    risks = (
        RiskPoint.objects.on_register_at(day)
        .filter(Subtree.of(contents.unit).q("unit__"))
        .filter(current_assessment__level__in=[Level.MAJOR, Level.SIGNIFICANT])
        .order_by("unit__tree_id", "unit__lft", "name", "pk")
        .values_list(
            "name",
            "current_assessment__level",
            "unit__name",
            "sector_id",
            "responsible_unit__name",
            "responsible_person",
        )
    )
    # Values, not model instances: at a city's volume the list runs to tens of thousands of rows.
    rows = [
        [name, labels[level], place, sectors.get(sector, DASH), controller or DASH, person]
        for name, level, place, sector, controller, person in sorted(risks, key=lambda r: level_order[r[1]])
    ]
    section.tables.append(
        Table(
            "major_risks",
            _("Major and significant risks and their controlling units"),
            [_("Risk point"), _("Level"), _("Place"), _("Sector"), _("Controlling unit"), _("Responsible person")],
            rows,
            keep=frozenset({1}),
            limit=LIST_LIMIT,
        )
    )
    return section


def _year_only(page: Dashboard, year: int) -> Dashboard:
    """The page with its trend cut to the year's months: the summary's charts are of the year."""
    return dataclasses.replace(page, trend=[m for m in page.trend if m.start.year == year])


def _hazards(contents: Contents) -> Section:
    page, year = contents.page, contents.year
    f = page.figures
    section = Section("hazards", "")
    section.paragraphs.append(
        _(
            "In %(year)s %(found)s hazards were found and %(closed)s closed, %(on_time)s of them on time; "
            "the closure rate to the year's end was %(rate)s, and %(overdue)s hazards were overdue at its end."
        )
        % {
            "year": year,
            "found": num(f.count(Metric.HAZARDS_FOUND)),
            "closed": num(f.count(Metric.HAZARDS_CLOSED)),
            "on_time": num(f.count(Metric.HAZARDS_CLOSED_ON_TIME)),
            "rate": rate(f.closure_rate),
            "overdue": num(f.overdue),
        }
    )
    drawn = charts.for_page(_year_only(page, year))
    section.charts += [drawn[name] for name in ("trend_hazards", "children", "sectors") if name in drawn]
    child = _child_header(page)
    section.tables.append(
        Table(
            "hazards_by_unit",
            _("Hazards by %(unit)s") % {"unit": child},
            hazard_headers(child),
            [[row.unit.name, *hazard_cells(row.figures)] for row in page.children] + [[_("Total"), *hazard_cells(f)]],
            numeric=frozenset(range(1, 7)),
            appendix=page.child_kind == OrgUnit.Kind.COMMUNITY and len(page.children) > 30,
        )
    )
    if page.by_sector:
        section.tables.append(
            Table(
                "hazards_by_sector",
                _("Hazards by sector"),
                hazard_headers(_("Sector")),
                [[s.display_name, *hazard_cells(sf)] for s, sf in page.by_sector],
                numeric=frozenset(range(1, 7)),
            )
        )
    day = _year_end(page, year)
    listed = (
        Hazard.objects.filter(Subtree.of(contents.unit).q("unit__"), listing__listed_on__lte=day)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=_year_start(year)))
        .order_by("listing__listed_on", "number")
        .values_list(
            "number",
            "title",
            "unit__name",
            "listing__document_number",
            "listing__listed_on",
            "listing__supervising_unit__name",
            "closed_at",
            "deadline",
            "rectified_at",
        )
    )
    end = day_end(day)
    open_rows, closed_rows = [], []
    for number, title, place, document, listed_on, supervisor, closed_at, deadline, rectified_at in listed:
        if closed_at is not None and closed_at < end:
            state = _("Closed (delisted) on %(day)s") % {"day": _local_day(closed_at).isoformat()}
        elif deadline and deadline < day and not (rectified_at and rectified_at < end):
            state = _("Overdue (deadline %(day)s)") % {"day": deadline.isoformat()}
        else:
            state = _("Being rectified")
        row = [number, title, place, document, listed_on.isoformat(), supervisor, state]
        (closed_rows if closed_at is not None and closed_at < end else open_rows).append(row)
    rows = open_rows + closed_rows  # those still open at the year's end first
    section.tables.append(
        Table(
            "listed_hazards",
            _("Major hazards listed for supervision"),
            [
                _("Number"),
                _("Hazard"),
                _("Place"),
                _("Listing document"),
                _("Listed on"),
                _("Supervised by"),
                _("State at the year's end"),
            ],
            rows,
            limit=LIST_LIMIT,
        )
    )
    return section


def _reports(contents: Contents, rows_by_type: RollupRows, types: list[ReportType]) -> Section:
    page, year = contents.page, contents.year
    section = Section("reports", "")
    g, start = Granularity.YEAR, datetime.date(year, 1, 1)
    f = page.figures
    if page.shows_reports:
        section.paragraphs.append(
            _(
                "In %(year)s %(filed)s of %(expected)s reports due were filed (filing rate %(rate)s), "
                "%(on_time)s on time (on-time rate %(timely)s)."
            )
            % {
                "year": year,
                "filed": num(f.count(Metric.REPORTS_FILED)),
                "expected": num(f.count(Metric.REPORTS_EXPECTED)),
                "rate": rate(f.report_rate),
                "on_time": num(f.count(Metric.REPORTS_ON_TIME)),
                "timely": rate(f.timely_rate),
            }
        )
    drawn = charts.for_page(_year_only(page, year))
    if "trend_reports" in drawn:
        section.charts.append(drawn["trend_reports"])
    child = _child_header(page)
    units = [(row.unit, row.figures) for row in page.children] + [(row.unit, row.figures) for row in page.departments]
    section.tables.append(
        Table(
            "reports_by_unit",
            _("Filing and on-time rates by %(unit)s and department") % {"unit": child}
            if page.departments
            else _("Filing and on-time rates by %(unit)s") % {"unit": child},
            report_headers(_("Unit")),
            [[unit.name, *report_cells(uf)] for unit, uf in units] + [[_("Total"), *report_cells(f)]],
            numeric=frozenset(range(1, 6)),
            appendix=len(units) > 30,
        )
    )
    by_type_rows = []
    for unit, _uf in [(contents.unit, f), *units]:
        for t in types:
            tf = Figures(rows_by_type.reports([unit.pk], g, start))
            tf = Figures({(m, ""): Decimal(tf.count(m, t.code)) for m in REPORT_METRICS})
            if tf.count(Metric.REPORTS_EXPECTED):
                by_type_rows.append([unit.name, t.name, *report_cells(tf)])
    section.tables.append(
        Table(
            "reports_by_type",
            _("Filing and on-time rates by unit and report type"),
            [_("Unit"), _("Report type"), *report_headers("")[1:]],
            by_type_rows,
            numeric=frozenset(range(2, 7)),
            appendix=True,
        )
    )
    return section


def _assessments(contents: Contents) -> Section:
    from assessments.models import Round, RunStatus
    from oversight.bulletins.documents import table_headers, table_rows
    from oversight.bulletins.models import BulletinVersion
    from oversight.bulletins.snapshot import freeze
    from oversight.ranking import ranking

    year, campaign = contents.year, contents.campaign
    section = Section("assessments", "")
    start = max(datetime.date(year, 1, 1), campaign.starts_on.replace(day=1))
    end = min(datetime.date(year, 12, 31), campaign.ends_on, contents.page.calendar.cap)
    rounds = (
        Round.objects.filter(
            campaign__district_id=contents.page.district.pk, period_start__lte=end, period_end__gte=start
        )
        .select_related("team", "template")
        .order_by("period_start", "pk")
    )
    rows = []
    for r in rounds:
        runs = [run for run in r.runs.all() if Subtree.of(contents.unit).contains(run.unit)]
        published = [run for run in runs if run.status == RunStatus.PUBLISHED]
        scores = [run.score for run in published if run.score is not None]
        rows.append(
            [
                r.name,
                f"{r.period_start.isoformat()} – {r.period_end.isoformat()}",
                num(len(runs)),
                num(len(published)),
                num((sum(scores) / len(scores)).quantize(Decimal("0.1"))) if scores else DASH,
            ]
        )
    section.tables.append(
        Table(
            "rounds",
            _("Assessment rounds of the year"),
            [_("Round"), _("Period"), _("Units assessed"), _("Published"), _("Average score")],
            rows,
            numeric=frozenset({2, 3, 4}),
        )
    )
    if start <= end:
        frozen = freeze(ranking(campaign=campaign, start=start, end=end))
        for key, title in (("streets", _("Ranking of the streets")), ("departments", _("Ranking of the departments"))):
            ranked = frozen.get(key) or []
            if contents.unit.kind == OrgUnit.Kind.STREET and key == "departments":
                continue
            if ranked:
                from oversight.charts import ranking_chart

                section.charts.append(ranking_chart(ranked, title=title))
                section.tables.append(
                    Table(
                        f"ranking_{key}",
                        title,
                        table_headers(),
                        table_rows(ranked),
                        numeric=frozenset(range(2, 12)),
                        keep=frozenset({1}),
                    )
                )
    bulletins = (
        BulletinVersion.objects.filter(
            bulletin__office__parent_id=contents.page.district.pk,
            published_at__gte=_year_start(year),
            published_at__lt=_year_start(year + 1),
        )
        .select_related("bulletin")
        .order_by("published_at")
    )
    section.tables.append(
        Table(
            "bulletins",
            _("Bulletins issued"),
            [_("Document number"), _("Title"), _("Published on"), _("State")],
            [
                [
                    v.document_number + (f" v{v.version}" if v.version > 1 else ""),
                    v.title,
                    _local_day(v.published_at).isoformat(),
                    _("Withdrawn") if v.withdrawn_at else _("Published"),
                ]
                for v in bulletins
            ],
            keep=frozenset({0, 2, 3}),
        )
    )
    return section


def _tasks(contents: Contents, rows: RollupRows, sectors: list[Sector]) -> Section:
    section = Section("tasks", "")
    g, start = Granularity.YEAR, datetime.date(contents.year, 1, 1)
    out = []
    totals = [0, 0, 0]
    for s in sectors:
        f = rows.hazards([contents.unit.pk], [s.pk], g, start)
        cells = [f.count(m) for m in TASK_METRICS]
        totals = [a + b for a, b in zip(totals, cells, strict=True)]
        out.append([s.display_name, *[num(n) for n in cells], rate(percent(cells[1], cells[0]))])
    out.append([_("Total"), *[num(n) for n in totals], rate(percent(totals[1], totals[0]))])
    section.tables.append(
        Table(
            "tasks",
            _("Key tasks by sector"),
            [_("Sector"), _("Due in the year"), _("Done"), _("Overdue at the end"), _("Done of those due")],
            out,
            numeric=frozenset({1, 2, 3, 4}),
        )
    )
    if not KeyTask.objects.filter(campaign=contents.campaign).exists():
        section.paragraphs.append(_("The campaign holds no key tasks."))
    return section


def _narrative(contents: Contents) -> Section:
    section = Section("narrative", "")
    return section


# ---------------------------------------------------------------- the whole


def build(summary: AnnualSummary, user, step: Callable[[int], None] | None = None) -> Contents:
    """The contents of `summary` as `user` may read them (the dashboard's scope)."""
    step = step or (lambda i: None)
    unit, year = summary.unit, summary.year
    page = year_page(user, unit, year)
    campaign = campaign_of_year(page.district, year) or page.campaign
    contents = Contents(summary, unit, year, campaign, page, [], page.built_at)
    g, start = Granularity.YEAR, datetime.date(year, 1, 1)
    sectors = list(page.sectors) if page.kind == ReaderKind.DISTRICT or page.every_sector else []
    report_units = [unit.pk, *[r.unit.pk for r in page.children], *[r.unit.pk for r in page.departments]]
    extra = RollupRows(
        [
            Rows(g, [start], report_units, REPORT_METRICS, [None]),
            Rows(g, [start], [unit.pk], TASK_METRICS, [s.pk for s in sectors]),
        ]
    )
    types = list(ReportType.objects.order_by("pk"))
    titles = section_titles()
    makers = {
        "targets": lambda: _targets(contents),
        "risks": lambda: _risks(contents),
        "hazards": lambda: _hazards(contents),
        "reports": lambda: _reports(contents, extra, types),
        "assessments": lambda: _assessments(contents),
        "tasks": lambda: _tasks(contents, extra, sectors),
        "narrative": lambda: _narrative(contents),
    }
    for i, key in enumerate(SECTION_KEYS, start=1):
        section = makers[key]()
        section.title = titles[key]
        contents.sections.append(section)
        step(i)
    return contents
