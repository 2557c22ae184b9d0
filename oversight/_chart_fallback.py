"""A stand-in for the chart component's API (campaign.lib.svg: Series, Chart, line_chart,
bar_chart, choropleth → Chart) until part `charts` is merged; removed when it is."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from campaign.lib import svg
from campaign.lib.svg import Area  # noqa: F401


@dataclass(frozen=True)
class Series:
    label: str
    values: list
    colour: str | None = None


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str
    headers: list
    rows: list
    links: list | None = None
    svg_narrow: str | None = None

    @property
    def table(self):
        links = self.links or [None] * len(self.rows)
        return [(row[0], link, row[1:]) for row, link in zip(self.rows, links, strict=True)]


def _cell(value, percent=False):
    if value is None:
        return _("Data missing")
    return f"{value}%" if percent else str(value)


def _chart(*, title, categories, series, percent=False, links=None, **kwargs) -> Chart:
    colours = [s.colour or "#0072B2" for s in series]
    rows = [(str(c), [int(s.values[i] or 0) for s in series]) for i, c in enumerate(categories)]
    return Chart(
        title=title,
        svg=svg.stacked_bar_chart(rows, [(s.label, c) for s, c in zip(series, colours, strict=True)], title=title),
        headers=[_("Name"), *(s.label for s in series)],
        rows=[[str(c), *(_cell(s.values[i], percent) for s in series)] for i, c in enumerate(categories)],
        links=list(links) if links else None,
    )


line_chart = bar_chart = _chart


def choropleth(areas, legend, *, title, columns=4, narrow_columns=None, key_header=None, **kwargs) -> Chart:
    keys = {colour.lower(): label for label, colour in legend}
    return Chart(
        title=title,
        svg=svg.choropleth(areas, legend, title=title, columns=columns),
        headers=[_("Name"), key_header or _("Legend"), _("Details")],
        rows=[[a.label, keys.get(a.fill.lower(), ""), a.tooltip] for a in areas],
    )
