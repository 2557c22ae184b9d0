"""The sector and period pickers change the figures; a parameter that names nothing (a garbled
period, a sector in full-width digits, another district's unit) is set aside with a notice or
a 404, never a 500."""

import re

import pytest
from django.urls import reverse

from campaign.lib.deadlines import deadline_today
from oversight.models import Granularity
from oversight.periods import Period, add_months, start_of
from oversight.tests.board import *  # noqa: F403 (the fixtures)
from oversight.tests.board import DISTRICT, TIANSHUI, WULIN, card_values, ranking_rows, unit_pk

pytestmark = pytest.mark.django_db


def get(client, sign_in, user, url=None, **params):
    sign_in(client, user)
    return client.get(url or reverse("oversight:dashboard"), params)


def overdue_by_child(html: str) -> dict[int, str]:
    return {pk: cells[-4] for pk, cells in ranking_rows(html).items()}


def test_the_sector_picker_shows_that_sectors_figures(client, sign_in, board):
    fire = board["sectors"]["fire_safety"]
    html = get(client, sign_in, board["users"]["office"], sector=fire.pk).content.decode()
    assert card_values(html)["hazards_overdue"] == "41"
    children = overdue_by_child(html)
    assert children[unit_pk(WULIN)] == "13" and children[unit_pk(TIANSHUI)] == "9"
    assert f'<option value="{fire.pk}" selected>' in html
    # The drill-down keeps the sector.
    assert f'href="{reverse("oversight:unit", args=[unit_pk(WULIN)])}?sector={fire.pk}"' in html
    # And the card's list is of that sector too.
    assert f"sector={fire.pk}" in html.split('data-card="hazards_overdue"')[1].split("</li>")[0]


def test_the_period_picker_shows_that_periods_figures(client, sign_in, board, this_month):
    last_month = Period(Granularity.MONTH, add_months(this_month, -1))
    html = get(client, sign_in, board["users"]["office"], period=last_month.param).content.decode()
    assert card_values(html)["hazards_overdue"] == "77"
    assert overdue_by_child(html)[unit_pk(WULIN)] == "23"
    assert f'<option value="{last_month.param}" selected>' in html
    # A past month's stock is not today's list: no link from its cards, and the page says why.
    assert 'data-testid="past-period"' in html
    assert 'href="/hazards/' not in html.split('data-testid="cards"')[1].split("</ul>")[0]
    # The drill-down keeps the period.
    assert f"period={last_month.param.replace(':', '%3A')}" in html


def test_a_quarter_and_a_year_read_their_own_rows(client, sign_in, board, unit):
    from oversight.models import Metric, Rollup

    today = deadline_today()
    quarter = Period(Granularity.QUARTER, start_of(Granularity.QUARTER, today))
    year = Period(Granularity.YEAR, start_of(Granularity.YEAR, today))
    Rollup.objects.filter(
        unit=unit(DISTRICT), sector=None, metric=Metric.HAZARDS_OVERDUE, granularity=Granularity.QUARTER
    ).update(value=88)
    Rollup.objects.filter(
        unit=unit(DISTRICT), sector=None, metric=Metric.HAZARDS_OVERDUE, granularity=Granularity.YEAR
    ).update(value=99)
    office = board["users"]["office"]
    assert card_values(get(client, sign_in, office, period=quarter.param).content.decode())["hazards_overdue"] == "88"
    assert card_values(get(client, sign_in, office, period=year.param).content.decode())["hazards_overdue"] == "99"


def test_the_trend_covers_the_campaigns_months_up_to_24(client, sign_in, board):
    response = get(client, sign_in, board["users"]["office"])
    page = response.context["page"]
    months = [m.start for m in page.trend]
    assert len(months) == min(24, len(page.calendar.months))
    assert months[-1] == min(page.period.last_month, page.calendar.last) and months == sorted(months)
    assert page.trend[-1].figures.overdue == 100 and page.trend[-2].figures.overdue == 77


