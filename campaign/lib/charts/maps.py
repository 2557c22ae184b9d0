"""The choropleth: a map of areas (streets, communities), each in its colour and named, drawn
from GeoJSON polygons, or as a tile grid when some shapes are missing."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .data import Chart
from .markup import INK, WIDTH, attr, esc, svg_root, text_colour, text_width
from .markup import legend as legend_markup


@dataclass(frozen=True)
class Area:
    """One area of a choropleth: `key` identifies it in the markup (data-key), `geometry` is a
    GeoJSON Polygon or MultiPolygon in lon/lat (WGS 84), or None when its shape is unknown."""

    key: str
    label: str
    fill: str
    tooltip: str = ""
    geometry: dict | None = None
    group: str = ""


def polygon_geometry(data) -> dict:
    """The Polygon or MultiPolygon in a GeoJSON geometry, Feature or FeatureCollection (its first feature).

    Raises ValueError when there is none or its coordinates are not rings of [lon, lat].
    """
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        data = features[0] if features else None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValueError("not a Polygon or MultiPolygon")
    polygons = data.get("coordinates")
    if data["type"] == "Polygon":
        polygons = [polygons]
    if not isinstance(polygons, list) or not polygons:
        raise ValueError("no coordinates")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValueError("a polygon without rings")
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                raise ValueError("a ring needs at least four positions")
            for point in ring:
                if not (
                    isinstance(point, list | tuple)
                    and len(point) >= 2
                    and all(isinstance(v, int | float) and not isinstance(v, bool) for v in point[:2])
                    and -180 <= point[0] <= 180
                    and -90 <= point[1] <= 90
                ):
                    raise ValueError("a position is not [longitude, latitude]")
    return {"type": data["type"], "coordinates": data["coordinates"]}


def _polygons(geometry: dict) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def _ring_centroid(ring) -> tuple[float, float, float]:
    """(signed area, cx, cy) of a closed ring of projected points."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if not area:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return area, cx / (6 * area), cy / (6 * area)


def _label(x: float, y: float, text: str, fill: str, size: float) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:.0f}" text-anchor="middle" dominant-baseline="central" '
        f'fill="{text_colour(fill)}" pointer-events="none">{esc(text)}</text>'
    )


def _geographic_map(areas: Sequence[Area], width: float) -> tuple[list[str], float]:
    """Equirectangular: x = lon·cos(mean latitude), y = −lat, scaled to the width; north is up."""
    lats = [pt[1] for a in areas for poly in _polygons(a.geometry) for ring in poly for pt in ring]
    lons = [pt[0] for a in areas for poly in _polygons(a.geometry) for ring in poly for pt in ring]
    k = math.cos(math.radians(sum(lats) / len(lats)))
    min_x, max_x = min(lons) * k, max(lons) * k
    min_lat, max_lat = min(lats), max(lats)
    pad, max_height = 12, width * 0.8
    # Fit the width, unless the district is tall: then fit the height and centre it.
    scale = min((width - 2 * pad) / max(max_x - min_x, 1e-9), (max_height - 2 * pad) / max(max_lat - min_lat, 1e-9))
    left = (width - (max_x - min_x) * scale) / 2
    height = (max_lat - min_lat) * scale + 2 * pad

    def project(pt):
        return (left + (pt[0] * k - min_x) * scale, pad + (max_lat - pt[1]) * scale)

    shapes, labels = [], []
    for area in areas:
        d, best = [], (0.0, 0.0, 0.0)
        for polygon in _polygons(area.geometry):
            for i, ring in enumerate(polygon):
                points = [project(pt) for pt in ring]
                d.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points) + "Z")
                if i == 0:
                    centroid = _ring_centroid(points)
                    if abs(centroid[0]) >= abs(best[0]):
                        best = centroid
        shapes.append(
            f'<path class="area" data-key="{attr(area.key)}" d="{"".join(d)}" fill="{attr(area.fill)}" '
            f'fill-rule="evenodd" stroke="#ffffff" stroke-width="1.5"><title>{esc(area.tooltip or area.label)}'
            "</title></path>"
        )
        size = max(10.0, min(16.0, math.sqrt(abs(best[0])) / max(len(area.label), 1) * 1.2))
        labels.append(_label(best[1], best[2], area.label, area.fill, size))
    return shapes + labels, height


