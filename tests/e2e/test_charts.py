"""A chart as a reader meets it in Chromium, on a 390 px phone and on a desktop: the SVG that fits
the width with labels big enough to read, its table out of sight until 查看数据 is opened but
always there for a screen reader, drill-down links named by their values, and nothing axe-core
calls serious. The page is the chart template alone, with the platform's stylesheets."""

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from playwright.sync_api import Page, expect

from campaign.lib import svg
from tests.e2e.axe import blocking_violations, describe

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MONTHS = [f"{year}-{month:02d}" for year in (2025, 2026) for month in range(1, 13)]


def _css(path: str) -> str:
    with open(finders.find(path), encoding="utf-8") as f:
        return f.read()


def show(page: Page, viewport: dict) -> None:
    """A page of two charts in cards, as a dashboard lays them out."""
    with translation.override("zh-hans"):
        charts = [
            svg.line_chart(
                title="隐患整改率趋势",
                categories=MONTHS,
                series=[svg.Series("整改率", [60 + i for i in range(23)] + [None]), svg.Series("及时率", [50] * 24)],
                percent=True,
                y_label="%",
            ),
            svg.bar_chart(
                title="各街道逾期隐患",
                categories=["长庆街道", "武林街道", "下城区应急管理局安全生产监督管理科"],
                series=[svg.Series("逾期", [12, 3, None]), svg.Series("整改", [1, 2, 3])],
                links=["/dashboard/unit/1/", None, "/dashboard/unit/3/"],
            ),
        ]
        cards = "".join(
            f'<section class="card mb-3"><div class="card-body"><h2 class="h6">{chart.title}</h2>'
            + render_to_string("charts/_chart.html", {"chart": chart})
            + "</div></section>"
            for chart in charts
        )
    styles = "".join(
        f"<style>{_css(p)}</style>"
        for p in ("vendor/bootstrap/css/bootstrap.min.css", "css/site.css", "css/charts.css")
    )
    page.set_viewport_size(viewport)
    page.set_content(
        '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>图表</title>'
        f'{styles}</head><body><main class="container py-3"><h1 class="h4">仪表盘</h1>{cards}</main></body></html>'
    )


@pytest.mark.e2e
def test_on_a_phone_the_chart_fits_reads_and_keeps_its_table_for_screen_readers(page: Page):
    show(page, PHONE)
    figure = page.get_by_test_id("chart").first
    narrow, wide = figure.locator("svg.chart-line").last, figure.locator("svg.chart-line").first
    expect(narrow).to_be_visible()
    expect(wide).to_be_hidden()
    box = narrow.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # no sideways scrolling
    label = narrow.locator(".x-axis text").last
    expect(label).to_have_text("2026-12")
    assert label.bounding_box()["height"] >= 10  # a month's label is text a person can read

    # Out of sight, yet a table a screen reader finds by its caption …
    table = page.get_by_role("table", name="隐患整改率趋势")
    expect(table).to_have_count(1)
    assert figure.locator(".chart-data").bounding_box()["width"] <= 1  # its box, clipped to a pixel
    expect(table.get_by_role("row")).to_have_count(25)
    # … and one tap shows it, whole, within the phone's width.
    figure.get_by_text("查看数据").click()
    assert figure.locator(".chart-data").bounding_box()["width"] > 300
    assert table.bounding_box()["width"] <= PHONE["width"]
    expect(table.get_by_role("row").nth(24)).to_contain_text("2026-12")
    expect(table.get_by_role("row").nth(24)).to_contain_text("数据缺失")

    # The bars are links named with their values; the table's names link to the same pages.
    link = page.get_by_role("link", name="长庆街道：逾期 12，整改 1")
    expect(link).to_have_count(1)  # the phone's SVG only: the wide one is not displayed
    expect(link).to_have_attribute("href", "/dashboard/unit/1/")
    expect(page.get_by_role("link", name="下城区应急管理局安全生产监督管理科", exact=True)).to_have_count(1)

    violations = blocking_violations(page)
    assert not violations, "\n".join(describe("charts at 390 px", violations))


@pytest.mark.e2e
def test_on_a_desktop_the_wide_chart_shows(page: Page):
    show(page, DESKTOP)
    figure = page.get_by_test_id("chart").first
    expect(figure.locator("svg.chart-line").first).to_be_visible()
    expect(figure.locator("svg.chart-line").last).to_be_hidden()
    assert figure.locator("svg.chart-line").first.locator(".x-axis text").count() >= 8
    violations = blocking_violations(page)
    assert not violations, "\n".join(describe("charts at 1280 px", violations))
