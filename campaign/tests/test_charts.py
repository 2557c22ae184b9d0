"""The chart component (campaign.lib.svg, its modules in campaign.lib.charts): what a reader sees in
a chart — lines with gaps where a month has no figure, axes that start at zero and step 1, 2 or
5, labels that fit a phone, every label escaped — and that the table beside it holds exactly
the numbers drawn, 数据缺失 where there are none; and that the same chart prints in a PDF, its
Chinese in an embedded CJK font (read back with poppler's pdffonts and pdftotext)."""

import copy
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from itertools import pairwise

import pytest
from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from campaign.lib import svg
from campaign.lib.charts.markup import text_width
from campaign.lib.pdf import render_pdf
from campaign.tests.test_pdf import needs_poppler, pdf_fonts, pdf_text

NS = "{http://www.w3.org/2000/svg}"
MONTHS = [f"{year}-{month:02d}" for year in (2025, 2026) for month in range(1, 13)]
STREETS = ["长庆街道", "武林街道", "天水街道"]


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 — our own markup, not untrusted input


def view_width(root: ET.Element) -> float:
    return float(root.get("viewBox").split()[2])


def texts(root: ET.Element, css_class: str | None = None) -> list[str]:
    return [el.text or "" for el in root.iter(f"{NS}text") if css_class is None or el.get("class") == css_class]


def group(root: ET.Element, css_class: str) -> ET.Element:
    return next(el for el in root.iter() if el.get("class") == css_class)


def points(root: ET.Element) -> list[ET.Element]:
    """The markers of a line chart: the shapes with a tooltip in each series' group."""
    return [
        el for g in root.iter(f"{NS}g") if g.get("class") == "series" for el in g if el.find(f"{NS}title") is not None
    ]


def lines(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter(f"{NS}path") if el.get("class") == "line"]


def bars(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter(f"{NS}rect") if el.get("class") == "bar"]


def x_labels(root: ET.Element) -> list[tuple[float, str]]:
    return [(float(el.get("x")), el.text) for el in group(root, "x-axis").iter(f"{NS}text")]


def y_labels(root: ET.Element) -> list[str]:
    return [el.text for el in group(root, "y-axis").iter(f"{NS}text")]


def marker_x(el: ET.Element) -> float:
    if el.tag == f"{NS}circle":
        return float(el.get("cx"))
    if el.tag == f"{NS}rect":
        return float(el.get("x")) + float(el.get("width")) / 2
    return float(re.match(r"M([\d.]+)", el.get("d")).group(1))


def both(chart: svg.Chart) -> list[ET.Element]:
    """The chart's SVGs: the wide one (screens, print) and the phone's."""
    return [parse(chart.svg), parse(chart.svg_narrow)]


# --- What every chart is ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "chart",
    [
        lambda: svg.line_chart(title="趋势", categories=MONTHS[:3], series=[svg.Series("发现", [1, 2, 3])]),
        lambda: svg.bar_chart(title="各街道", categories=STREETS, series=[svg.Series("发现", [1, 2, 3])]),
        lambda: svg.bar_chart(
            title="各行业", categories=STREETS, series=[svg.Series("发现", [1, 2, 3])], horizontal=False
        ),
    ],
    ids=["line", "bars", "columns"],
)
def test_every_chart_is_well_formed_svg_that_names_its_cjk_font_and_shrinks_to_fit(chart):
    chart = chart()
    for root in both(chart):
        assert root.tag == f"{NS}svg"
        assert "Noto Sans CJK SC" in root.get("font-family")  # WeasyPrint passes no page font into SVG
        assert root.get("width") == "100%" and root.get("viewBox").startswith("0 0 ")
        assert root.get("role") == "img"
        assert root.find(f"{NS}title").text == chart.title
        assert "style=" not in str(chart.svg)  # the pages' CSP refuses inline styles
    assert str(chart) == chart.svg  # {{ chart }} alone is the SVG
    assert view_width(parse(chart.svg_narrow)) == svg.NARROW_WIDTH


