"""Bar charts: one bar per category (per street, per sector), grouped when there are several
series, each bar labelled with its value; optionally each category a link (drill-down)."""

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
    fit_lines,
    legend,
    svg_root,
    text_width,
    thinned,
    value_axis,
)

LABEL = 13  # category labels
VALUE = 12  # value labels
MISSING = 11  # 数据缺失 where a bar would be


def _accessible_name(label: str, series: Sequence[Series], texts: list[str]) -> str:
    """What a screen reader says for a category's link: its name and its values."""
    if len(series) == 1:
        values = texts[0]
    else:
        values = _(", ").join(
            _("%(series)s %(value)s") % {"series": s.label, "value": t} for s, t in zip(series, texts, strict=True)
        )
    return _("%(name)s: %(values)s") % {"name": label, "values": values}


def _link(href: str | None, name: str, hit: str, body: str) -> str:
    """The category's markup, inside a link when it has one: `hit` (an invisible rectangle over
    the whole row or column) makes the gaps between its bars clickable too."""
    if not href:
        return body
    return f'<a class="drill" href="{attr(href)}" aria-label="{attr(name)}">{hit}{body}</a>'


def _horizontal(*, title, labels, series, columns, palette, cell, links, width) -> SafeString:
    many = len(series) > 1
    parts, top = legend([(s.label, c) for s, c in zip(series, palette, strict=True)], 0, width) if many else ([], 0)
    label_column = max(40.0, min(max((text_width(c, LABEL) for c in labels), default=0) + 14, width * 0.38))
    values = [v for column in columns for v in column if v is not None]
    lo, hi = min([*values, Decimal(0)]), max([*values, Decimal(0)])
    if lo == hi:
        hi = Decimal(1)
    texts = [[cell(v) for v in column] for column in columns]
    ends = [(v, t) for column, tc in zip(columns, texts, strict=True) for v, t in zip(column, tc, strict=True)]
    positive = max([text_width(t, VALUE) for v, t in ends if v is not None and v >= 0] + [0])
    negative = max([text_width(t, VALUE) for v, t in ends if v is not None and v < 0] + [0])
    if any(v is None for v, _t in ends):
        positive = max(positive, text_width(missing(), MISSING))
    plot_left = label_column + (negative + 6 if negative else 0)
    plot_right = width - positive - 8
    scale = (plot_right - plot_left) / float(hi - lo)
    zero = plot_left - float(lo) * scale
    thickness = 20 if not many else 14
    group = len(series) * thickness + (len(series) - 1) * 2
    y = top + 4
    for i, label in enumerate(labels):
        lines = fit_lines(label, LABEL, label_column - 12)
        row = max(group, 17 * len(lines))
        body = [f'<g class="bar-row" data-row="{i}">']
        first = y + row / 2 - 17 * len(lines) / 2 + 13
        for j, line in enumerate(lines):
            body.append(
                f'<text class="label" x="{label_column - 8:.1f}" y="{first + 17 * j:.1f}" font-size="{LABEL}" '
                f'text-anchor="end" '
                f'fill="{INK}">{esc(line)}</text>'
            )
        bar_y = y + (row - group) / 2
        for k, (s, column, colour) in enumerate(zip(series, columns, palette, strict=True)):
            v, text = column[i], texts[k][i]
            top_k = bar_y + k * (thickness + 2)
            base = top_k + thickness / 2 + 4
            if v is None:
                body.append(
                    f'<text class="missing" x="{zero + 4:.1f}" y="{base:.1f}" font-size="{MISSING}" '
                    f'fill="{MUTED}">{esc(text)}</text>'
                )
                continue
            length = abs(float(v)) * scale
            x = zero - length if v < 0 else zero
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{top_k:.1f}" width="{length:.1f}" height="{thickness}" '
                f'fill="{attr(colour)}"><title>{esc(label)} · {esc(s.label)}: {esc(text)}</title></rect>'
            )
            if v < 0:
                body.append(
                    f'<text class="value" x="{x - 4:.1f}" y="{base:.1f}" font-size="{VALUE}" text-anchor="end" '
                    f'fill="{INK}">{esc(text)}</text>'
                )
            else:
                body.append(
                    f'<text class="value" x="{x + length + 4:.1f}" y="{base:.1f}" font-size="{VALUE}" '
                    f'fill="{INK}">{esc(text)}</text>'
                )
        body.append("</g>")
        hit = (
            f'<rect class="hit" x="0" y="{y - 4:.1f}" width="{width:.0f}" height="{row + 8:.1f}" fill="none" '
            'pointer-events="all"/>'
        )
        name = _accessible_name(label, series, [t[i] for t in texts]) if links[i] else ""
        parts.append(_link(links[i], name, hit, "".join(body)))
        y += row + 12
    bottom = max(y, top + 24)
    parts.append(
        f'<line class="zero" x1="{zero:.1f}" y1="{top:.1f}" x2="{zero:.1f}" y2="{bottom - 8:.1f}" stroke="{AXIS}"/>'
    )
    if not labels or not series:
        parts.append(
            f'<text class="no-data" x="{width / 2:.1f}" y="{top + 16:.1f}" font-size="14" text-anchor="middle" '
            f'fill="{MUTED}">{esc(_("No data"))}</text>'
        )
    return svg_root(width, bottom, title, parts, "chart chart-bars", interactive=any(links))


