"""The pieces every chart is built from: escaping, the <svg> element, text widths, legends.

Every <svg> names its own font family: WeasyPrint does not pass the page's font into inline
SVG, and CJK text would fall back to a serif face or boxes. Every <svg> has a viewBox and
width 100%, so it shrinks to its container. All text is XML-escaped here; callers pass plain
strings. No `style` attributes: the pages' Content-Security-Policy refuses inline styles, so
everything is drawn with presentation attributes.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

FONT_FAMILY = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"
WIDTH = 800  # the maps' and stacked bars' default viewBox width; text sizes are in its units
# Line and bar charts: at 640 their 12-unit labels print at about 8 pt across an A4 page's text
# width, and read at 10 px or more in a half-width card on a desktop.
CHART_WIDTH = 640
NARROW_WIDTH = 360  # a phone's: at 390 px a card's body is about 330 px, so 12-unit text stays ≥ 11 px
INK = "#212529"
MUTED = "#5c636a"  # 6:1 on white
GRID = "#dee2e6"
AXIS = "#6c757d"


def esc(value) -> str:
    return _escaped(str(value))


def attr(value) -> str:
    return _quoted(str(value))


# A drawing escapes the same few strings (colours, names, numbers) hundreds of times.
@functools.lru_cache(maxsize=8192)
def _escaped(text: str) -> str:
    return escape(text)


@functools.lru_cache(maxsize=8192)
def _quoted(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def text_colour(fill: str) -> str:
    """Black or white, whichever reads better on `fill` (#rrggbb)."""
    r, g, b = (int(fill.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return INK if luminance > 0.55 else "#ffffff"


def _em(char: str) -> float:
    if ord(char) > 0x2E7F:
        return 1.0  # CJK and full-width forms are square
    if char.isupper() or char in "%@mw":
        return 0.7
    return 0.58 if char.isdigit() else 0.55


@functools.lru_cache(maxsize=8192)
def _ems(text: str) -> float:
    return sum(_em(c) for c in text)


def text_width(text: str, size: float) -> float:
    """A rough width, on the wide side: CJK glyphs are square, Latin ones about half as wide
    (capitals and digits a little wider), as Noto Sans CJK draws them. (Measured once a text:
    the same labels are measured for every drawing, and fit_lines measures every prefix.)"""
    return _ems(str(text)) * size


def fit_lines(text: str, size: float, width: float, max_lines: int = 2) -> list[str]:
    """`text` broken into lines no wider than `width` (any character may end a line: CJK has no
    spaces); the last line ends in … when the text does not fit in `max_lines`."""
    text = " ".join(str(text).split())
    lines, line = [], ""
    for char in text:
        if line and text_width(line + char, size) > width:
            lines.append(line)
            line = char.lstrip()
            if len(lines) == max_lines:
                break
        else:
            line += char
    else:
        lines.append(line)
        return lines
    last = lines[-1]
    while last and text_width(last + "…", size) > width:
        last = last[:-1]
    lines[-1] = last.rstrip() + "…"
    return lines


def svg_root(
    width: float, height: float, title: str, body: list[str], css_class: str, *, interactive: bool = False
) -> SafeString:
    """The <svg> element: named by its <title>; an image to assistive technology unless it holds
    links (an image's children are presentational, and links in it would not be announced)."""
    role = "group" if interactive else "img"
    return mark_safe(  # noqa: S308 — every string in it went through esc or attr
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{attr(css_class)}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="100%" role="{role}" font-family="{attr(FONT_FAMILY)}">'
        f"<title>{esc(title)}</title>{''.join(body)}</svg>"
    )


def legend(series: Sequence[tuple[str, str]], y: float, width: float, *, sample=None) -> tuple[list[str], float]:
    """Swatches and labels wrapped over as many lines as they need; returns the markup and the next
    free y. `sample(i, x, y, colour)` draws item i's 24-unit key instead of a square swatch."""
    parts, x = [], 0.0
    for i, (label, colour) in enumerate(series):
        item = 24 + text_width(label, 13) + 18
        if x and x + item > width:
            x, y = 0.0, y + 22
        key = (
            sample(i, x, y, colour)
            if sample
            else f'<rect x="{x:.1f}" y="{y:.1f}" width="16" height="16" rx="3" '
            f'fill="{attr(colour)}" stroke="{AXIS}" stroke-width="0.5"/>'
        )
        label_x = x + (28 if sample else 22)
        parts.append(
            f'<g class="legend-item">{key}'
            f'<text x="{label_x:.1f}" y="{y + 13:.1f}" font-size="13" fill="{INK}">{esc(label)}</text></g>'
        )
        x += item + (6 if sample else 0)
    return parts, y + 28


def value_axis(ticks: Sequence[tuple[float, str, bool]], left: float, right: float, size: float) -> str:
    """Gridlines across [left, right] at each (y, label, is zero) tick, labelled at the left; the
    zero line darker, since bars stand on it."""
    parts = ['<g class="y-axis">']
    for y, text, zero in ticks:
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" stroke="{AXIS if zero else GRID}" '
            f'stroke-width="1"/><text x="{left - 6:.1f}" y="{y + 4:.1f}" font-size="{size:.0f}" text-anchor="end" '
            f'fill="{MUTED}">{esc(text)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def thinned(count: int, label_width: float, step: float) -> set[int]:
    """The indexes of the category labels that fit `step` apart, counted back from the last
    (the latest month is always named)."""
    every = max(1, math.ceil((label_width + 8) / step)) if count and step > 0 else 1
    return {i for i in range(count) if not (count - 1 - i) % every}