def test_the_table_holds_exactly_the_numbers_drawn(english):
    chart = svg.line_chart(
        title="隐患",
        categories=["1月", "2月", "3月"],
        series=[svg.Series("发现", [3, 1200, Decimal("2.5")]), svg.Series("整改", [None, 0, 7])],
    )
    assert chart.headers == ["Time", "发现", "整改"]
    assert chart.rows == [["1月", "3", "Data missing"], ["2月", "1,200", "0"], ["3月", "2.5", "7"]]
    tooltips = [el.find(f"{NS}title").text for el in points(parse(chart.svg))]
    assert tooltips == ["发现 · 1月: 3", "发现 · 2月: 1,200", "发现 · 3月: 2.5", "整改 · 2月: 0", "整改 · 3月: 7"]
    bar = svg.bar_chart(title="t", categories=STREETS, series=[svg.Series("发现", [5, None, 0])])
    assert bar.headers == ["Name", "发现"]
    assert bar.rows == [["长庆街道", "5"], ["武林街道", "Data missing"], ["天水街道", "0"]]


def test_a_missing_value_reads_数据缺失_in_chinese():
    with translation.override("zh-hans"):
        chart = svg.bar_chart(title="t", categories=STREETS[:1], series=[svg.Series("整改率", [None])], percent=True)
    assert chart.rows == [["长庆街道", "数据缺失"]]
    assert "数据缺失" in texts(parse(chart.svg), "missing")


# --- Lines -----------------------------------------------------------------------------------


def test_a_month_without_a_figure_is_a_gap_in_the_line_not_a_point_at_zero():
    chart = svg.line_chart(title="t", categories=MONTHS[:5], series=[svg.Series("a", [4, None, 3, 4, None])])
    root = parse(chart.svg)
    (line,) = lines(root)
    assert line.get("d").count("M") == 2 and line.get("d").count("L") == 1  # 4 · gap · 3–4
    xs = [marker_x(el) for el in points(root)]
    assert len(xs) == 3
    step = xs[2] - xs[1]  # months 3 and 4 are neighbours
    assert xs[1] - xs[0] == pytest.approx(2 * step)  # month 2 has no point


def test_a_series_of_nothing_but_gaps_draws_no_line_and_says_the_data_is_missing(english):
    chart = svg.line_chart(title="t", categories=MONTHS[:4], series=[svg.Series("a", [None] * 4)])
    for root in both(chart):
        assert not lines(root) and not points(root)
        assert texts(root, "no-data") == ["Data missing"]
        assert y_labels(root) == ["0", "1"]
    assert [row[1] for row in chart.rows] == ["Data missing"] * 4


@pytest.mark.parametrize("horizontal", [True, False])
def test_a_series_of_nothing_but_gaps_draws_no_bar(english, horizontal):
    chart = svg.bar_chart(title="t", categories=STREETS, series=[svg.Series("a", [None] * 3)], horizontal=horizontal)
    root = parse(chart.svg)
    assert not bars(root)
    assert (texts(root, "missing") if horizontal else texts(root, "no-data")) == ["Data missing"] * (
        3 if horizontal else 1
    )


@pytest.mark.parametrize(
    "chart",
    [
        lambda: svg.line_chart(title="t", categories=[], series=[]),
        lambda: svg.line_chart(title="t", categories=MONTHS, series=[]),
        lambda: svg.bar_chart(title="t", categories=[], series=[svg.Series("a", [])]),
        lambda: svg.bar_chart(title="t", categories=[], series=[], horizontal=False),
    ],
)
def test_a_chart_of_nothing_says_there_is_no_data(english, chart):
    chart = chart()
    for root in both(chart):
        assert texts(root, "no-data") == ["No data"]
        assert not bars(root) and not points(root)
    assert chart.rows == [] or all(len(row) == 1 for row in chart.rows)


