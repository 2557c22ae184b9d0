"""Stacked bars: one horizontal bar per row, split into one segment per series (the risk levels
of the four-colour map's counts)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .data import Chart, format_number
from .markup import INK, WIDTH, attr, esc, legend, svg_root, text_colour, text_width


def _stacked(
    rows: Sequence[tuple[str, Sequence[int]]],
    series: Sequence[tuple[str, str]],
    *,
    title: str,
    width: float = WIDTH,
    css_class: str = "",
) -> SafeString:
    parts, top = legend(series, 0, width)
    label_width = min(200, max([text_width(label, 13) for label, _c in rows] + [40]) + 12)
    bar_left, bar_right = label_width, width - 40
    biggest = max([sum(counts) for _l, counts in rows] + [1])
    scale = (bar_right - bar_left) / biggest
    bar, gap = 22, 10
    for i, (label, counts) in enumerate(rows):
        y = top + i * (bar + gap)
        parts.append(
            f'<g class="bar"><text x="{label_width - 8:.1f}" y="{y + 16:.1f}" font-size="13" text-anchor="end" '
            f'fill="{INK}">{esc(label)}</text>'
        )
        x = bar_left
        for (name, colour), n in zip(series, counts, strict=True):
            if not n:
                continue
            w = n * scale
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar}" fill="{attr(colour)}">'
                f"<title>{esc(label)} · {esc(name)}: {n}</title></rect>"
            )
            if w >= text_width(str(n), 12) + 6:
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + 15.5:.1f}" font-size="12" text-anchor="middle" '
                    f'fill="{text_colour(colour)}">{n}</text>'
                )
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 16:.1f}" font-size="13" fill="{INK}">{sum(counts)}</text></g>')
    height = top + max(len(rows), 1) * (bar + gap)
    return svg_root(width, height, title, parts, f"chart-bars {css_class}".strip())


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[int]]],
    series: Sequence[tuple[str, str]],
    *,
    title: str,
    width: float = WIDTH,
    css_class: str = "",
    narrow_width: float | None = None,
) -> Chart:
    """One horizontal bar per row, split into one segment per series (label, colour).

    rows: (label, counts), the counts in the order of `series`. Each segment
    shows its count when there is room; each bar ends with its total. The table:
    a row per bar, a column per series and the total. `narrow_width` (NARROW_WIDTH)
    draws a second SVG for phones.
    """
    for label, counts in rows:
        if len(counts) != len(series):
            raise ValueError(f"row {label!r} has {len(counts)} counts for {len(series)} series")
    return Chart(
        title=title,
        svg=_stacked(rows, series, title=title, width=width, css_class=css_class),
        svg_narrow=_stacked(rows, series, title=title, width=narrow_width, css_class=css_class)
        if narrow_width
        else None,
        headers=[_("Name"), *(name for name, _c in series), _("Total")],
        rows=[[str(label), *(format_number(n) for n in counts), format_number(sum(counts))] for label, counts in rows],
    )
