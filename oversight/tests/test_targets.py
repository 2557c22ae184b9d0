"""The target cards: progress toward each of the campaign's targets against the baseline year,
measured from the yearly values and the accident register (campaign.targets), for the district
and for a street; 数据缺失 and what is missing where a figure is not known; no target card where
the targets are not measured (a community, a department's sector, a team's streets). Measured
when the rollups are built (oversight.targets): the cards are as of the build, and a changed
target, yearly value or accident is measured by the next incremental rebuild."""

from decimal import Decimal

import pytest
from django.urls import reverse

from campaign.lib.deadlines import deadline_today
from campaign.lib.history import save_with_history
from campaign.models import Target, YearlyValue
from campaign.services.accidents import accident_create, yearly_value_set
from districts.models import Sector
from oversight.models import RollupState
from oversight.rollups import rebuild
from oversight.tests.board import *  # noqa: F403 (the fixtures)
from oversight.tests.board import DISTRICT, WULIN, ZHONGBEI, card_values, unit_pk
from risks.models import AccidentType

pytestmark = pytest.mark.django_db


def cards(client, sign_in, user, code=None) -> tuple[dict[str, str], str]:
    sign_in(client, user)
    url = reverse("oversight:unit", args=[unit_pk(code)]) if code else reverse("oversight:dashboard")
    html = client.get(url).content.decode()
    block = html.split('data-testid="cards"', 1)[1].split("</ul>", 1)[0]
    return {k: v for k, v in card_values(html, targets=True).items() if k.startswith("target_")}, block


def value(unit, year, *, deaths, gdp=None):
    YearlyValue.objects.create(
        unit=unit,
        year=year,
        gdp=gdp,
        gdp_source="统计年鉴" if gdp is not None else "",
        deaths_override=deaths,
        deaths_source="应急管理局",
    )


def test_the_districts_target_cards_measure_against_the_baseline(client, sign_in, board, unit, running):
    this_year = deadline_today().year
    value(unit(DISTRICT), running.baseline_year, deaths=20, gdp=Decimal("800"))
    value(unit(DISTRICT), this_year, deaths=11, gdp=Decimal("1000"))
    targets, block = cards(client, sign_in, board["users"]["office"])
    # deaths 20 → 11: −45.0 %, met (−40 %); per GDP 0.025 → 0.011: −56.0 %, met (−55 %); none serious
    assert targets == {"target_deaths": "−45.0%", "target_deaths_per_gdp": "−56.0%", "target_serious_accidents": "0"}
    deaths = block.split('data-card="target_deaths"', 1)[1].split("</li>", 1)[0]
    assert "已达标" in deaths and f"{this_year}年比{running.baseline_year}年" in deaths
    assert "figure-success" in block.split('data-card="target_deaths"', 1)[0].rsplit("<li", 1)[1]


def test_a_missing_figure_is_data_missing_never_zero(client, sign_in, board, unit, running):
    value(unit(DISTRICT), running.baseline_year, deaths=20)  # no GDP
    value(unit(DISTRICT), deadline_today().year, deaths=15)
    targets, block = cards(client, sign_in, board["users"]["office"])
    assert targets["target_deaths"] == "−25.0%"
    assert targets["target_deaths_per_gdp"] == "数据缺失"
    per_gdp = block.split('data-card="target_deaths_per_gdp"', 1)[1].split("</li>", 1)[0]
    assert "缺少" in per_gdp and "GDP" in per_gdp
    assert "未达标" in block.split('data-card="target_deaths"', 1)[1].split("</li>", 1)[0]


def test_a_streets_target_cards_are_its_own(client, sign_in, board, unit, running):
    value(unit(DISTRICT), running.baseline_year, deaths=20)
    value(unit(DISTRICT), deadline_today().year, deaths=11)
    value(unit(WULIN), running.baseline_year, deaths=4)
    value(unit(WULIN), deadline_today().year, deaths=3)
    targets, _block = cards(client, sign_in, board["users"]["wulin"])
    assert targets["target_deaths"] == "−25.0%"