def test_one_month_is_one_point_in_the_middle():
    chart = svg.line_chart(title="t", categories=["2026-01"], series=[svg.Series("a", [5])])
    root = parse(chart.svg)
    assert not lines(root)
    (point,) = points(root)
    left = float(group(root, "y-axis").find(f"{NS}line").get("x1"))
    right = float(group(root, "y-axis").find(f"{NS}line").get("x2"))
    assert marker_x(point) == pytest.approx((left + right) / 2, abs=0.1)
    assert x_labels(root)[0][1] == "2026-01"
    assert len(bars(parse(svg.bar_chart(title="t", categories=["甲"], series=[svg.Series("a", [5])]).svg))) == 1


@pytest.mark.parametrize("which", ["svg", "svg_narrow"])
def test_24_months_are_labelled_as_often_as_fits_and_the_latest_always(which):
    chart = svg.line_chart(title="t", categories=MONTHS, series=[svg.Series("a", list(range(24)))])
    root = parse(getattr(chart, which))
    labels = x_labels(root)
    assert labels[-1][1] == "2026-12"
    assert 3 <= len(labels) < 24
    for (x0, a), (x1, b) in pairwise(labels):
        assert x1 - x0 >= (text_width(a, 12) + text_width(b, 12)) / 2 + 4, (a, b)  # no two overlap
    width = view_width(root)
    assert all(text_width(t, 12) / 2 <= x <= width - text_width(t, 12) / 2 for x, t in labels)
    assert len(points(root)) == 24  # every month still has its point


def test_last_values_are_written_at_the_line_ends_without_overlapping():
    chart = svg.line_chart(
        title="t",
        categories=MONTHS[:6],
        series=[svg.Series("a", [1, 2, 3, 4, 5, 50]), svg.Series("b", [1, 2, 3, 4, 51, None])],
        last_values=True,
    )
    root = parse(chart.svg)
    ends = [el for el in root.iter(f"{NS}text") if el.get("class") == "last-value"]
    assert [el.text for el in ends] == ["50", "51"]  # b's latest is May's: June has none
    ys = sorted(float(el.get("y")) for el in ends)
    assert ys[1] - ys[0] >= 14
    assert all(float(el.get("x")) + text_width(el.text, 12) <= view_width(root) for el in ends)


def test_series_differ_in_colour_shape_and_dash_and_the_legend_names_them():
    chart = svg.line_chart(
        title="t",
        categories=MONTHS[:2],
        series=[svg.Series("甲", [1, 2]), svg.Series("乙", [2, 1]), svg.Series("丙", [3, 3], colour="#123456")],
    )
    root = parse(chart.svg)
    strokes = [el.get("stroke") for el in lines(root)]
    assert strokes == [svg.PALETTE[0], svg.PALETTE[1], "#123456"]
    assert len({el.get("stroke-dasharray") for el in lines(root)}) == 3
    assert [el.tag for el in points(root)][::2] == [f"{NS}circle", f"{NS}rect", f"{NS}path"]
    assert [t for t in texts(root) if t in ("甲", "乙", "丙")] == ["甲", "乙", "丙"]


# --- Axes and numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lo", "hi", "integer", "ticks"),
    [
        (0, 7, True, [0, 2, 4, 6, 8]),
        (0, 1, True, [0, 1]),
        (0, 0, True, [0, 1]),
        (0, Decimal("0.37"), False, [0, Decimal("0.1"), Decimal("0.2"), Decimal("0.3"), Decimal("0.4")]),
        (3, 96, False, [0, 20, 40, 60, 80, 100]),
        (-45, 20, False, [-60, -40, -20, 0, 20]),
        (0, 1_200_000, True, [0, 500_000, 1_000_000, 1_500_000]),
    ],
)
def test_axis_ticks_start_at_zero_and_step_1_2_or_5(lo, hi, integer, ticks):
    assert svg.nice_ticks(Decimal(lo), Decimal(hi), integer=integer) == [Decimal(t) for t in ticks]