def _tile_grid(areas: Sequence[Area], columns: int, width: float) -> tuple[list[str], float]:
    """One rounded tile per area, in the order given, under a heading for each group."""
    gap, tile_h = 8, 48
    tile_w = (width - gap * (columns - 1)) / columns
    parts, y, column, group = [], 0.0, 0, None
    for area in areas:
        if area.group != group:
            if column:
                y += tile_h + gap
            group, column = area.group, 0
            if group:
                parts.append(
                    f'<text class="group" x="0" y="{y + 16:.1f}" font-size="14" font-weight="bold" '
                    f'fill="{INK}">{esc(group)}</text>'
                )
                y += 24
        x = column * (tile_w + gap)
        size = max(9.0, min(15.0, (tile_w - 12) / max(text_width(area.label, 1), 1)))
        parts.append(
            f'<g class="tile"><rect class="area" data-key="{attr(area.key)}" x="{x:.1f}" y="{y:.1f}" '
            f'width="{tile_w:.1f}" height="{tile_h}" rx="8" fill="{attr(area.fill)}" stroke="#ffffff" '
            f'stroke-width="1"><title>{esc(area.tooltip or area.label)}</title></rect>'
            f"{_label(x + tile_w / 2, y + tile_h / 2, area.label, area.fill, size)}</g>"
        )
        column += 1
        if column == columns:
            column, y = 0, y + tile_h + gap
    if column:
        y += tile_h + gap
    return parts, y


def _choropleth(
    areas: Sequence[Area],
    legend: Sequence[tuple[str, str]],
    *,
    title: str,
    columns: int = 4,
    width: float = WIDTH,
    css_class: str = "",
) -> SafeString:
    legend_parts, top = legend_markup(legend, 0, width)
    if areas and all(a.geometry for a in areas):
        body, height = _geographic_map(areas, width)
        kind = "map-geo"
    else:
        body, height = _tile_grid(areas, columns, width)
        kind = "map-tiles"
    markup = [*legend_parts, f'<g transform="translate(0 {top:.0f})">', *body, "</g>"]
    return svg_root(width, top + height, title, markup, f"{kind} {css_class}".strip())


def choropleth(
    areas: Sequence[Area],
    legend: Sequence[tuple[str, str]],
    *,
    title: str,
    columns: int = 4,
    width: float = WIDTH,
    css_class: str = "",
    narrow_columns: int | None = None,
    narrow_width: float = 400,
    key_header: str | None = None,
) -> Chart:
    """A map of `areas`, each filled with its colour and named.

    Drawn from the areas' GeoJSON when every area has one; otherwise a
    schematic tile grid (`columns` tiles a row), so that no area goes missing.

    The table: a row per area, its name, the legend entry of its colour (under `key_header`,
    default 图例) and, when any area has one, its tooltip. `narrow_columns` draws a second
    SVG for phones, `narrow_width` wide with that many tiles a row.
    """
    keys = {colour.lower(): label for label, colour in legend}
    details = any(a.tooltip and a.tooltip != a.label for a in areas)
    return Chart(
        title=title,
        svg=_choropleth(areas, legend, title=title, columns=columns, width=width, css_class=css_class),
        svg_narrow=(
            _choropleth(areas, legend, title=title, columns=narrow_columns, width=narrow_width, css_class=css_class)
            if narrow_columns
            else None
        ),
        headers=[_("Name"), key_header or _("Legend"), *([_("Details")] if details else [])],
        rows=[
            [area.label, keys.get(area.fill.lower(), ""), *([area.tooltip or area.label] if details else [])]
            for area in areas
        ],
    )
