"""The accident register, the yearly values and the targets through the pages a person opens:
who sees and changes what by URL, what a bad figure typed into a form does (a message, the
typed values kept, nothing written), and that a missing figure reads 数据缺失, never 0.

An accident outside the user's scope answers 404; one the user may see but not change answers
403 on its edit page, and a POST there changes nothing."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.models import Accident, AccidentGrade, YearlyValue
from campaign.services.accidents import yearly_value_set
from campaign.tests.accident_fixtures import DENGXIN, DISTRICT, TIANSHUI, WULIN, ZHONGBEI
from districts.second_factor import force_login_verified
from risks.models import AccidentType

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(people, record):
    """An accident in Wulin's Zhongbei (fire safety) and one in Tianshui's Dengxin (construction)."""
    return {
        "own": record(people["office"], ZHONGBEI, summary="中北菜场火灾", sector_code="fire_safety"),
        "other": record(people["office"], DENGXIN, summary="灯芯巷工地坍塌", sector_code="construction"),
    }


@pytest.fixture
def as_user(client, people):
    def sign_in(who):
        force_login_verified(client, people[who])
        return client

    return sign_in


# What GET answers, per person, for (the accident in Wulin, the accident in Tianshui).
DETAIL = {
    "street":       (200, 404),
    "other_street": (404, 200),
    "community":    (200, 404),
    "bureau":       (200, 200),
    "fire":         (200, 404),
    "office":       (200, 200),
    "leader":       (200, 200),
    "sysadmin":     (200, 200),
}  # fmt: skip
EDIT = {
    "street":       (200, 404),
    "other_street": (404, 200),
    "community":    (403, 404),
    "bureau":       (200, 200),
    "fire":         (403, 404),
    "office":       (200, 200),
    "leader":       (403, 403),
    "sysadmin":     (403, 403),
}  # fmt: skip


def _cells(matrix):
    return [
        pytest.param(who, key, status, id=f"{who}-{key}-{status}")
        for who, row in matrix.items()
        for key, status in zip(("own", "other"), row, strict=True)
    ]


@pytest.mark.parametrize("who, key, status", _cells(DETAIL))
def test_who_sees_which_accident_by_url(as_user, world, who, key, status):
    response = as_user(who).get(reverse("accident_detail", args=[world[key].pk]))
    assert response.status_code == status
    if status == 200:
        assert world[key].summary in response.content.decode()


@pytest.mark.parametrize("who, key, status", _cells(EDIT))
def test_who_may_correct_which_accident_by_url(as_user, world, who, key, status):
    accident = world[key]
    client = as_user(who)
    url = reverse("accident_edit", args=[accident.pk])
    assert client.get(url).status_code == status
    response = client.post(url, _form(accident, deaths="5"))
    if status == 200:
        assert response.status_code == 302
        assert Accident.objects.get(pk=accident.pk).deaths == 5
    else:
        assert response.status_code == status
        assert Accident.objects.get(pk=accident.pk).deaths == 1
        assert accident.history.count() == 1


def _form(accident=None, **overrides):
    values = {
        "unit": accident.unit_id if accident else "",
        "location": "",
        "site": "",
        "sector": accident.sector_id if accident else "",
        "occurred_on": "2026-03-05",
        "accident_type": AccidentType.FIRE,
        "summary": accident.summary if accident else "沿街店铺火灾",
        "deaths": "1",
        "serious_injuries": "0",
        "direct_loss": "35.5",
        "investigation_status": "reported",
    }
    values.update(overrides)
    return values


def test_the_list_shows_only_what_the_user_may_see(as_user, world):
    page = as_user("street").get(reverse("accident_list")).content.decode()
    assert "中北菜场火灾" in page and "灯芯巷工地坍塌" not in page
    page = as_user("fire").get(reverse("accident_list")).content.decode()
    assert "中北菜场火灾" in page and "灯芯巷工地坍塌" not in page  # its sector only
    page = as_user("bureau").get(reverse("accident_list")).content.decode()
    assert "中北菜场火灾" in page and "灯芯巷工地坍塌" in page


def test_the_list_filters_by_year_sector_grade_and_unit(as_user, people, record, unit, sector):
    record(people["office"], ZHONGBEI, summary="二〇一九年火灾", occurred_on=datetime.date(2019, 4, 1))
    record(people["office"], ZHONGBEI, summary="较大火灾", deaths=3)
    record(people["office"], DENGXIN, summary="天水工地事故", sector_code="construction")
    client = as_user("office")

    def listed(**params):
        page = client.get(reverse("accident_list"), params).content.decode()
        return {s for s in ("二〇一九年火灾", "较大火灾", "天水工地事故") if s in page}

    assert listed() == {"二〇一九年火灾", "较大火灾", "天水工地事故"}
    assert listed(year="2019") == {"二〇一九年火灾"}
    assert listed(grade=AccidentGrade.LARGER) == {"较大火灾"}
    assert listed(sector=sector("construction").pk) == {"天水工地事故"}
    assert listed(unit=unit(TIANSHUI).pk) == {"天水工地事故"}
    # A year written with other digits filters nothing and breaks nothing.
    response = client.get(reverse("accident_list"), {"year": "２０１９"})
    assert response.status_code == 200


def test_the_list_pages_fifty_at_a_time(as_user, people, record):
    for day in range(1, 52):
        record(people["office"], ZHONGBEI, occurred_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=day))
    client = as_user("office")
    first = client.get(reverse("accident_list")).content.decode()
    assert first.count("data-accident=") == 50 and "1 / 2" in first
    second = client.get(reverse("accident_list"), {"page": "2"}).content.decode()
    assert second.count("data-accident=") == 1


def test_the_list_costs_the_same_queries_for_few_and_many_accidents(as_user, people, record):
    client = as_user("office")
    record(people["office"], ZHONGBEI)
    client.get(reverse("accident_list"))  # the session and caches warm
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accident_list"))
    for _ in range(20):
        record(people["office"], DENGXIN, sector_code="construction")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("accident_list"))
    assert len(many) == len(few)


def test_a_street_records_an_accident_in_its_street_and_the_grade_is_computed(as_user, unit, sector):
    client = as_user("street")
    form = _form(unit=unit(ZHONGBEI).pk, sector=sector("fire_safety").pk, deaths="3", summary="商铺火灾三人死亡")
    response = client.post(reverse("accident_create"), form)
    accident = Accident.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("accident_detail", args=[accident.pk])
    assert accident.grade == AccidentGrade.LARGER
    page = client.get(response["Location"]).content.decode()
    assert "较大事故" in page
    # Its history names who recorded it.
    assert accident.history.get().history_user.username == "street"


def test_a_street_cannot_place_an_accident_in_another_street(as_user, unit, sector):
    client = as_user("street")
    response = client.post(reverse("accident_create"), _form(unit=unit(DENGXIN).pk, sector=sector("fire_safety").pk))
    assert response.status_code == 200
    assert not Accident.objects.exists()


@pytest.mark.parametrize(
    "field, typed",
    [
        ("deaths", "３"),
        ("deaths", "٣"),
        ("deaths", "-1"),
        ("deaths", "1" * 40),
        ("serious_injuries", "1e3"),
        ("direct_loss", "-5"),
        ("direct_loss", "1e9"),
        ("direct_loss", "NaN"),
        ("direct_loss", "9" * 30),
        ("occurred_on", "2999-01-01"),
    ],
)
def test_a_bad_figure_typed_gives_a_message_keeps_what_was_typed_and_writes_nothing(
    as_user, unit, sector, field, typed
):
    client = as_user("office")
    form = _form(unit=unit(ZHONGBEI).pk, sector=sector("fire_safety").pk, summary="保留我输入的简况", **{field: typed})
    response = client.post(reverse("accident_create"), form)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-summary"' in page
    assert "保留我输入的简况" in page  # nothing typed is lost
    assert not Accident.objects.exists() and not Accident.history.exists()


def test_a_leader_reads_and_writes_nothing(as_user, world, unit, sector):
    client = as_user("leader")
    assert client.get(reverse("accident_list")).status_code == 200
    assert 'data-testid="add-accident"' not in client.get(reverse("accident_list")).content.decode()
    assert client.get(reverse("accident_create")).status_code == 403
    form = _form(unit=unit(ZHONGBEI).pk, sector=sector("fire_safety").pk)
    assert client.post(reverse("accident_create"), form).status_code == 403
    assert Accident.objects.count() == 2


def test_the_detail_page_shows_each_version_with_what_changed(as_user, world):
    client = as_user("office")
    accident = world["own"]
    client.post(reverse("accident_edit", args=[accident.pk]), _form(accident, deaths="12"))
    page = client.get(reverse("accident_detail", args=[accident.pk])).content.decode()
    history = page.split('data-testid="history"')[1]
    assert "死亡人数" in history and "<del>1</del> → 12" in history
    assert "一般事故</del> → 重大事故" in history


# ---------------------------------------------------------------- yearly values


def _cell(row: str, testid: str) -> str:
    """The HTML inside the cell marked data-testid=`testid` in a row's HTML."""
    return row.split(f'data-testid="{testid}">')[1].split("</td>")[0]


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).strip()