numbers = st.decimals(min_value=-(10**12), max_value=10**12, places=3, allow_nan=False, allow_infinity=False)


@given(numbers, numbers, st.booleans())
def test_axis_ticks_always_cover_the_data_and_zero_in_even_round_steps(a, b, integer):
    lo, hi = min(a, b), max(a, b)
    ticks = svg.nice_ticks(lo, hi, integer=integer)
    assert ticks[0] <= min(lo, 0) and ticks[-1] >= max(hi, 0)
    assert 0 in ticks
    assert 2 <= len(ticks) <= 8
    steps = {y - x for x, y in pairwise(ticks)}
    assert len(steps) == 1
    (step,) = steps
    assert step.scaleb(-step.adjusted()).normalize() in {1, 2, 5}
    assert not integer or step >= 1


def test_huge_figures_print_in_full_with_thousands_separators():
    chart = svg.line_chart(title="t", categories=MONTHS[:2], series=[svg.Series("元", [1_200_000, 3 * 10**12])])
    assert chart.rows == [["2025-01", "1,200,000"], ["2025-02", "3,000,000,000,000"]]
    root = parse(chart.svg)
    assert y_labels(root)[-1] == "3,000,000,000,000"
    first = group(root, "y-axis").find(f"{NS}text")
    assert float(first.get("x")) - text_width("3,000,000,000,000", 12) >= 0  # the axis makes room for it
    bar = parse(svg.bar_chart(title="t", categories=["甲"], series=[svg.Series("元", [3 * 10**12])]).svg)
    (value,) = texts(bar, "value")
    assert value == "3,000,000,000,000"


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (Decimal("NaN"), ValueError),
        (Decimal("Infinity"), ValueError),
        (float("inf"), ValueError),
        (10**18, ValueError),
        ("12", TypeError),
        (True, TypeError),
    ],
)
def test_what_is_not_a_finite_figure_is_refused(value, error):
    with pytest.raises(error):
        svg.line_chart(title="t", categories=["a"], series=[svg.Series("s", [value])])


def test_a_series_must_have_one_value_per_category():
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        svg.bar_chart(title="t", categories=STREETS, series=[svg.Series("s", [1, 2])])
    with pytest.raises(ValueError, match="2 links for 3 categories"):
        svg.bar_chart(title="t", categories=STREETS, series=[svg.Series("s", [1, 2, 3])], links=["/a", "/b"])


def test_percentages_print_with_one_decimal_and_the_axis_in_percent(english):
    chart = svg.line_chart(
        title="报送率",
        categories=MONTHS[:4],
        series=[svg.Series("报送率", [Decimal("85.55"), 100, Decimal("0.04"), None])],
        percent=True,
        y_label="%",
    )
    assert [row[1] for row in chart.rows] == ["85.6%", "100.0%", "0.0%", "Data missing"]
    root = parse(chart.svg)
    assert y_labels(root) == ["0%", "20%", "40%", "60%", "80%", "100%"]
    assert texts(root, "y-label") == ["%"]


def test_a_caller_may_print_the_values_its_own_way():
    chart = svg.bar_chart(
        title="t",
        categories=STREETS,
        series=[svg.Series("死亡", [2, None, 0])],
        format=lambda v: f"{v}人",
    )
    assert [row[1] for row in chart.rows] == ["2人", "数据缺失", "0人"]
    assert texts(parse(chart.svg), "value") == ["2人", "0人"]


