"""Server-rendered inline SVG charts that know no domain: a horizontal stacked
bar chart and a choropleth map (GeoJSON polygons, or a tile grid when some
shapes are missing). They take plain data and return markup.

Every <svg> names its own font family: WeasyPrint does not pass the page's
font into inline SVG, and CJK text would fall back to a serif face or boxes.
Every <svg> has a viewBox and width 100%, so it shrinks to a phone's width.
All text is XML-escaped here; callers pass plain strings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

FONT_FAMILY = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"
WIDTH = 800  # the default viewBox width; text sizes are in its units


def _text(value) -> str:
    return escape(str(value))


def _attr(value) -> str:
    return escape(str(value), {'"': "&quot;"})


def text_colour(fill: str) -> str:
    """Black or white, whichever reads better on `fill` (#rrggbb)."""
    r, g, b = (int(fill.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#212529" if luminance > 0.55 else "#ffffff"


def _svg(width: float, height: float, title: str, body: list[str], css_class: str) -> SafeString:
    return mark_safe(  # noqa: S308 — every string in it went through _text or _attr
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{_attr(css_class)}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="100%" role="img" font-family="{_attr(FONT_FAMILY)}">'
        f"<title>{_text(title)}</title>{''.join(body)}</svg>"
    )


def _legend(series: Sequence[tuple[str, str]], y: float, width: float) -> tuple[list[str], float]:
    """Swatches and labels wrapped over as many lines as they need; returns the markup and the next free y."""
    parts, x = [], 0.0
    for label, colour in series:
        item = 24 + _text_width(label, 13) + 18
        if x and x + item > width:
            x, y = 0.0, y + 22
        parts.append(
            f'<g class="legend-item"><rect x="{x:.1f}" y="{y:.1f}" width="16" height="16" rx="3" '
            f'fill="{_attr(colour)}" stroke="#6c757d" stroke-width="0.5"/>'
            f'<text x="{x + 22:.1f}" y="{y + 13:.1f}" font-size="13" fill="#212529">{_text(label)}</text></g>'
        )
        x += item
    return parts, y + 28


def _text_width(text: str, size: float) -> float:
    """A rough width: CJK glyphs are square, Latin ones about half as wide."""
    return sum(size if ord(c) > 0x2E7F else size * 0.55 for c in str(text))


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[int]]],
    series: Sequence[tuple[str, str]],
    *,
    title: str,
    width: float = WIDTH,
    css_class: str = "",
) -> SafeString:
    """One horizontal bar per row, split into one segment per series (label, colour).

    rows: (label, counts), the counts in the order of `series`. Each segment
    shows its count when there is room; each bar ends with its total.
    """
    parts, top = _legend(series, 0, width)
    label_width = min(200, max([_text_width(label, 13) for label, _c in rows] + [40]) + 12)
    bar_left, bar_right = label_width, width - 40
    biggest = max([sum(counts) for _l, counts in rows] + [1])
    scale = (bar_right - bar_left) / biggest
    bar, gap = 22, 10
    for i, (label, counts) in enumerate(rows):
        y = top + i * (bar + gap)
        parts.append(
            f'<g class="bar"><text x="{label_width - 8:.1f}" y="{y + 16:.1f}" font-size="13" text-anchor="end" '
            f'fill="#212529">{_text(label)}</text>'
        )
        x = bar_left
        for (name, colour), n in zip(series, counts, strict=True):
            if not n:
                continue
            w = n * scale
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar}" fill="{_attr(colour)}">'
                f"<title>{_text(label)} · {_text(name)}: {n}</title></rect>"
            )
            if w >= _text_width(str(n), 12) + 6:
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + 15.5:.1f}" font-size="12" text-anchor="middle" '
                    f'fill="{text_colour(colour)}">{n}</text>'
                )
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 16:.1f}" font-size="13" fill="#212529">{sum(counts)}</text></g>')
    height = top + max(len(rows), 1) * (bar + gap)
    return _svg(width, height, title, parts, f"chart-bars {css_class}".strip())


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
        f'fill="{text_colour(fill)}" pointer-events="none">{_text(text)}</text>'
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
            f'<path class="area" data-key="{_attr(area.key)}" d="{"".join(d)}" fill="{_attr(area.fill)}" '
            f'fill-rule="evenodd" stroke="#ffffff" stroke-width="1.5"><title>{_text(area.tooltip or area.label)}'
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
                    f'fill="#212529">{_text(group)}</text>'
                )
                y += 24
        x = column * (tile_w + gap)
        size = max(9.0, min(15.0, (tile_w - 12) / max(_text_width(area.label, 1), 1)))
        parts.append(
            f'<g class="tile"><rect class="area" data-key="{_attr(area.key)}" x="{x:.1f}" y="{y:.1f}" '
            f'width="{tile_w:.1f}" height="{tile_h}" rx="8" fill="{_attr(area.fill)}" stroke="#ffffff" '
            f'stroke-width="1"><title>{_text(area.tooltip or area.label)}</title></rect>'
            f"{_label(x + tile_w / 2, y + tile_h / 2, area.label, area.fill, size)}</g>"
        )
        column += 1
        if column == columns:
            column, y = 0, y + tile_h + gap
    if column:
        y += tile_h + gap
    return parts, y


def choropleth(
    areas: Sequence[Area],
    legend: Sequence[tuple[str, str]],
    *,
    title: str,
    columns: int = 4,
    width: float = WIDTH,
    css_class: str = "",
) -> SafeString:
    """A map of `areas`, each filled with its colour and named.

    Drawn from the areas' GeoJSON when every area has one; otherwise a
    schematic tile grid (`columns` tiles a row), so that no area goes missing.
    """
    legend_parts, top = _legend(legend, 0, width)
    if areas and all(a.geometry for a in areas):
        body, height = _geographic_map(areas, width)
        kind = "map-geo"
    else:
        body, height = _tile_grid(areas, columns, width)
        kind = "map-tiles"
    markup = [*legend_parts, f'<g transform="translate(0 {top:.0f})">', *body, "</g>"]
    return _svg(width, top + height, title, markup, f"{kind} {css_class}".strip())