BAD_PERIODS = [
    "garbage",
    "month:2026-13-01",
    "month:2026-02-30",
    "month:1999-01-01",
    "week:2026-01-01",
    "month:２０２６-01-01",
    "quarter:2026-02-01",
    "month:" + "9" * 40,
    "",
]
BAD_SECTORS = ["９９", "99999999999999999999999", "-1", "abc", "1e3", "0", " 1"]


@pytest.mark.parametrize("period", BAD_PERIODS)
def test_a_bad_period_shows_the_latest_year_with_a_notice_saying_so(client, sign_in, board, period):
    response = get(client, sign_in, board["users"]["office"], period=period)
    assert response.status_code == 200
    html = response.content.decode()
    assert card_values(html)["hazards_overdue"] == "100"
    assert ('data-testid="notice"' in html) == bool(period)
    # The page shows (and its picker holds) the default period, the latest year, as the notice says.
    year = f"year:{deadline_today().year}-01-01"
    assert re.search(rf'<option value="{year}" selected>', html), "the picker does not hold the latest year"
    if period:
        assert "已显示最近一年" in html


@pytest.mark.parametrize("sector", BAD_SECTORS)
@pytest.mark.parametrize("reader", ["office", "fire"])
def test_a_bad_sector_shows_every_sector_the_reader_may_see(client, sign_in, board, reader, sector):
    response = get(client, sign_in, board["users"][reader], sector=sector)
    assert response.status_code == 200
    html = response.content.decode()
    assert card_values(html)["hazards_overdue"] == {"office": "100", "fire": "41"}[reader]
    assert 'data-testid="notice"' in html


@pytest.mark.parametrize("pk", ["0", "99999999999999999999", "9223372036854775807", "9223372036854775808"])
def test_a_unit_that_does_not_exist_is_not_found(client, sign_in, board, pk):
    sign_in(client, board["users"]["office"])
    assert client.get(f"/dashboard/unit/{pk}/").status_code == 404


@pytest.mark.parametrize("code", ["330103-CJB", "330103-LDXZ", "330100"])
def test_a_unit_with_no_dashboard_is_not_found(client, sign_in, board, code):
    sign_in(client, board["users"]["office"])
    assert client.get(reverse("oversight:unit", args=[unit_pk(code)])).status_code == 404


def test_a_grid_has_no_dashboard(client, sign_in, board):
    from districts.models import OrgUnit

    sign_in(client, board["users"]["office"])
    grid = OrgUnit.objects.filter(kind=OrgUnit.Kind.GRID).first()
    assert client.get(reverse("oversight:unit", args=[grid.pk])).status_code == 404


@pytest.mark.parametrize("rank", ["closure", "overdue", "timely", "zzz", "９"])
def test_the_ranking_orders_by_what_is_asked(client, sign_in, board, rank):
    html = get(client, sign_in, board["users"]["office"], rank=rank).content.decode()
    rows = list(ranking_rows(html).values())
    overdue = [int(cells[-4]) for cells in rows]
    if rank == "overdue":
        assert overdue == sorted(overdue)
    else:
        column = 3 if rank in ("zzz", "９", "timely") else 4  # 及时率 (the default) or 整改率
        rates = [float(cells[column].rstrip("%")) for cells in rows if cells[column] != "—"]
        assert rates == sorted(rates, reverse=True)
        assert all(cells[column] == "—" for cells in rows[len(rates) :])
    assert [int(cells[0]) for cells in rows] == sorted(int(cells[0]) for cells in rows)


def test_a_campaign_that_ended_shows_its_last_year_and_offers_its_last_month(client, sign_in, board, running):
    last_month = add_months(deadline_today().replace(day=1), -1)
    running.ends_on = last_month
    running.save()
    page = get(client, sign_in, board["users"]["office"]).context["page"]
    assert page.period.start == last_month.replace(month=1) and page.trend[-1].start == last_month
    response = client.get(reverse("oversight:dashboard"), {"period": f"month:{last_month:%Y-%m-%d}"})
    assert response.status_code == 200
    assert response.context["page"].period.start == last_month
    assert card_values(response.content.decode())["hazards_overdue"] == "77"