def test_every_label_is_escaped_and_no_markup_gets_through():
    nasty = '<script>alert("x")</script> & 甲'
    link = "/dashboard/unit/3/?sector=2&period=month:2026-01-01"
    for chart in (
        svg.line_chart(title=nasty, categories=[nasty, "b"], series=[svg.Series(nasty, [1, 2])], y_label=nasty),
        svg.bar_chart(
            title=nasty, categories=[nasty], series=[svg.Series(nasty, [1]), svg.Series("b", [2])], links=[link]
        ),
        svg.bar_chart(title=nasty, categories=[nasty], series=[svg.Series(nasty, [1])], horizontal=False),
    ):
        for root in both(chart):
            assert not [el for el in root.iter() if "script" in el.tag]
            assert root.find(f"{NS}title").text == nasty
            assert nasty in texts(root) or any(nasty.startswith(t.rstrip("…")) for t in texts(root))
            for a in root.iter(f"{NS}a"):
                assert a.get("href") == link and a.get("aria-label").startswith(nasty)
        html = render_to_string("charts/_chart.html", {"chart": chart})
        assert "<script>" not in html and "&lt;script&gt;" in html
        assert html.count("<svg") == 2


# --- Bars ------------------------------------------------------------------------------------


def test_grouped_bars_stand_side_by_side_each_with_its_value():
    chart = svg.bar_chart(
        title="t", categories=STREETS, series=[svg.Series("发现", [10, 20, 30]), svg.Series("整改", [5, 15, 30])]
    )
    root = parse(chart.svg)
    rects = bars(root)
    assert [r.get("fill") for r in rects] == [svg.PALETTE[0], svg.PALETTE[1]] * 3
    assert texts(root, "value") == ["10", "5", "20", "15", "30", "30"]
    widths = [float(r.get("width")) for r in rects]
    assert widths[4] == pytest.approx(widths[5]) and widths[4] == pytest.approx(3 * widths[0], rel=0.01)  # one scale
    assert {"发现", "整改"} <= set(texts(root))  # the legend
    single = parse(svg.bar_chart(title="t", categories=STREETS, series=[svg.Series("发现", [1, 2, 3])]).svg)
    assert "发现" not in texts(single)  # one series needs no legend: the title names it


def test_negative_values_go_the_other_way_from_zero():
    chart = svg.bar_chart(
        title="较2016年变化",
        categories=["死亡人数", "亿元GDP死亡率"],
        series=[svg.Series("变化", [Decimal("-45"), Decimal("20")])],
        percent=True,
    )
    root = parse(chart.svg)
    zero = float(next(el for el in root.iter(f"{NS}line") if el.get("class") == "zero").get("x1"))
    down, up = bars(root)
    assert float(down.get("x")) + float(down.get("width")) == pytest.approx(zero, abs=0.11)
    assert float(up.get("x")) == pytest.approx(zero, abs=0.11)
    assert float(down.get("width")) == pytest.approx(float(up.get("width")) * 45 / 20, rel=0.01)
    assert texts(root, "value") == ["-45.0%", "20.0%"]
    columns = svg.bar_chart(title="t", categories=["a", "b"], series=[svg.Series("变化", [-45, 20])], horizontal=False)
    root = parse(columns.svg)
    assert y_labels(root) == ["-60", "-40", "-20", "0", "20"]
    down, up = bars(root)
    assert float(down.get("y")) == pytest.approx(
        float(up.get("y")) + float(up.get("height")), abs=0.11
    )  # both meet at 0


def test_a_long_chinese_name_wraps_within_its_column_on_a_phone():
    name = "下城区应急管理局安全生产监督管理科"
    longer = name * 3
    chart = svg.bar_chart(title="t", categories=[name, longer, "甲"], series=[svg.Series("a", [1, 2, 3])])
    root = parse(chart.svg_narrow)
    rows = [el for el in root.iter(f"{NS}g") if el.get("class") == "bar-row"]
    first = [el.text for el in rows[0].iter(f"{NS}text") if el.get("class") == "label"]
    second = [el.text for el in rows[1].iter(f"{NS}text") if el.get("class") == "label"]
    assert "".join(first) == name and len(first) == 2
    assert len(second) == 2 and second[1].endswith("…") and longer.startswith("".join(second)[:-1])
    for el in root.iter(f"{NS}text"):
        if el.get("text-anchor") == "end":
            assert float(el.get("x")) - text_width(el.text, float(el.get("font-size"))) >= 0, el.text
    assert chart.rows[1][0] == longer  # the table has it whole