def test_a_missing_gdp_reads_data_missing_never_zero(as_user, people, unit):
    yearly_value_set(by=people["office"], unit=unit(WULIN), year=2016, deaths_override=3, deaths_source="统计")
    page = as_user("office").get(reverse("yearly_values"), {"year": "2016"}).content.decode()
    wulin = page.split(f'data-unit="{WULIN}"')[1].split("</tr>")[0]
    assert "数据缺失" in _cell(wulin, "gdp") and "0" not in _text(_cell(wulin, "gdp"))
    assert "数据缺失" in _cell(wulin, "per-gdp")
    assert _text(_cell(wulin, "deaths")) == "3"


def test_a_street_sees_its_own_yearly_values_and_cannot_set_them(as_user, people, unit):
    yearly_value_set(by=people["office"], unit=unit(TIANSHUI), year=2016, gdp=Decimal("118.7"), gdp_source="年鉴")
    client = as_user("street")
    page = client.get(reverse("yearly_values"), {"year": "2016"}).content.decode()
    assert f'data-unit="{WULIN}"' in page and f'data-unit="{TIANSHUI}"' not in page
    assert client.get(reverse("yearly_value_edit", args=[unit(WULIN).pk, 2016])).status_code == 403
    assert client.get(reverse("yearly_value_edit", args=[unit(TIANSHUI).pk, 2016])).status_code == 404
    response = client.post(
        reverse("yearly_value_edit", args=[unit(WULIN).pk, 2016]), {"gdp": "1", "gdp_source": "自报"}
    )
    assert response.status_code == 403
    assert not YearlyValue.objects.filter(unit=unit(WULIN)).exists()


