"""The four-colour distribution map (安全风险四色分布图): a map of streets or
communities in the colour of their highest risk, and the counts behind it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.lib import svg
from districts.models import OrgUnit
from risks.distribution import Distribution, Row, boundary_of, distribution_for
from risks.models import LEVEL_COLOURS, LEVEL_ORDER

NO_RISK_COLOUR = "#c4c8cc"
NOT_ASSESSED_COLOUR = "#8f979e"


def _column_labels() -> list[tuple[str, str]]:
    """(label, colour) of each count column, highest level first."""
    return [(str(level.label), LEVEL_COLOURS[level]) for level in LEVEL_ORDER] + [
        (_("Not assessed"), NOT_ASSESSED_COLOUR)
    ]


def _tooltip(row: Row) -> str:
    if not row.total:
        return _("%(name)s: no active risks") % {"name": row.label}
    parts = "，".join(f"{label} {n}" for (label, _c), n in zip(_column_labels(), row.cells, strict=True) if n)
    return f"{row.label}：{parts}"


def _maps(dist: Distribution) -> tuple[str, str]:
    """The map twice: wide for screens and print, narrow (bigger text, fewer tiles a row) for phones."""
    areas = [
        svg.Area(
            key=row.key,
            label=row.label,
            fill=LEVEL_COLOURS[row.highest] if row.highest else NO_RISK_COLOUR,
            tooltip=_tooltip(row),
            geometry=boundary_of(row) if dist.has_boundaries else None,
            group=row.group if dist.level == OrgUnit.Kind.COMMUNITY else "",
        )
        for row in dist.areas
    ]
    legend = [(str(level.label), LEVEL_COLOURS[level]) for level in LEVEL_ORDER] + [
        (_("No graded risk"), NO_RISK_COLOUR)
    ]
    title = _("Four-colour risk distribution map")
    streets = dist.level == OrgUnit.Kind.STREET
    wide = svg.choropleth(areas, legend, title=title, columns=4 if streets else 6, css_class="map-wide")
    narrow = svg.choropleth(areas, legend, title=title, columns=2 if streets else 3, width=400, css_class="map-narrow")
    return wide, narrow


def _bars(rows: list[Row], title: str) -> str:
    return svg.stacked_bar_chart([(row.label, row.cells) for row in rows], _column_labels(), title=title, width=560)


def _tables(dist: Distribution, street_rows: list[Row], by_place: str) -> list[tuple[str, list[Row], str]]:
    """(caption, rows, test id) of each table of counts: the charts' data, for screen readers and print."""
    tables = [(by_place, street_rows, "place-counts")]
    if dist.level == OrgUnit.Kind.COMMUNITY and dist.areas != dist.streets:
        tables.append((_("Active risks by community"), dist.areas, "community-counts"))
    tables.append((_("Active risks by sector"), dist.sectors, "sector-counts"))
    return tables


@login_required
def risk_distribution(request):
    level = OrgUnit.Kind.COMMUNITY if request.GET.get("level") == "community" else OrgUnit.Kind.STREET
    dist = distribution_for(request.user, level)
    street_rows = dist.streets + ([dist.outside_streets] if dist.outside_streets else [])
    if dist.outside_streets:
        dist.outside_streets.label = _("%(district)s (not in a street)") % {"district": dist.outside_streets.label}
    # Community staff see no street: their bars are their communities.
    in_streets = any(row.unit.kind == OrgUnit.Kind.STREET for row in dist.streets)
    by_place = _("Active risks by street") if in_streets else _("Active risks by community")
    title = (
        _("%(district)s four-colour safety risk distribution map") % {"district": dist.district}
        if dist.district
        else _("Four-colour safety risk distribution map")
    )
    wide_map, narrow_map = _maps(dist)
    context = {
        "title": title,
        "dist": dist,
        "level": dist.level,
        "today": timezone.localdate(),
        "map_svg": wide_map,
        "map_svg_narrow": narrow_map,
        "street_svg": _bars(street_rows, by_place),
        "sector_svg": _bars(dist.sectors, _("Active risks by sector")),
        "by_place": by_place,
        "tables": _tables(dist, street_rows, by_place),
        "columns": [label for label, _c in _column_labels()],
        "print": request.GET.get("print") == "1",
    }
    # The printable variant is the same page on a bare sheet (it extends distribution_print.html).
    return render(request, "risks/distribution.html", context)
