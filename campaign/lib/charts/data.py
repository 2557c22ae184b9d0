"""What a chart takes and what it gives: `Series` in, `Chart` out, and the numbers as its
table prints them.

Values are ints or Decimals (floats are taken through their repr); None is a value nobody
has, drawn as a gap and tabled as 数据缺失 — never as 0. A percent chart takes percentages
(85.5 for 85.5 %), as `TargetProgress.change` is; a rate computed as a fraction is multiplied
by 100 by its caller.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Okabe and Ito's colour-blind-safe hues, the light ones darkened until a line or bar of each
# has 3:1 contrast on white (WCAG 1.4.11). Series differ in marker shape and dash as well, so
# colour is never the only cue. (The four risk colours are the risk map's own, not these.)
PALETTE = ("#0072B2", "#D55E00", "#007A5E", "#B2539A", "#8A6D00", "#5A5A5A")

# Beyond this a value is a mistake, not a figure: no count or sum of yuan in the campaign
# comes near it, and Decimal arithmetic on it would need more precision than 28 digits.
LIMIT = Decimal(10) ** 18

Number = Decimal | int | float


@dataclass(frozen=True)
class Series:
    """One line, or one bar per category: `values` in the order of the chart's categories."""

    label: str
    values: Sequence[Number | None]
    colour: str | None = None


@dataclass(frozen=True)
class Chart:
    """A chart drawn: its SVG (and a second one for phones, when drawn), and its numbers as a
    table — `headers`, then one row per category (or area, or bar) of formatted strings, the
    first cell naming the row. `links` (one per row, or None) are where each row drills down to.

    Rendered with `{% include "charts/_chart.html" with chart=… %}`; `{{ chart }}` alone is the SVG.
    """

    title: str
    svg: SafeString
    headers: list[str]
    rows: list[list[str]]
    svg_narrow: SafeString | None = None
    links: list[str | None] | None = None

    def __str__(self) -> SafeString:
        return self.svg

    @property
    def table(self) -> list[tuple[str, str | None, list[str]]]:
        """(row name, its link or None, the other cells) of each row: what the template loops over."""
        links = self.links or [None] * len(self.rows)
        return [(row[0], link, row[1:]) for row, link in zip(self.rows, links, strict=True)]

    def __html__(self) -> SafeString:
        return self.svg

    @property
    def body_html(self) -> SafeString:
        """The table's rows as a page shows them (charts/_chart.html): each named in its header
        cell, a link where it drills down, its numbers beside it; escaped here. (Written here,
        not looped over in the template: a dashboard's charts hold some seventy rows, and its
        first request after every build renders them.)"""
        rows = []
        for name, link, cells in self.table:
            named = f'<a href="{escape(link)}">{escape(name)}</a>' if link else escape(name)
            numbers = "".join(f'<td class="num">{escape(cell)}</td>' for cell in cells)
            rows.append(f'\n      <tr><th scope="row" class="fw-normal">{named}</th>{numbers}</tr>')
        return mark_safe("".join(rows))  # noqa: S308 (every value in it is escaped)

    @property
    def printed_body_html(self) -> SafeString:
        """The table's rows as a PDF prints them (charts/_chart.html with printed=True): no links."""
        rows = []
        for name, _link, cells in self.table:
            numbers = "".join(f'<td class="num">{escape(cell)}</td>' for cell in cells)
            rows.append(f'\n    <tr><th scope="row">{escape(name)}</th>{numbers}</tr>')
        return mark_safe("".join(rows))  # noqa: S308 (every value in it is escaped)


def escape(text) -> str:
    """As a template prints `text`: escaped, unless it is marked safe (Django's conditional_escape,
    without its lazy-string wrapper: a table's cells are plain strings)."""
    return str(text.__html__()) if hasattr(text, "__html__") else html.escape(str(text))


def missing() -> str:
    return _("Data missing")


