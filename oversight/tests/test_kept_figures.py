"""A build's figures and charts are put together once per process and kept for the requests that
follow (oversight.selectors._fill, oversight.charts.section). What a reader sees is never the
kept page of another: the first request after a build shows that build's figures, each reader
their own scope's, in their own language, with the units named as they are now."""

import re

import pytest
from django.urls import reverse

from districts.models import OrgUnit
from oversight.models import Rollup
from oversight.tests.board import *  # noqa: F403 (the fixtures)
from oversight.tests.board import DISTRICT, TAG, WULIN, card_values, ranking_rows, unit_pk
from oversight.tests.factories import built

pytestmark = pytest.mark.django_db


def chart_rows(html: str) -> dict[str, list[str]]:
    """{row name: its cells} of every chart's table on the page (the first chart naming a row: a
    street's bars come before its place on the risk map)."""
    rows = {}
    for table in re.findall(r'<div class="chart-data table-responsive">(.*?)</table>', html, re.S):
        for name, cells in re.findall(r'<tr><th scope="row"[^>]*>(.*?)</th>(.*?)</tr>', table, re.S):
            rows.setdefault(TAG.sub("", name).strip(), re.findall(r'<td class="num">([^<]*)</td>', cells))
    return rows


def dashboard(client, url=None) -> str:
    return client.get(url or reverse("oversight:dashboard")).content.decode()


def test_the_first_request_after_a_build_shows_that_builds_figures_and_charts(client, sign_in, board, unit):
    sign_in(client, board["users"]["office"])
    html = dashboard(client)
    assert card_values(html)["hazards_overdue"] == "100"
    assert chart_rows(html)["武林街道"][-1] == "31"  # the bars by street: found, closed, overdue
    dashboard(client)  # kept for this build

    # A rebuild writes its rows and the time it was built in one transaction.
    overdue = Rollup.objects.filter(metric="hazards_overdue", sector=None)
    overdue.filter(unit=unit(DISTRICT)).update(value=123)
    overdue.filter(unit=unit(WULIN)).update(value=45)
    built(unit(DISTRICT))
    html = dashboard(client)
    assert card_values(html)["hazards_overdue"] == "123"
    assert chart_rows(html)["武林街道"][-1] == "45"
    assert ranking_rows(html)[unit_pk(WULIN)][-4] == "45"


def test_each_reader_is_shown_their_own_scope_after_another_opened_the_page(client, sign_in, board):
    district = reverse("oversight:unit", args=[unit_pk(DISTRICT)])
    sign_in(client, board["users"]["office"])
    assert card_values(dashboard(client, district))["hazards_overdue"] == "100"
    # The office picks a sector: that sector's figures.
    fire_safety = board["sectors"]["fire_safety"].pk
    html = client.get(district, {"sector": fire_safety}).content.decode()
    assert card_values(html)["hazards_overdue"] == "41"
    assert chart_rows(html)["武林街道"][-1] == "13"
    # The fire brigade on the same page of the same build: fire safety only.
    sign_in(client, board["users"]["fire"])
    html = dashboard(client, district)
    assert card_values(html)["hazards_overdue"] == "41"
    assert chart_rows(html)["武林街道"][-1] == "13"
    assert '<h2 class="h6">分领域</h2>' not in html  # one sector: no bars by sector


def test_a_renamed_street_is_named_anew_at_once(client, sign_in, board):
    sign_in(client, board["users"]["office"])
    assert "武林街道" in chart_rows(dashboard(client))
    OrgUnit.objects.filter(code=WULIN).update(name="武林新街道")  # no rebuild: the figures are the same
    rows = chart_rows(dashboard(client))
    assert "武林新街道" in rows and "武林街道" not in rows


def test_the_charts_are_in_each_readers_language(client, sign_in, board):
    sign_in(client, board["users"]["office"])
    assert "发现隐患数" in dashboard(client)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = dashboard(client)
    assert "Hazards found" in html and "发现隐患数" not in html
