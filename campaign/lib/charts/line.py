"""Line charts: monthly trends, one line per series, measured from zero."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .data import Chart, Series, axis_ticks, checked, colours, formatter, missing
from .markup import (
    AXIS,
    CHART_WIDTH,
    INK,
    MUTED,
    NARROW_WIDTH,
    attr,
    esc,
    legend,
    svg_root,
    text_width,
    thinned,
    value_axis,
)

TICK = 12  # the font size of axis labels
DASHES = ("", "7 4", "2 3", "9 3 2 3")  # one per series (cycled): lines part in grey print too


def marker(k: int, x: float, y: float, colour: str, title: str = "") -> str:
    """Series k's point: a circle, square, triangle or diamond, with a white rim that parts it
    from a line crossing it."""
    inner = f"<title>{esc(title)}</title>" if title else ""
    paint = f'fill="{attr(colour)}" stroke="#ffffff" stroke-width="1.2"'
    shape = k % 4
    if shape == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" {paint}>{inner}</circle>'
    if shape == 1:
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" {paint}>{inner}</rect>'
    if shape == 2:
        d = f"M{x:.1f} {y - 5.5:.1f}L{x + 5:.1f} {y + 3.5:.1f}L{x - 5:.1f} {y + 3.5:.1f}Z"
    else:
        d = f"M{x:.1f} {y - 5.5:.1f}L{x + 5.5:.1f} {y:.1f}L{x:.1f} {y + 5.5:.1f}L{x - 5.5:.1f} {y:.1f}Z"
    return f'<path d="{d}" {paint}>{inner}</path>'


def _line_attrs(k: int, colour: str) -> str:
    dash = DASHES[k % len(DASHES)]
    return f'fill="none" stroke="{attr(colour)}" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"' + (
        f' stroke-dasharray="{dash}"' if dash else ""
    )


def _sample(k: int, x: float, y: float, colour: str) -> str:
    return f'<path d="M{x:.1f} {y + 8:.1f}h24" {_line_attrs(k, colour)}/>' + marker(k, x + 12, y + 8, colour)


def _spread(wanted: list[float], gap: float, low: float, high: float) -> list[float]:
    """Positions as near `wanted` as can be with `gap` between neighbours, within [low, high]."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [0.0] * len(wanted)
    previous = low - gap
    for i in order:
        previous = placed[i] = max(wanted[i], previous + gap)
    overflow = previous - high
    if overflow > 0:  # pushed off the bottom: shift everything up as far as the top allows
        for i in order:
            placed[i] = max(low, placed[i] - overflow)
    return placed