def test_the_office_sets_a_yearly_value_and_a_bad_one_is_refused(as_user, unit):
    client = as_user("office")
    url = reverse("yearly_value_edit", args=[unit(DISTRICT).pk, 2016])
    refused = client.post(url, {"gdp": "９０５.６", "gdp_source": "下城区统计年鉴2017"})
    assert refused.status_code == 200 and "下城区统计年鉴2017" in refused.content.decode()
    refused = client.post(url, {"gdp": "905.6", "gdp_source": ""})
    assert refused.status_code == 200 and "GDP数据来源" in refused.content.decode()
    assert not YearlyValue.objects.exists()
    saved = client.post(url, {"gdp": "905.6", "gdp_source": "下城区统计年鉴2017", "deaths_override": "20",
                              "deaths_source": "安监局统计"})  # fmt: skip
    assert saved.status_code == 302
    value = YearlyValue.objects.get()
    assert (value.gdp, value.deaths_override, value.history.count()) == (Decimal("905.6"), 20, 1)


# ---------------------------------------------------------------- targets


@pytest.fixture
def measured(people, unit):
    """The district: 20 deaths in 2016 on 900 亿元, 11 in 2020 with no GDP yet."""
    office = people["office"]
    yearly_value_set(by=office, unit=unit(DISTRICT), year=2016, gdp=Decimal(900), gdp_source="年鉴",
                     deaths_override=20, deaths_source="统计")  # fmt: skip
    yearly_value_set(by=office, unit=unit(DISTRICT), year=2020, deaths_override=11, deaths_source="统计")


def _row(page: str, indicator: str) -> str:
    return page.split(f'data-indicator="{indicator}"')[1].split("</tr>")[0]


def test_the_targets_page_shows_minus_45_percent_met_and_a_missing_gdp_as_missing(as_user, measured, plan):
    page = as_user("office").get(reverse("campaign_targets"), {"campaign": plan.pk}).content.decode()
    deaths = _row(page, "deaths")
    assert "-45.0%" in deaths and "已完成" in deaths
    per_gdp = _row(page, "deaths_per_gdp")
    assert _text(_cell(per_gdp, "actual")) == "数据缺失"
    assert "数据缺失" in _cell(per_gdp, "met")
    assert "2020年地区生产总值" in per_gdp
    assert "已完成" not in per_gdp and "未完成" not in per_gdp
    assert "已完成" in _row(page, "serious_accidents")


def test_a_serious_accident_shows_the_target_not_met(as_user, measured, plan, people, record):
    record(people["office"], ZHONGBEI, deaths=10, occurred_on=datetime.date(2020, 6, 1))
    page = as_user("office").get(reverse("campaign_targets"), {"campaign": plan.pk}).content.decode()
    assert "未完成" in _row(page, "serious_accidents")


def test_a_street_cannot_open_another_streets_targets_by_url(as_user, unit, plan):
    page = as_user("street").get(reverse("campaign_targets"), {"unit": unit(TIANSHUI).pk}).content.decode()
    assert "武林街道" in page and "天水街道" not in page


def test_the_menu_leads_to_the_register_and_the_targets(as_user):
    page = as_user("street").get(reverse("home")).content.decode()
    assert reverse("accident_list") in page and reverse("campaign_targets") in page
    assert reverse("import_accidents") in page and reverse("import_yearly_values") not in page
    page = as_user("leader").get(reverse("home")).content.decode()
    assert reverse("accident_list") in page and reverse("import_accidents") not in page
