"""The accident register's rules, through its services: the grade follows the national
thresholds and is never typed; who may record where; a bad figure is refused and nothing is
written; every write leaves one history row naming its writer."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaign.lib.deadlines import deadline_today
from campaign.models import Accident, AccidentGrade, YearlyValue, grade_for
from campaign.services.accidents import accident_update, yearly_value_set
from campaign.tests.accident_fixtures import (
    DENGXIN,
    DISTRICT,
    TIANSHUI,
    WULIN,
    ZHONGBEI,
)

pytestmark = pytest.mark.django_db

G = AccidentGrade

# (deaths, serious injuries, direct loss in 万元) → grade, at and around each threshold of
# 《生产安全事故报告和调查处理条例》 第三条 ("以上" includes the figure).
GRADES = [
    ((0, 0, "0"), G.GENERAL),
    ((2, 0, "0"), G.GENERAL),
    ((3, 0, "0"), G.LARGER),
    ((9, 0, "0"), G.LARGER),
    ((10, 0, "0"), G.MAJOR),
    ((29, 0, "0"), G.MAJOR),
    ((30, 0, "0"), G.EXTRAORDINARY),
    ((0, 9, "0"), G.GENERAL),
    ((0, 10, "0"), G.LARGER),
    ((0, 49, "0"), G.LARGER),
    ((0, 50, "0"), G.MAJOR),
    ((0, 99, "0"), G.MAJOR),
    ((0, 100, "0"), G.EXTRAORDINARY),
    ((0, 0, "999.99"), G.GENERAL),
    ((0, 0, "1000"), G.LARGER),
    ((0, 0, "4999.99"), G.LARGER),
    ((0, 0, "5000"), G.MAJOR),
    ((0, 0, "9999.99"), G.MAJOR),
    ((0, 0, "10000"), G.EXTRAORDINARY),
    # The highest figure decides: two deaths but 50 seriously injured is major.
    ((2, 50, "10"), G.MAJOR),
]


@pytest.mark.parametrize("figures, grade", GRADES, ids=[f"{d}-{i}-{loss}" for (d, i, loss), _g in GRADES])
def test_the_grade_follows_the_national_thresholds(figures, grade):
    deaths, injuries, loss = figures
    assert grade_for(deaths=deaths, serious_injuries=injuries, direct_loss=Decimal(loss)) == grade


@pytest.mark.parametrize("figures, grade", GRADES[:7], ids=[f"{d}-deaths" for (d, _i, _l), _g in GRADES[:7]])
def test_the_service_grades_what_it_records(people, record, figures, grade):
    deaths, injuries, loss = figures
    accident = record(people["office"], deaths=deaths, serious_injuries=injuries, direct_loss=Decimal(loss))
    assert Accident.objects.get(pk=accident.pk).grade == grade


def test_the_grade_is_recomputed_when_the_investigation_changes_the_figures(people, record):
    accident = record(people["office"], deaths=2)
    assert accident.grade == G.GENERAL
    accident_update(accident=accident, by=people["office"], deaths=3)
    assert Accident.objects.get(pk=accident.pk).grade == G.LARGER
    accident_update(accident=accident, by=people["office"], deaths=1, direct_loss=Decimal("5000"))
    assert Accident.objects.get(pk=accident.pk).grade == G.MAJOR


def test_nobody_types_a_grade(people, record):
    with pytest.raises(TypeError, match="grade"):
        record(people["office"], grade=G.GENERAL)
    accident = record(people["office"], deaths=12)
    with pytest.raises(TypeError, match="grade"):
        accident_update(accident=accident, by=people["office"], grade=G.GENERAL)
    assert Accident.objects.get(pk=accident.pk).grade == G.MAJOR


# ---------------------------------------------------------------- who may record where

# Who may record an accident at each place: own street's community, another street's community.
WRITE = {
    "street": (True, False),
    "other_street": (False, True),
    "community": (False, False),
    "bureau": (True, True),
    "fire": (False, False),  # leads fire safety, but does not keep the register
    "office": (True, True),
    "leader": (False, False),
    "sysadmin": (False, False),
}


@pytest.mark.parametrize("who, allowed", WRITE.items(), ids=list(WRITE))
def test_who_may_record_an_accident_where(people, record, who, allowed):
    for code, may in zip((ZHONGBEI, DENGXIN), allowed, strict=True):
        if may:
            record(people[who], code)
        else:
            with pytest.raises(PermissionDenied):
                record(people[who], code)
    assert Accident.objects.count() == sum(allowed)
    assert Accident.history.count() == sum(allowed)


def test_a_street_cannot_move_an_accident_out_of_its_street_nor_correct_one_outside(people, record, unit):
    own = record(people["office"], ZHONGBEI)
    other = record(people["office"], DENGXIN)
    with pytest.raises(PermissionDenied):
        accident_update(accident=own, by=people["street"], unit=unit(DENGXIN))
    with pytest.raises(PermissionDenied):
        accident_update(accident=other, by=people["street"], deaths=0)
    assert Accident.objects.get(pk=own.pk).unit.code == ZHONGBEI
    assert Accident.objects.get(pk=other.pk).deaths == 1


def test_the_bureau_sees_every_sector_and_a_lead_department_only_its_own(people, record):
    fire = record(people["office"], ZHONGBEI, sector_code="fire_safety")
    building = record(people["office"], DENGXIN, sector_code="construction")
    assert set(Accident.objects.visible_to(people["bureau"])) == {fire, building}
    assert set(Accident.objects.visible_to(people["fire"])) == {fire}
    assert set(Accident.objects.visible_to(people["street"])) == {fire}
    assert set(Accident.objects.visible_to(people["leader"])) == {fire, building}


# ---------------------------------------------------------------- bad figures


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"direct_loss": Decimal("-1")}, "direct_loss"),
        ({"deaths": 10_001}, "deaths"),
        ({"serious_injuries": 10**12}, "serious_injuries"),
        ({"direct_loss": Decimal("1" * 20)}, "direct_loss"),
        ({"occurred_on": deadline_today() + datetime.timedelta(days=1)}, "occurred_on"),
        ({"occurred_on": datetime.date(1999, 12, 31)}, "occurred_on"),
        ({"summary": ""}, "summary"),
    ],
    ids=["negative-loss", "deaths", "huge-injuries", "huge-loss", "future", "before-register", "no-summary"],
)
def test_a_bad_figure_is_refused_and_nothing_is_written(people, record, fields, field):
    with pytest.raises(ValidationError) as refused:
        record(people["office"], **fields)
    assert field in refused.value.message_dict
    assert not Accident.objects.exists() and not Accident.history.exists()


def test_a_site_must_be_at_the_place(people, record, unit):
    from districts.tests.factories import SiteFactory

    elsewhere = SiteFactory(unit=unit(DENGXIN))
    with pytest.raises(ValidationError) as refused:
        record(people["office"], ZHONGBEI, site=elsewhere)
    assert "site" in refused.value.message_dict


def test_an_accident_happens_at_a_place_not_at_a_department(people, record):
    with pytest.raises(ValidationError) as refused:
        record(people["office"], "330103-YJJ")
    assert "unit" in refused.value.message_dict


def test_every_write_leaves_one_history_row_naming_its_writer(people, record):
    accident = record(people["street"], ZHONGBEI)
    accident_update(accident=accident, by=people["office"], deaths=2)
    rows = list(accident.history.order_by("history_id").values_list("history_type", "history_user__username", "deaths"))
    assert rows == [("+", "street", 1), ("~", "office", 2)]


# ---------------------------------------------------------------- yearly values


def test_a_yearly_value_is_created_then_changed_in_place(people, unit):
    district = unit(DISTRICT)
    yearly_value_set(by=people["office"], unit=district, year=2016, gdp=Decimal("905.6"), gdp_source="统计年鉴")
    yearly_value_set(by=people["bureau"], unit=district, year=2016, deaths_override=20, deaths_source="安监局统计")
    value = YearlyValue.objects.get(unit=district, year=2016)
    assert (value.gdp, value.deaths_override) == (Decimal("905.6"), 20)
    assert value.history.count() == 2
    assert YearlyValue.objects.count() == 1


@pytest.mark.parametrize("who", ["street", "community", "fire", "leader", "sysadmin"])
def test_only_the_office_and_the_bureau_set_yearly_values(people, unit, who):
    # A street does not set even its own figures: they judge its progress.
    with pytest.raises(PermissionDenied):
        yearly_value_set(by=people[who], unit=unit(WULIN), year=2016, gdp=Decimal(100), gdp_source="x")
    assert not YearlyValue.objects.exists()


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"gdp": Decimal("900")}, "gdp_source"),
        ({"deaths_override": 20}, "deaths_source"),
        ({"gdp": Decimal("0"), "gdp_source": "x"}, "gdp"),
        ({"gdp": Decimal("-5"), "gdp_source": "x"}, "gdp"),
        ({"deaths_override": 10**9, "deaths_source": "x"}, "deaths_override"),
    ],
    ids=["gdp-without-source", "deaths-without-source", "zero-gdp", "negative-gdp", "huge-deaths"],
)
def test_a_bad_yearly_value_is_refused_and_nothing_is_written(people, unit, fields, field):
    with pytest.raises(ValidationError) as refused:
        yearly_value_set(by=people["office"], unit=unit(TIANSHUI), year=2016, **fields)
    assert field in refused.value.message_dict
    assert not YearlyValue.objects.exists()


def test_yearly_values_are_kept_for_the_district_and_streets_only(people, unit):
    with pytest.raises(ValidationError) as refused:
        yearly_value_set(by=people["office"], unit=unit(ZHONGBEI), year=2016, gdp=Decimal(5), gdp_source="x")
    assert "unit" in refused.value.message_dict
    with pytest.raises(ValidationError):
        yearly_value_set(by=people["office"], unit=unit(WULIN), year=1899, gdp=Decimal(5), gdp_source="x")
    assert not YearlyValue.objects.exists()