def test_each_bar_links_to_its_drill_down_with_a_name_a_screen_reader_says():
    links = ["/dashboard/unit/1/", None, "/dashboard/unit/3/"]
    with translation.override("zh-hans"):
        chart = svg.bar_chart(
            title="各街道逾期隐患",
            categories=STREETS,
            series=[svg.Series("逾期", [12, 3, None]), svg.Series("整改", [1, 2, 3])],
            links=links,
        )
        html = render_to_string("charts/_chart.html", {"chart": chart})
    for root in both(chart):
        assert root.get("role") == "group"  # an image's children are not announced: its links would not be
        anchors = list(root.iter(f"{NS}a"))
        assert [a.get("href") for a in anchors] == ["/dashboard/unit/1/", "/dashboard/unit/3/"]
        assert [a.get("aria-label") for a in anchors] == [
            "长庆街道：逾期 12，整改 1",
            "天水街道：逾期 数据缺失，整改 3",
        ]
        assert len(bars(anchors[0])) == 2  # the bars are inside the link
    assert chart.links == links
    assert '<a href="/dashboard/unit/1/">长庆街道</a>' in html
    assert ">武林街道</th>" in html


# --- The stacked bars and the map --------------------------------------------------------------


def test_the_stacked_bars_and_the_map_are_charts_with_their_tables(english):
    stacked = svg.stacked_bar_chart(
        [("甲", [3, 0, 5])], [("重大", "#e60012"), ("较大", "#f39800"), ("一般", "#0068b7")], title="t"
    )
    assert isinstance(stacked, svg.Chart)
    assert stacked.headers == ["Name", "重大", "较大", "一般", "Total"]
    assert stacked.rows == [["甲", "3", "0", "5", "8"]]
    parse(stacked)
    areas = [
        svg.Area(key="1", label="武林街道", fill="#E60012", tooltip="武林街道：重大风险 2"),
        svg.Area(key="2", label="天水街道", fill="#c4c8cc"),
    ]
    legend = [("重大风险", "#e60012"), ("无", "#c4c8cc")]
    chart = svg.choropleth(areas, legend, title="四色图", narrow_columns=2)
    assert chart.headers == ["Name", "Legend", "Details"]
    assert chart.rows == [["武林街道", "重大风险", "武林街道：重大风险 2"], ["天水街道", "无", "天水街道"]]
    assert parse(chart.svg_narrow).get("viewBox") == "0 0 400 " + parse(chart.svg_narrow).get("viewBox").split()[3]
    # The risk map's page puts {{ map_svg }} in its template: a Chart renders as its SVG, unescaped.
    from django.template import engines

    page = engines["django"].from_string("{{ chart }}").render({"chart": chart})
    assert page.startswith("<svg") and page == chart.svg


# --- The palette ---------------------------------------------------------------------------------


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_every_series_colour_stands_out_from_the_white_page():
    assert len(set(svg.PALETTE)) == len(svg.PALETTE) >= 6
    for colour in svg.PALETTE:
        assert (1.05) / (_luminance(colour) + 0.05) >= 3, colour  # WCAG 1.4.11: graphics at 3:1


# --- The template ---------------------------------------------------------------------------------