@pytest.mark.parametrize("reader, code", [("zhongbei", None), ("fire", None), ("team", None), ("office", ZHONGBEI)])
def test_no_target_cards_where_targets_are_not_measured(client, sign_in, board, unit, running, reader, code):
    value(unit(DISTRICT), running.baseline_year, deaths=20)
    targets, _block = cards(client, sign_in, board["users"][reader], code)
    assert targets == {}


def test_the_home_page_shows_the_target_cards_too(client, sign_in, board, unit, running):
    value(unit(DISTRICT), running.baseline_year, deaths=20)
    value(unit(DISTRICT), deadline_today().year, deaths=11)
    sign_in(client, board["users"]["leader"])
    html = client.get(reverse("home")).content.decode()
    assert card_values(html, f"district-{unit_pk(DISTRICT)}", targets=True)["target_deaths"] == "−45.0%"


def _change_yearly_value(board, unit, running):
    yearly_value_set(by=board["users"]["office"], unit=unit(DISTRICT), year=deadline_today().year, deaths_override=15)
    return "−25.0%"  # 20 → 15: not met


def _change_a_target(board, unit, running):
    target = running.targets.get(indicator=Target.Indicator.DEATHS)
    target.value = Decimal("50")
    save_with_history(target, board["users"]["office"])
    return "−45.0%"  # the same change, now short of −50 %


@pytest.mark.parametrize("change", [_change_yearly_value, _change_a_target])
def test_the_target_cards_are_as_of_the_build_and_the_next_rebuild_measures_a_change(
    client, sign_in, board, unit, running, settled, change
):
    value(unit(DISTRICT), running.baseline_year, deaths=20, gdp=Decimal("800"))
    value(unit(DISTRICT), deadline_today().year, deaths=11, gdp=Decimal("1000"))
    rebuild(unit(DISTRICT), full=True)
    office = board["users"]["office"]
    targets, block = cards(client, sign_in, office)
    assert targets["target_deaths"] == "−45.0%"
    assert "已达标" in block.split('data-card="target_deaths"', 1)[1].split("</li>", 1)[0]

    shown = change(board, unit, running)
    assert cards(client, sign_in, office)[0]["target_deaths"] == "−45.0%", "as of the build, like every figure"
    assert rebuild(unit(DISTRICT), full=False).full is False
    targets, block = cards(client, sign_in, office)
    assert targets["target_deaths"] == shown
    assert "未达标" in block.split('data-card="target_deaths"', 1)[1].split("</li>", 1)[0]


def test_a_recorded_accident_is_measured_by_the_next_rebuild(client, sign_in, board, unit, running, settled):
    value(unit(DISTRICT), running.baseline_year, deaths=20)
    value(unit(WULIN), running.baseline_year, deaths=4)
    rebuild(unit(DISTRICT), full=True)
    wulin = board["users"]["wulin"]
    assert cards(client, sign_in, wulin)[0]["target_deaths"] == "数据缺失"  # no figure of a campaign year yet
    accident_create(
        by=board["users"]["office"],
        unit=unit(WULIN),
        sector=Sector.objects.order_by("order").first(),
        occurred_on=deadline_today(),
        accident_type=AccidentType.FIRE,
        summary="仓库火灾",
        deaths=3,
    )
    assert cards(client, sign_in, wulin)[0]["target_deaths"] == "数据缺失"
    assert rebuild(unit(DISTRICT), full=False).full is False
    assert cards(client, sign_in, wulin)[0]["target_deaths"] == "−25.0%"  # 4 → 3


def test_the_dashboard_reads_the_targets_as_the_build_measured_them(client, sign_in, board, unit, running):
    value(unit(DISTRICT), running.baseline_year, deaths=20)
    value(unit(DISTRICT), deadline_today().year, deaths=11)
    rebuild(unit(DISTRICT), full=True)
    state = RollupState.objects.get(district=unit(DISTRICT))
    measured = state.targets["units"][str(unit(DISTRICT).pk)]
    assert {m["indicator"]: m["change"] for m in measured}["deaths"] == "-45.0"
    # Kept in the state, not measured again: what the page shows is what the build measured.
    for item in measured:
        if item["indicator"] == "deaths":
            item["change"], item["met"] = "-47.5", True
    RollupState.objects.filter(pk=state.pk).update(targets=state.targets)
    assert cards(client, sign_in, board["users"]["office"])[0]["target_deaths"] == "−47.5%"
