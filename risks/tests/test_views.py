"""The register's screens, through the pages a person opens: who sees and changes which
risk, and what creating, re-assessing, reviewing and editing leave on the record.

A risk outside the user's scope answers 404; one the user may see but not change answers
403 on its edit, re-assess and review pages, and a POST there changes nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from districts.models import Role, Sector
from districts.second_factor import force_login_verified
from districts.structure import DISTRICT_CODE
from districts.tests.factories import SiteFactory
from risks import services
from risks.forms import factors_of
from risks.models import AccidentType, Assessment, AssessmentMethod, Level, RiskPoint

pytestmark = pytest.mark.django_db

WULIN = "330103002"  # 武林街道
ZHONGBEI = "330103002051"  # 中北社区, in Wulin
XIANLIN = "330103002052"  # 仙林社区, in Wulin
DENGXIN = "330103003051"  # 灯芯巷社区, in Tianshui, Wulin's sibling street
FIRE_BRIGADE = "330103-XFJY"  # 区消防救援大队, leads fire safety
OFFICE = "330103-CJB"
LEADING_GROUP = "330103-LDXZ"

HOME = {
    Role.STREET_STAFF: WULIN,
    Role.COMMUNITY_STAFF: ZHONGBEI,
    Role.DEPARTMENT_STAFF: FIRE_BRIGADE,
    Role.REVIEWER: OFFICE,
    Role.LEADER: LEADING_GROUP,
    Role.SYSTEM_ADMIN: DISTRICT_CODE,
}

# The risks every test starts with: key → (name, place, sector).
RISKS = {
    "own_community_fire": ("中北菜场电气线路老化", ZHONGBEI, "fire_safety"),
    "own_street_other_community": ("仙林工地深基坑", XIANLIN, "construction"),
    "sibling_street": ("灯芯巷工地塔吊", DENGXIN, "construction"),
    "sibling_street_fire": ("灯芯巷群租房电动车充电", DENGXIN, "fire_safety"),
}
COLUMNS = list(RISKS)

# What GET /risks/<pk>/ answers, per role, for each risk in COLUMNS order.
DETAIL = {
    #                        own comm. fire  own street     sibling street  sibling street fire
    Role.STREET_STAFF:      (200,            200,           404,            404),
    Role.COMMUNITY_STAFF:   (200,            404,           404,            404),
    Role.DEPARTMENT_STAFF:  (200,            404,           404,            200),
    Role.REVIEWER:          (200,            200,           200,            200),
    Role.LEADER:            (200,            200,           200,            200),
    Role.SYSTEM_ADMIN:      (200,            200,           200,            200),
}  # fmt: skip
# What GET of the edit, re-assess and review pages answers.
EDIT = {
    Role.STREET_STAFF:      (200,            200,           404,            404),
    Role.COMMUNITY_STAFF:   (200,            404,           404,            404),
    Role.DEPARTMENT_STAFF:  (200,            404,           404,            200),
    Role.REVIEWER:          (403,            403,           403,            403),
    Role.LEADER:            (403,            403,           403,            403),
    Role.SYSTEM_ADMIN:      (200,            200,           200,            200),
}  # fmt: skip
ACTIONS = ["risk_edit", "risk_assess", "risk_review"]


def _cells(matrix):
    return [
        pytest.param(role, key, status, id=f"{role.value}-{key}-{status}")
        for role, row in matrix.items()
        for key, status in zip(COLUMNS, row, strict=True)
    ]


@pytest.fixture
def district(district_for_module, db):
    return district_for_module


@pytest.fixture
def lec(district):
    return AssessmentMethod.objects.get(code="lec")


@pytest.fixture
def admin_user(make_user, unit):
    return make_user(Role.SYSTEM_ADMIN, unit(DISTRICT_CODE))


@pytest.fixture
def world(district, unit, admin_user, lec):
    """The four risks of RISKS, each assessed once with LEC (6 × 3 × 7 = 126, general)."""
    sectors = {s.code: s for s in Sector.objects.all()}
    return {
        key: services.risk_create(
            by=admin_user,
            name=name,
            unit=unit(code),
            sector=sectors[sector],
            accident_type=AccidentType.ELECTRIC_SHOCK,
            # The district controls the one the tests re-assess up to 重大 (graded control, 分级管控).
            responsible_unit=unit(DISTRICT_CODE if key == "own_street_other_community" else code),
            responsible_person="张三",
            assessments=[{"method": lec, "stage": "residual", "inputs": {"L": 6, "E": 3, "C": 7}}],
        )
        for key, (name, code, sector) in RISKS.items()
    }


@pytest.fixture
def login_as(client, make_user, unit, settings):
    def login(role):
        user = make_user(role, unit(HOME[role]))
        force_login_verified(client, user)
        # Pages in English (chosen with the language switch), so that messages are asserted
        # independently of the Chinese catalog.
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return user

    return login


def _snapshot(risk):
    risk = RiskPoint.objects.get(pk=risk.pk)
    return (
        risk.name,
        risk.current_assessment_id,
        risk.last_reviewed_on,
        risk.assessments.count(),
        risk.reviews.count(),
    )


def _assess_data(method, values, stage="residual", note=""):
    data = {"assess-method": method.pk, "assess-stage": stage, "assess-note": note}
    for (field, _factor), value in zip(factors_of(method), values, strict=True):
        data[f"assess-{field}"] = value
    return data


def _risk_data(unit, sector, **extra):
    return {
        "name": "中北社区燃气管道",
        "unit": unit.pk,
        "site": "",
        "sector": sector.pk,
        "accident_type": AccidentType.FIRE,
        "description": "老旧小区燃气管道锈蚀",
        "responsible_unit": unit.pk,
        "responsible_person": "李四",
        **extra,
    }


@pytest.mark.parametrize(("role", "key", "status"), _cells(DETAIL))
def test_risk_page_opens_only_inside_the_users_scope(client, world, login_as, role, key, status):
    login_as(role)
    response = client.get(reverse("risk_detail", args=[world[key].pk]))
    assert response.status_code == status
    assert (world[key].name in response.content.decode()) == (status == 200)


@pytest.mark.parametrize(("role", "key", "status"), _cells(EDIT))
@pytest.mark.parametrize("action", ACTIONS)
def test_edit_assess_and_review_pages_open_only_for_editors_inside_their_scope(
    client, world, login_as, role, key, status, action
):
    login_as(role)
    assert client.get(reverse(action, args=[world[key].pk])).status_code == status


@pytest.mark.parametrize(("role", "key", "status"), [c for c in _cells(EDIT) if c.values[2] != 200])
def test_a_post_outside_the_users_rights_changes_nothing(client, world, login_as, lec, unit, role, key, status):
    login_as(role)
    risk = world[key]
    before = _snapshot(risk)
    posts = {
        "risk_edit": _risk_data(unit(ZHONGBEI), risk.sector, name="改掉的名字"),
        "risk_assess": _assess_data(lec, ["10", "10", "100"]),
        "risk_review": {"reviewed_on": timezone.localdate().isoformat(), "note": "x"},
    }
    for action, data in posts.items():
        assert client.post(reverse(action, args=[risk.pk]), data).status_code == status
    assert _snapshot(risk) == before


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        pytest.param(role, {k for k, s in zip(COLUMNS, row, strict=True) if s == 200}, id=role.value)
        for role, row in DETAIL.items()
    ],
)
def test_risk_list_shows_exactly_the_risks_in_scope(client, world, login_as, role, visible):
    login_as(role)
    response = client.get(reverse("risk_list"))
    html = response.content.decode()
    for key, risk in world.items():
        assert (risk.name in html) == (key in visible), key
    assert response.context["page"].paginator.count == len(visible)


def test_department_staff_see_their_sector_district_wide_and_no_other(client, world, login_as):
    login_as(Role.DEPARTMENT_STAFF)
    shown = {r.pk for r in client.get(reverse("risk_list")).context["page"]}
    assert shown == {world["own_community_fire"].pk, world["sibling_street_fire"].pk}


@pytest.mark.parametrize("role", [Role.LEADER, Role.REVIEWER])
def test_leaders_and_reviewers_see_no_edit_buttons(client, world, login_as, role):
    login_as(role)
    risk = world["own_community_fire"]
    list_html = client.get(reverse("risk_list")).content.decode()
    html = client.get(reverse("risk_detail", args=[risk.pk])).content.decode()
    for action in ACTIONS:
        assert reverse(action, args=[risk.pk]) not in html
    assert reverse("risk_create") not in list_html


def test_editors_see_the_edit_assess_and_review_buttons(client, world, login_as):
    login_as(Role.COMMUNITY_STAFF)
    risk = world["own_community_fire"]
    html = client.get(reverse("risk_detail", args=[risk.pk])).content.decode()
    for action in ACTIONS:
        assert reverse(action, args=[risk.pk]) in html


def test_creating_a_risk_with_lec_values_stores_the_server_computed_score_and_level(
    client, district, login_as, lec, unit
):
    login_as(Role.COMMUNITY_STAFF)
    fire = Sector.objects.get(code="fire_safety")
    site = SiteFactory(unit=unit(ZHONGBEI), sector=fire)
    # 6 × 2 × 7 = 84, general: a community may control it (分级管控).
    data = {**_risk_data(unit(ZHONGBEI), fire, site=site.credit_code), **_assess_data(lec, ["6", "2", "7"])}
    # A tampered page cannot choose the score: there is no field for it, and it is ignored.
    data["assess-score"] = "1"
    response = client.post(reverse("risk_create"), data)
    risk = RiskPoint.objects.get(name="中北社区燃气管道")
    assert response.status_code == 302
    assert response.url == reverse("risk_detail", args=[risk.pk])
    assessment = risk.current_assessment
    assert assessment.score == Decimal(84)
    assert assessment.level == Level.GENERAL
    assert assessment.inputs == {"L": 6, "E": 2, "C": 7}
    assert risk.site == site
    # A general risk is reviewed twice a year.
    assert risk.next_review_on == timezone.localdate() + timezone.timedelta(days=180)


def test_the_create_form_offers_each_factors_allowed_values_with_their_labels(client, district, login_as, lec):
    login_as(Role.STREET_STAFF)
    with override("en"):
        response = client.get(reverse("risk_create"))
    l_field = factors_of(lec)[0][0]
    choices = dict(response.context["assess_form"].fields[l_field].choices)
    assert choices["6"] == "6 — 相当可能"
    assert set(choices) == {"", "10", "6", "3", "1", "0.5", "0.2", "0.1"}
    assert 'id="risk-methods"' in response.content.decode()


def test_a_value_not_allowed_for_l_is_refused_with_a_message_and_nothing_is_saved(
    client, district, login_as, lec, unit
):
    login_as(Role.STREET_STAFF)
    fire = Sector.objects.get(code="fire_safety")
    data = {**_risk_data(unit(ZHONGBEI), fire), **_assess_data(lec, ["7", "2", "15"])}
    with override("en"):
        response = client.post(reverse("risk_create"), data)
    assert response.status_code == 200
    assert "That is not an allowed value of L." in response.content.decode()
    # What the user typed is still there.
    assert response.context["form"]["name"].value() == "中北社区燃气管道"
    assert not RiskPoint.objects.filter(name="中北社区燃气管道").exists()
    assert not Assessment.objects.filter(risk__name="中北社区燃气管道").exists()


def test_a_missing_factor_value_is_asked_for(client, district, login_as, lec, unit):
    login_as(Role.STREET_STAFF)
    fire = Sector.objects.get(code="fire_safety")
    data = {**_risk_data(unit(ZHONGBEI), fire), **_assess_data(lec, ["6", "", "15"])}
    with override("en"):
        response = client.post(reverse("risk_create"), data)
    assert "Choose a value for E." in response.content.decode()
    assert not RiskPoint.objects.filter(name="中北社区燃气管道").exists()


def test_a_department_adding_another_sectors_risk_is_told_so_on_the_form(client, district, login_as, lec, unit):
    login_as(Role.DEPARTMENT_STAFF)
    construction = Sector.objects.get(code="construction")
    data = {**_risk_data(unit(ZHONGBEI), construction), **_assess_data(lec, ["6", "2", "15"])}
    with override("en"):
        response = client.post(reverse("risk_create"), data)
    assert response.status_code == 200
    assert "You may not add or change risks in" in response.content.decode()
    assert not RiskPoint.objects.filter(name="中北社区燃气管道").exists()


def test_reassessing_makes_a_new_current_grade_and_keeps_the_old_one_in_the_history(client, world, login_as, lec):
    user = login_as(Role.STREET_STAFF)
    risk = world["own_street_other_community"]
    response = client.post(reverse("risk_assess", args=[risk.pk]), _assess_data(lec, ["3", "6", "40"], note="复查"))
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.current_assessment.score, risk.current_assessment.level) == (Decimal(720), Level.MAJOR)
    assert risk.current_assessment.assessed_by == user
    history = client.get(reverse("risk_detail", args=[risk.pk])).context["assessments"]
    assert [(a.score, a.level) for a in history] == [(Decimal(720), Level.MAJOR), (Decimal(126), Level.GENERAL)]


def test_an_inherent_assessment_does_not_replace_the_residual_grade(client, world, login_as, lec):
    login_as(Role.STREET_STAFF)
    risk = world["own_street_other_community"]
    client.post(reverse("risk_assess", args=[risk.pk]), _assess_data(lec, ["10", "10", "100"], stage="inherent"))
    risk.refresh_from_db()
    assert risk.current_assessment.level == Level.GENERAL
    assert risk.assessments.count() == 2


def test_a_review_moves_the_next_review_date_and_shows_on_the_page(client, world, login_as):
    login_as(Role.COMMUNITY_STAFF)
    risk = world["own_community_fire"]
    reviewed_on = timezone.localdate() - timezone.timedelta(days=3)
    response = client.post(
        reverse("risk_review", args=[risk.pk]), {"reviewed_on": reviewed_on.isoformat(), "note": "措施落实到位"}
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.last_reviewed_on == reviewed_on
    assert risk.next_review_on == reviewed_on + timezone.timedelta(days=180)  # general: every 180 days
    page = client.get(reverse("risk_detail", args=[risk.pk]))
    assert [r.note for r in page.context["reviews"]] == ["措施落实到位"]
    assert "措施落实到位" in page.content.decode()


def test_a_review_dated_in_the_future_is_refused_on_the_form(client, world, login_as):
    login_as(Role.COMMUNITY_STAFF)
    risk = world["own_community_fire"]
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    with override("en"):
        response = client.post(reverse("risk_review", args=[risk.pk]), {"reviewed_on": tomorrow.isoformat()})
    assert response.status_code == 200
    assert "A review cannot be dated in the future." in response.content.decode()
    assert risk.reviews.count() == 0


def test_editing_a_risk_keeps_the_previous_version_visible_on_its_page(client, world, login_as, unit):
    login_as(Role.STREET_STAFF)
    risk = world["own_street_other_community"]
    data = _risk_data(unit(XIANLIN), risk.sector, name="仙林工地深基坑支护", status="active")
    response = client.post(reverse("risk_edit", args=[risk.pk]), data)
    assert response.status_code == 302
    page = client.get(reverse("risk_detail", args=[risk.pk]))
    changes = [(c.old, c.new) for v in page.context["versions"] for c in v.changes]
    assert ("仙林工地深基坑", "仙林工地深基坑支护") in changes
    assert "仙林工地深基坑" in page.content.decode().replace("仙林工地深基坑支护", "")


def test_street_staff_cannot_move_a_risk_into_another_street(client, world, login_as, unit):
    login_as(Role.STREET_STAFF)
    risk = world["own_street_other_community"]
    response = client.post(
        reverse("risk_edit", args=[risk.pk]), _risk_data(unit(DENGXIN), risk.sector, status="active")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]
    assert RiskPoint.objects.get(pk=risk.pk).unit == unit(XIANLIN)


def test_overdue_filter_and_marker_show_risks_past_their_review_date(client, world, login_as):
    login_as(Role.STREET_STAFF)
    late = world["own_community_fire"]
    RiskPoint.objects.filter(pk=late.pk).update(next_review_on=timezone.localdate() - timezone.timedelta(days=1))
    response = client.get(reverse("risk_list"), {"overdue": "true"})
    assert [r.pk for r in response.context["page"]] == [late.pk]
    assert response.content.decode().count('data-testid="overdue"') == 1


def test_list_filters_by_level_place_and_search(client, world, login_as, lec):
    user = login_as(Role.STREET_STAFF)
    services.risk_assess(
        risk=world["own_street_other_community"],
        by=user,
        method=lec,
        stage="residual",
        inputs={"L": 10, "E": 6, "C": 40},
    )
    url = reverse("risk_list")

    def shown(**params):
        return {r.pk for r in client.get(url, params).context["page"]}

    assert shown(level="major") == {world["own_street_other_community"].pk}
    assert shown(unit=world["own_community_fire"].unit_id) == {world["own_community_fire"].pk}
    assert shown(q="深基坑") == {world["own_street_other_community"].pk}


def test_a_retired_risk_past_its_review_date_is_overdue_nowhere_and_an_active_one_everywhere(client, world, login_as):
    """The filter, the list's marker and the risk's page apply one rule."""
    login_as(Role.STREET_STAFF)
    active, retired = world["own_community_fire"], world["own_street_other_community"]
    past = timezone.localdate() - timezone.timedelta(days=1)
    RiskPoint.objects.filter(pk__in=[active.pk, retired.pk]).update(next_review_on=past)
    RiskPoint.objects.filter(pk=retired.pk).update(status=RiskPoint.Status.RETIRED)
    listed = client.get(reverse("risk_list"), {"overdue": "true"})
    assert [r.pk for r in listed.context["page"]] == [active.pk]
    not_overdue = client.get(reverse("risk_list"), {"overdue": "false"})
    assert retired.pk in [r.pk for r in not_overdue.context["page"]]
    assert 'data-testid="overdue"' not in not_overdue.content.decode()
    marker = 'class="badge text-bg-danger"'
    assert marker in client.get(reverse("risk_detail", args=[active.pk])).content.decode()
    assert marker not in client.get(reverse("risk_detail", args=[retired.pk])).content.decode()


def test_the_review_form_in_chinese_shows_todays_date_and_can_be_sent_as_it_stands(client, world, login_as, settings):
    """A date picker shows its value only when it is ISO: a date in the Chinese format left it
    blank, and the review could not be saved."""
    login_as(Role.COMMUNITY_STAFF)
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]  # the default language: Chinese
    risk = world["own_community_fire"]
    page = client.get(reverse("risk_review", args=[risk.pk]))
    assert "复核日期" in page.content.decode()
    field = next(tag for tag in page.content.decode().split("<input") if 'name="reviewed_on"' in tag)
    today = timezone.localdate().isoformat()
    assert f'value="{today}"' in field and 'type="date"' in field
    response = client.post(reverse("risk_review", args=[risk.pk]), {"reviewed_on": today, "note": ""})
    assert response.status_code == 302
    assert RiskPoint.objects.get(pk=risk.pk).last_reviewed_on == timezone.localdate()