def to_decimal(value, where: str = "value") -> Decimal | None:
    """The value as a Decimal; None stays None. Refuses what is not a finite number."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"{where}: {value!r} is not a number")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{where}: {value!r} is not a finite number")
    if abs(number) >= LIMIT:
        raise ValueError(f"{where}: {value!r} is too large to chart")
    return number


def checked(categories: Sequence[str], series: Sequence[Series]) -> tuple[list[str], list[list[Decimal | None]]]:
    """The categories as strings and each series' values as Decimals; one value per category."""
    labels = [str(c) for c in categories]
    columns = []
    for s in series:
        if not isinstance(s, Series):
            raise TypeError(f"{s!r} is not a Series")
        if len(s.values) != len(labels):
            raise ValueError(f"series {s.label!r} has {len(s.values)} values for {len(labels)} categories")
        columns.append([to_decimal(v, f"{s.label}[{i}]") for i, v in enumerate(s.values)])
    return labels, columns


def colours(series: Sequence[Series]) -> list[str]:
    return [s.colour or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]


def format_number(value: Decimal | int | float, *, percent: bool = False) -> str:
    """1,234 · 1,234.57 (two decimals at most) · 85.5% (percentages with one decimal, always)."""
    value = to_decimal(value)
    if percent:
        return f"{value.quantize(Decimal('0.1'), ROUND_HALF_UP):,f}%"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP).normalize():,f}"


def formatter(format: Callable | None, percent: bool) -> Callable[[Decimal | None], str]:
    """The cell text of a value: the caller's `format`, or format_number; None is 数据缺失.
    format_number's text depends on the number alone, so each number is formatted once a chart
    (its table, its tooltips and the phones' drawing print it again)."""
    texts: dict[Decimal | None, str] = {}

    def cell(value):
        if value is None:
            if None not in texts:
                texts[None] = missing()
            return texts[None]
        if format:
            return str(format(value))
        text = texts.get(value)
        if text is None:
            text = texts[value] = format_number(value, percent=percent)
        return text

    return cell


def axis_ticks(values: Sequence[Decimal], *, width: float, percent: bool) -> tuple[list[Decimal], list[str]]:
    """The ticks of a value axis holding `values` (nice_ticks; fewer on a phone's narrower chart,
    whole steps when every value is whole) and their labels."""
    ticks = nice_ticks(
        min(values, default=Decimal(0)),
        max(values, default=Decimal(0)),
        count=5 if width >= 600 else 4,
        integer=all(v == v.to_integral_value() for v in values),
    )
    return ticks, [tick_label(t, percent=percent) for t in ticks]


def tick_label(value: Decimal, *, percent: bool = False) -> str:
    """An axis tick: as few digits as the step needs, grouped (1,200,000), with % on a percent axis."""
    value = value.normalize()
    text = f"{int(value):,}" if value == value.to_integral_value() else f"{value:,f}"
    return f"{text}%" if percent else text


def nice_ticks(lo: Decimal, hi: Decimal, *, count: int = 5, integer: bool = False) -> list[Decimal]:
    """Ticks at 1, 2 or 5 × 10ⁿ from at or below min(lo, 0) to at or above max(hi, 0): the axis
    always holds zero, so bars and lines are measured from it. At most about `count` steps; no
    step under 1 when every value is whole (no 0.5 hazards)."""
    lo, hi = min(Decimal(lo), Decimal(0)), max(Decimal(hi), Decimal(0))
    if lo == hi:
        hi = Decimal(1)
    raw = (hi - lo) / count
    exponent = raw.adjusted()
    multiplier = next(m for m in (1, 2, 5, 10) if raw.scaleb(-exponent) <= m)
    step = Decimal(multiplier).scaleb(exponent)
    if integer and step < 1:
        step = Decimal(1)
    start = (lo / step).to_integral_value(ROUND_FLOOR) * step
    end = (hi / step).to_integral_value(ROUND_CEILING) * step
    return [start + i * step for i in range(int((end - start) / step) + 1)]
