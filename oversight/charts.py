"""The dashboard's charts, drawn by the one chart component (campaign.lib.svg): the monthly
trends, the bars per child unit and per sector, and the four-colour map of the children's
risks. Each is a Chart: its SVG and its numbers as a table beside it."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from campaign.lib import svg
from districts.models import OrgUnit
from oversight.selectors import Dashboard
from risks.models import LEVEL_COLOURS, LEVEL_ORDER

NO_RISK_COLOUR = "#c4c8cc"
HAZARD_COLOURS = ("#0072B2", "#007A5E", "#D55E00")  # found, closed, overdue


def _hazard_series(figures_list) -> list:
    found = [f.count("hazards_found") for f in figures_list]
    closed = [f.count("hazards_closed") for f in figures_list]
    overdue = [f.overdue for f in figures_list]
    return [
        svg.Series(_("Hazards found"), found, HAZARD_COLOURS[0]),
        svg.Series(_("Hazards closed"), closed, HAZARD_COLOURS[1]),
        svg.Series(_("Overdue at the end"), overdue, HAZARD_COLOURS[2]),
    ]


def _child_label(page: Dashboard) -> str:
    kind = page.child_kind
    if kind == OrgUnit.Kind.STREET:
        return _("street")
    if kind == OrgUnit.Kind.COMMUNITY:
        return _("community")
    return _("unit")


def for_page(page: Dashboard) -> dict:
    """The charts of a page, by name; a chart with nothing to show is left out."""
    if not page.has_figures:
        return {}
    charts = {}
    months = [date_format(m.start, "YEAR_MONTH_FORMAT") for m in page.trend]
    if page.trend and (page.sectors or page.every_sector):
        charts["trend_hazards"] = svg.line_chart(
            title=_("Hazards by month: found, closed, and overdue at the month's end"),
            categories=months,
            series=_hazard_series([m.figures for m in page.trend]),
        )
    if page.shows_reports and any(m.figures.report_rate is not None for m in page.trend):
        charts["trend_reports"] = svg.line_chart(
            title=_("Filing rate by month"),
            categories=months,
            series=[
                svg.Series(_("Filing rate"), [m.figures.report_rate for m in page.trend], "#0072B2"),
                svg.Series(_("On-time rate"), [m.figures.timely_rate for m in page.trend], "#D55E00"),
            ],
            percent=True,
        )
    if page.children:
        charts["children"] = svg.bar_chart(
            title=_("Hazards by %(unit)s, %(period)s") % {"unit": _child_label(page), "period": page.period.label},
            categories=[row.unit.name for row in page.children],
            series=_hazard_series([row.figures for row in page.children]),
            links=[row.url or None for row in page.children],
        )
        charts["risk_map"] = _risk_map(page)
    if len(page.by_sector) > 1:
        charts["sectors"] = svg.bar_chart(
            title=_("Hazards by sector, %(period)s") % {"period": page.period.label},
            categories=[sector.display_name for sector, _f in page.by_sector],
            series=_hazard_series([figures for _s, figures in page.by_sector]),
        )
    return charts


def _risk_map(page: Dashboard):
    """The four-colour map of the children, each in the colour of its highest risk level, and
    its table: the risks of each level, as the rollups count them."""
    areas = []
    for row in page.children:
        highest = row.figures.highest_level
        counts = "，".join(
            f"{level.label} {n}" for level, n in zip(LEVEL_ORDER, row.figures.risk_levels, strict=True) if n
        )
        areas.append(
            svg.Area(
                key=row.unit.code,
                label=row.unit.name,
                fill=LEVEL_COLOURS[highest] if highest else NO_RISK_COLOUR,
                tooltip=f"{row.unit.name}：{counts}"
                if counts
                else _("%(name)s: no active risks") % {"name": row.unit.name},
                geometry=_boundary(row.unit),
            )
        )
    if not all(area.geometry for area in areas):
        areas = [svg.Area(a.key, a.label, a.fill, a.tooltip) for a in areas]
    legend = [(str(level.label), LEVEL_COLOURS[level]) for level in LEVEL_ORDER] + [
        (_("No graded risk"), NO_RISK_COLOUR)
    ]
    title = _("Four-colour risk map, %(period)s") % {"period": page.period.label}
    return svg.choropleth(areas, legend, title=title, columns=4, narrow_columns=2, key_header=_("Highest level"))


def _boundary(unit: OrgUnit):
    try:
        return unit.boundary.geometry
    except OrgUnit.boundary.RelatedObjectDoesNotExist:
        return None