def _draw(
    *,
    title: str,
    labels: list[str],
    series: Sequence[Series],
    columns: list[list[Decimal | None]],
    palette: list[str],
    cell: Callable,
    width: float,
    y_label: str | None,
    percent: bool,
    last_values: bool,
) -> SafeString:
    parts, top = legend([(s.label, c) for s, c in zip(series, palette, strict=True)], 0, width, sample=_sample)
    if not series:
        top = 0.0
    values = [v for column in columns for v in column if v is not None]
    ticks, tick_texts = axis_ticks(values, width=width, percent=percent)
    left = max(text_width(t, TICK) for t in tick_texts) + 10
    if y_label:
        parts.append(
            f'<text class="y-label" x="0" y="{top + 12:.1f}" font-size="{TICK}" fill="{MUTED}">{esc(y_label)}</text>'
        )
        top += 20
    plot_top = top + 8
    plot_height = 220 if width >= 600 else 190
    plot_bottom = plot_top + plot_height
    n = len(labels)

    last = []  # (series index, category index, text) of each series' last value
    if last_values:
        for k, column in enumerate(columns):
            found = [(i, v) for i, v in enumerate(column) if v is not None]
            if found:
                last.append((k, found[-1][0], cell(found[-1][1])))
    right = 12.0
    if last:
        half_step = (width - left - right) / max(n, 1) / 2
        right = max(right, max(text_width(text, TICK) for *_i, text in last) + 12 - half_step)
    step = (width - left - right) / max(n, 1)
    lo, hi = float(ticks[0]), float(ticks[-1])

    def x_of(i: int) -> float:
        return left + (i + 0.5) * step

    def y_of(v: Decimal) -> float:
        return plot_bottom - (float(v) - lo) / (hi - lo) * plot_height

    axis = [(y_of(t), text, t == 0) for t, text in zip(ticks, tick_texts, strict=True)]
    parts.append(value_axis(axis, left, width - right, TICK))

    # Category labels thinned to fit.
    shown = thinned(n, max((text_width(c, TICK) for c in labels), default=0), step)
    parts.append('<g class="x-axis">')
    for i, text in enumerate(labels):
        if i not in shown:
            continue
        half = text_width(text, TICK) / 2
        x = min(max(x_of(i), half), width - half)
        parts.append(
            f'<line x1="{x_of(i):.1f}" y1="{plot_bottom:.1f}" x2="{x_of(i):.1f}" y2="{plot_bottom + 4:.1f}" '
            f'stroke="{AXIS}"/><text x="{x:.1f}" y="{plot_bottom + 18:.1f}" font-size="{TICK}" '
            f'text-anchor="middle" fill="{INK}">{esc(text)}</text>'
        )
    parts.append("</g>")

    for k, (s, column, colour) in enumerate(zip(series, columns, palette, strict=True)):
        path, pen_down, points = [], False, []
        for i, v in enumerate(column):
            if v is None:  # a gap: the line lifts, no point is drawn
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{x_of(i):.1f} {y_of(v):.1f}")
            pen_down = True
            points.append(marker(k, x_of(i), y_of(v), colour, f"{s.label} · {labels[i]}: {cell(v)}"))
        parts.append(f'<g class="series" data-series="{k}">')
        if any(p.startswith("L") for p in path):
            parts.append(f'<path class="line" d="{"".join(path)}" {_line_attrs(k, colour)}/>')
        parts.extend(points)
        parts.append("</g>")

    if last:
        wanted = [y_of(columns[k][i]) + 4 for k, i, _t in last]
        for (k, i, text), y in zip(last, _spread(wanted, 14, plot_top, plot_bottom + 4), strict=True):
            parts.append(
                f'<text class="last-value" x="{x_of(i) + 8:.1f}" y="{y:.1f}" font-size="{TICK}" font-weight="bold" '
                f'fill="{INK}" data-series="{k}">{esc(text)}</text>'
            )

    if not values:
        message = missing() if n and series else _("No data")
        parts.append(
            f'<text class="no-data" x="{(left + width - right) / 2:.1f}" y="{plot_top + plot_height / 2:.1f}" '
            f'font-size="14" text-anchor="middle" fill="{MUTED}">{esc(message)}</text>'
        )
    return svg_root(width, plot_bottom + 28, title, parts, "chart chart-line")


def line_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    y_label: str | None = None,
    percent: bool = False,
    format: Callable[[Decimal], str] | None = None,
    last_values: bool = False,
    category_label: str | None = None,
    width: float = CHART_WIDTH,
    narrow_width: float | None = NARROW_WIDTH,
) -> Chart:
    """A line per series over the categories (months, in order), from a zero-based axis.

    None is a gap in the line and no point. `y_label` names the unit (件, %); `percent` takes
    percentages (85.5) and prints them 85.5%; `format(value)` prints a value instead (table,
    tooltips, last values). `last_values` writes each series' latest value at its end.
    The table has one row per category: `category_label` (时间) and a column per series.
    """
    labels, columns = checked(categories, series)
    palette = colours(series)
    cell = formatter(format, percent)
    draw = {
        "title": title,
        "labels": labels,
        "series": series,
        "columns": columns,
        "palette": palette,
        "cell": cell,
        "y_label": y_label,
        "percent": percent,
        "last_values": last_values,
    }
    return Chart(
        title=title,
        svg=_draw(width=width, **draw),
        svg_narrow=_draw(width=narrow_width, **draw) if narrow_width else None,
        headers=[category_label or _("Time"), *(s.label for s in series)],
        rows=[[label, *(cell(column[i]) for column in columns)] for i, label in enumerate(labels)],
    )
