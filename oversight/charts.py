"""The dashboard's charts, drawn by the one chart component (campaign.lib.svg): the monthly
trends, the bars per child unit and per sector, and the four-colour map of the children's
risks. Each is a Chart: its SVG and its numbers as a table beside it.

A page shows them as one section (`section`), drawn once per build of the figures: the charts
change only with the figures, the language and what they name, and the section is kept per
process under a key of exactly those.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from campaign.lib import svg
from districts.models import OrgUnit
from oversight.selectors import FIGURES_CACHE_SECONDS, Dashboard, cache_key
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


def section(page: Dashboard) -> SafeString:
    """The page's charts as the HTML of its charts section (templates/oversight/_charts.html),
    or nothing when there are none. Kept under the key of the page's figures, the language, and
    the children and sectors the charts name (names, links, boundaries): the first request
    after a build draws them, the next ones read them."""
    if not page.has_figures:
        return mark_safe("")
    key = cache_key(
        "charts",
        page.figures_key,
        get_language(),
        [(r.unit.pk, r.unit.kind, r.unit.code, r.unit.name, r.url, _boundary_drawn(r.unit)) for r in page.children],
        [(sector.pk, sector.display_name) for sector, _figures in page.by_sector],
    )
    html = cache.get(key)
    if html is None:
        html = render_to_string("oversight/_charts.html", {"charts": for_page(page), "page": page})
        cache.set(key, html, FIGURES_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 (the template rendered it, escaping what it holds)


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


def _boundary_drawn(unit: OrgUnit):
    """Which boundary the map draws for `unit`: its row and when it last changed, or None."""
    try:
        return (unit.boundary.pk, unit.boundary.updated_at)
    except OrgUnit.boundary.RelatedObjectDoesNotExist:
        return None


# ---------------------------------------------------------------- a bulletin's ranking

RANKING_COLOUR = "#0072B2"


def ranking_chart(rows: list[dict], *, title: str):
    """The bar chart of a bulletin's ranking table: each unit's weighted total, in rank order.
    `rows` are the snapshot's (oversight.bulletins.snapshot.freeze): the chart draws what was
    frozen, never today's figures."""
    return svg.bar_chart(
        title=title,
        categories=[f"{row['rank']}. {row['unit_name']}" for row in rows],
        series=[svg.Series(_("Weighted total"), [Decimal(row["total"]) for row in rows], RANKING_COLOUR)],
        category_label=_("Unit"),
    )