def _vertical(*, title, labels, series, columns, palette, cell, links, width, percent) -> SafeString:
    many = len(series) > 1
    parts, top = legend([(s.label, c) for s, c in zip(series, palette, strict=True)], 0, width) if many else ([], 0)
    values = [v for column in columns for v in column if v is not None]
    ticks, tick_texts = axis_ticks(values, width=width, percent=percent)
    left = max(text_width(t, VALUE) for t in tick_texts) + 10
    right = width - 8
    n = len(labels)
    band = (right - left) / max(n, 1)
    bar = band * 0.75 / max(len(series), 1)
    plot_top = top + 20  # room for the value over the highest bar
    plot_height = 220 if width >= 600 else 190
    plot_bottom = plot_top + plot_height
    lo, hi = float(ticks[0]), float(ticks[-1])

    def y_of(v) -> float:
        return plot_bottom - (float(v) - lo) / (hi - lo) * plot_height

    zero = y_of(0)
    axis = [(y_of(t), text, t == 0) for t, text in zip(ticks, tick_texts, strict=True)]
    parts.append(value_axis(axis, left, right, VALUE))
    texts = [[cell(v) for v in column] for column in columns]
    # Labels wrap into the band (two lines at most); when a band is too narrow even for that, thinned.
    wrap = band >= 2 * LABEL + 4
    shown = set(range(n)) if wrap else thinned(n, max((text_width(c, VALUE) for c in labels), default=0), band)
    depth = 0
    for i, label in enumerate(labels):
        middle = left + (i + 0.5) * band
        body = [f'<g class="bar-col" data-col="{i}">']
        start = middle - bar * len(series) / 2
        for k, (s, column, colour) in enumerate(zip(series, columns, palette, strict=True)):
            v, text = column[i], texts[k][i]
            if v is None:
                continue
            x, y = start + k * bar, y_of(v)
            body.append(
                f'<rect class="bar" x="{x + 1:.1f}" y="{min(y, zero):.1f}" width="{bar - 2:.1f}" '
                f'height="{abs(zero - y):.1f}" fill="{attr(colour)}"><title>{esc(label)} · {esc(s.label)}: '
                f"{esc(text)}</title></rect>"
            )
            if text_width(text, VALUE) <= bar + 6:  # else the table and the tooltip carry it
                ty = y - 4 if v >= 0 else y + VALUE + 2
                body.append(
                    f'<text class="value" x="{x + bar / 2:.1f}" y="{ty:.1f}" font-size="{VALUE}" text-anchor="middle" '
                    f'fill="{INK}">{esc(text)}</text>'
                )
        if i in shown:
            lines = fit_lines(label, LABEL, band - 4) if wrap else [label]
            depth = max(depth, len(lines))
            size = LABEL if wrap else VALUE
            for j, line in enumerate(lines):
                half = text_width(line, size) / 2
                x = min(max(middle, half), width - half)
                body.append(
                    f'<text class="label" x="{x:.1f}" y="{plot_bottom + 18 + 16 * j:.1f}" font-size="{size}" '
                    f'text-anchor="middle" '
                    f'fill="{INK}">{esc(line)}</text>'
                )
        body.append("</g>")
        hit = (
            f'<rect class="hit" x="{middle - band / 2:.1f}" y="{top:.1f}" width="{band:.1f}" '
            f'height="{plot_bottom - top + 16 * 2 + 8:.1f}" fill="none" pointer-events="all"/>'
        )
        name = _accessible_name(label, series, [t[i] for t in texts]) if links[i] else ""
        parts.append(_link(links[i], name, hit, "".join(body)))
    if not values:
        message = missing() if n and series else _("No data")
        parts.append(
            f'<text class="no-data" x="{(left + right) / 2:.1f}" y="{plot_top + plot_height / 2:.1f}" font-size="14" '
            f'text-anchor="middle" fill="{MUTED}">{esc(message)}</text>'
        )
    height = plot_bottom + 16 * max(depth, 1) + 14
    return svg_root(width, height, title, parts, "chart chart-columns", interactive=any(links))


def bar_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    horizontal: bool = True,
    percent: bool = False,
    links: Sequence[str | None] | None = None,
    format: Callable[[Decimal], str] | None = None,
    category_label: str | None = None,
    width: float = CHART_WIDTH,
    narrow_width: float | None = NARROW_WIDTH,
) -> Chart:
    """A bar per category and series (grouped side by side when there are several series),
    each labelled with its value, measured from zero (negative values go the other way).

    Horizontal (the default) suits long Chinese names: each is written in full, on two lines if
    need be (cut with … beyond; the table has it whole). `links`, one URL or None per category,
    make each category's bars and name a link, named for screen readers with its values; the
    table's row names link there too. None is no bar (数据缺失 where it would be, in a
    horizontal chart). `percent` and `format` as in line_chart.
    """
    labels, columns = checked(categories, series)
    links = list(links) if links is not None else [None] * len(labels)
    if len(links) != len(labels):
        raise ValueError(f"{len(links)} links for {len(labels)} categories")
    draw = {
        "title": title,
        "labels": labels,
        "series": series,
        "columns": columns,
        "palette": colours(series),
        "cell": formatter(format, percent),
        "links": links,
    }
    if horizontal:
        svg = _horizontal(width=width, **draw)
        narrow = _horizontal(width=narrow_width, **draw) if narrow_width else None
    else:
        svg = _vertical(width=width, percent=percent, **draw)
        narrow = _vertical(width=narrow_width, percent=percent, **draw) if narrow_width else None
    cell = draw["cell"]
    return Chart(
        title=title,
        svg=svg,
        svg_narrow=narrow,
        headers=[category_label or _("Name"), *(s.label for s in series)],
        rows=[[label, *(cell(column[i]) for column in columns)] for i, label in enumerate(labels)],
        links=links if any(links) else None,
    )