def test_the_template_shows_the_chart_with_its_table_behind_a_toggle_yet_always_in_the_page():
    chart = svg.line_chart(
        title="报送率趋势", categories=MONTHS[:3], series=[svg.Series("报送率", [90, None, 95])], percent=True
    )
    with translation.override("zh-hans"):
        html = render_to_string("charts/_chart.html", {"chart": chart})
    assert html.count("<svg") == 2
    assert '<div class="d-none d-sm-block d-print-block"><svg' in html  # wide: screens and print
    assert '<div class="d-sm-none d-print-none"><svg' in html  # phones
    assert "<summary>查看数据</summary></details>" in html
    # The table follows the closed <details>, not inside it: a closed one hides its content from
    # screen readers too; the stylesheet hides the table from sight only.
    assert html.index("</details>") < html.index("<table")
    assert '<caption class="caption-top text-body">报送率趋势</caption>' in html
    assert html.count('<th scope="col"') == 2 and html.count('<th scope="row"') == 3
    assert '<td class="num">数据缺失</td>' in html and '<td class="num">90.0%</td>' in html
    assert 'href="/static/css/charts.css"' in html


def test_printed_the_chart_is_its_svg_and_its_table_open():
    chart = svg.bar_chart(title="各街道", categories=STREETS, series=[svg.Series("发现", [1, 2, 3])])
    html = render_to_string("charts/_chart.html", {"chart": chart, "printed": True})
    assert html.count("<svg") == 1 and "<details" not in html and "<link" not in html
    assert "<caption>各街道</caption>" in html and html.count('<th scope="row">') == 3


# --- In a PDF -------------------------------------------------------------------------------------

REPORT = """{% extends "pdf/base.html" %}
{% block letterhead %}{% endblock %}
{% block content %}{% for chart in charts %}
{% if printed %}{% include "charts/_chart.html" with chart=chart printed=True %}{% else %}{{ chart.svg }}{% endif %}
{% endfor %}{% endblock %}"""


@pytest.fixture
def report(tmp_path, settings):
    """report(charts, printed=False) → the PDF of a document that holds the charts: their SVG
    alone, or (printed) through the chart template, with the tables."""
    (tmp_path / "report.html").write_text(REPORT, encoding="utf-8")
    templates = copy.deepcopy(django_settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates

    def render(charts, *, printed=False) -> bytes:
        with translation.override("zh-hans"):
            return render_pdf("report.html", {"charts": charts, "printed": printed})

    return render


def report_charts() -> list[svg.Chart]:
    return [
        svg.line_chart(
            title="隐患整改率趋势",
            categories=[f"{m}月" for m in range(1, 13)],
            series=[svg.Series("整改率", [60 + m for m in range(11)] + [None]), svg.Series("及时率", [50] * 12)],
            percent=True,
        ),
        svg.bar_chart(
            title="各街道逾期隐患",
            categories=["长庆街道", "武林街道", "下城区应急管理局安全生产监督管理科"],
            series=[svg.Series("逾期隐患", [12, None, 1_200_000])],
            links=["/dashboard/unit/1/", None, None],
        ),
    ]


@needs_poppler
def test_a_chart_prints_its_chinese_in_an_embedded_cjk_font(report, tmp_path):
    pdf = report(report_charts())
    fonts = pdf_fonts(pdf, tmp_path)
    # The page's own font is the serif one (pdf/base.html); the sans face can only have come from
    # the font family the SVG names for itself, which WeasyPrint needs.
    assert any("Sans-CJK-SC" in name for name, _emb in fonts), fonts
    assert all(emb == "yes" for _name, emb in fonts), fonts
    (page,) = pdf_text(pdf, tmp_path)
    for label in ["整改率", "及时率", "80%", "12月", "长庆街道", "武林街道", "数据缺失", "1,200,000"]:
        assert label in page, label
    assert "长庆街道12" in page  # the linked bar: what is inside the <a> prints too


@needs_poppler
def test_a_printed_chart_carries_its_table_and_no_toggle(report, tmp_path):
    text = "".join(pdf_text(report(report_charts(), printed=True), tmp_path))
    assert "时间整改率及时率" in text  # the table's header row
    assert "12月数据缺失50.0%" in text  # December: no closure rate yet
    assert "下城区应急管理局安全生产监督管理科1,200,000" in text
    assert "查看数据" not in text
