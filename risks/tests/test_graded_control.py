"""Graded control (分级管控) as a user meets it: each risk's control level and controlling unit
on the list and the page, a risk owned below its control level refused (or, where the system
administrator chose so, saved and flagged), and the district's register of major and
significant risks, on screen and as a spreadsheet."""

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from campaign.plan import DISTRICT_CODE
from districts.models import OrgUnit, Role, Sector
from districts.second_factor import force_login_verified
from risks import services
from risks.models import AccidentType, AssessmentMethod, ControlPolicy, RiskPoint
from risks.tests.test_import import HEADERS, import_risks, row, xlsx

pytestmark = pytest.mark.django_db

WULIN = "330103002"  # 武林街道
ZHONGBEI = "330103002051"  # 中北社区, in Wulin
OFFICE = "330103-CJB"

# LEC inputs and the level they give: 10×6×7 = 420 重大, 6×6×7 = 252 较大, 6×3×7 = 126 一般, 1×3×7 = 21 低.
MAJOR = {"L": 10, "E": 6, "C": 7}
SIGNIFICANT = {"L": 6, "E": 6, "C": 7}
GENERAL = {"L": 6, "E": 3, "C": 7}
LOW = {"L": 1, "E": 3, "C": 7}

REFUSAL = "重大（红）风险应由区级管控"


@pytest.fixture
def lec(plan):
    return AssessmentMethod.objects.get(code="lec")


@pytest.fixture
def fire(plan):
    return Sector.objects.get(code="fire_safety")


@pytest.fixture
def sysadmin(plan, unit, make_user):
    return make_user(Role.SYSTEM_ADMIN, unit(DISTRICT_CODE))


@pytest.fixture
def street_staff(plan, unit, make_user):
    return make_user(Role.STREET_STAFF, unit(WULIN))


@pytest.fixture
def add(sysadmin, unit, lec, fire):
    """add(name, inputs, owner=…, place=…) → a risk added by the system admin, graded with LEC."""

    def make(name, inputs, *, owner=ZHONGBEI, place=ZHONGBEI, by=None):
        return services.risk_create(
            by=by or sysadmin,
            name=name,
            unit=unit(place),
            sector=fire,
            accident_type=AccidentType.FIRE,
            responsible_unit=unit(owner),
            responsible_person="张三",
            assessments=[{"method": lec, "stage": "residual", "inputs": inputs}],
        )

    return make


def warn_only(sysadmin):
    services.control_policy_update(by=sysadmin, on_mismatch=ControlPolicy.OnMismatch.WARN)


def _form_data(unit, sector, lec, inputs, *, owner):
    from risks.forms import factors_of

    data = {
        "name": "中北菜场液化气钢瓶",
        "unit": unit.pk,
        "site": "",
        "sector": sector.pk,
        "accident_type": AccidentType.FIRE,
        "responsible_unit": owner.pk,
        "responsible_person": "李四",
        "assess-method": lec.pk,
        "assess-stage": "residual",
    }
    for field, factor in factors_of(lec):
        data[f"assess-{field}"] = inputs[factor]
    return data


# ---------------------------------------------------------------- refused


def test_a_major_risk_owned_by_a_community_is_refused_on_the_add_page_in_chinese(client, street_staff, unit, fire, lec):
    force_login_verified(client, street_staff)
    before = (RiskPoint.objects.count(), RiskPoint.history.count())

    response = client.post(reverse("risk_create"), _form_data(unit(ZHONGBEI), fire, lec, MAJOR, owner=unit(ZHONGBEI)))

    assert response.status_code == 200
    page = response.content.decode()
    assert REFUSAL in page and "中北社区" in page and "社区（场所）级" in page
    assert (RiskPoint.objects.count(), RiskPoint.history.count()) == before


def test_the_same_risk_owned_by_a_street_is_saved_when_only_significant(client, street_staff, unit, fire, lec):
    force_login_verified(client, street_staff)

    response = client.post(
        reverse("risk_create"), _form_data(unit(ZHONGBEI), fire, lec, SIGNIFICANT, owner=unit(WULIN))
    )

    risk = RiskPoint.objects.get()
    assert response.status_code == 302 and risk.level == "significant"


def test_community_staff_hand_a_significant_risk_they_found_to_their_street(client, unit, fire, lec, make_user):
    force_login_verified(client, make_user(Role.COMMUNITY_STAFF, unit(ZHONGBEI)))
    offered = client.get(reverse("risk_create")).context["form"].fields["responsible_unit"].queryset
    assert {u.code for u in offered} >= {ZHONGBEI, WULIN, DISTRICT_CODE}
    assert "330103003" not in {u.code for u in offered}  # not a sibling street

    response = client.post(
        reverse("risk_create"), _form_data(unit(ZHONGBEI), fire, lec, SIGNIFICANT, owner=unit(WULIN))
    )

    assert response.status_code == 302
    assert RiskPoint.objects.get().responsible_unit.code == WULIN


def test_a_street_owning_a_major_risk_is_refused_and_the_district_is_not(add):
    with pytest.raises(ValidationError) as refused:
        add("武林广场地下商场", MAJOR, owner=WULIN, place=WULIN)
    assert "responsible_unit" in refused.value.message_dict

    risk = add("武林广场地下商场", MAJOR, owner=DISTRICT_CODE, place=WULIN)
    assert risk.level == "major" and not RiskPoint.objects.with_control().get(pk=risk.pk).below_control_level


def test_re_assessing_a_community_risk_up_to_major_is_refused_and_keeps_its_grade(add, sysadmin, lec):
    risk = add("中北菜场电气线路", GENERAL)

    with pytest.raises(ValidationError, match="区级"):
        services.risk_assess(risk=risk, by=sysadmin, method=lec, stage="residual", inputs=MAJOR)

    risk.refresh_from_db()
    assert risk.level == "general" and risk.assessments.count() == 1


def test_handing_a_major_risk_down_to_a_community_is_refused(add, sysadmin, unit):
    risk = add("中北菜场液化气", MAJOR, owner=DISTRICT_CODE)

    with pytest.raises(ValidationError):
        services.risk_update(risk=risk, by=sysadmin, responsible_unit=unit(ZHONGBEI))

    risk.refresh_from_db()
    assert risk.responsible_unit.code == DISTRICT_CODE


def test_an_import_row_owned_below_its_control_level_is_refused_with_its_row_number(street_staff):
    # Row 2: 3×6×40 = 720, major, owned by 中北社区; row 3 is fine (3×6×7 = 126, general).
    content = xlsx(HEADERS, [row("后厨液化气钢瓶间", C=40), row("配电房")])
    before = RiskPoint.objects.count()

    report = import_risks(street_staff, content)

    assert not report.committed
    assert [(e.row, e.column) for e in report.errors] == [(2, "责任单位")]
    assert "区级" in report.errors[0].message
    assert RiskPoint.objects.count() == before


# ---------------------------------------------------------------- warned


def test_where_the_policy_only_warns_the_risk_is_saved_and_flagged_on_list_page_and_register(
    client, sysadmin, street_staff, unit, fire, lec
):
    warn_only(sysadmin)
    force_login_verified(client, street_staff)

    response = client.post(
        reverse("risk_create"), _form_data(unit(ZHONGBEI), fire, lec, MAJOR, owner=unit(ZHONGBEI)), follow=True
    )

    risk = RiskPoint.objects.get()
    assert risk.level == "major"
    page = response.content.decode()
    assert REFUSAL in page  # the warning message after saving
    assert 'data-testid="control-mismatch"' in page
    for name in ("risk_list", "risk_control_register"):
        assert 'data-testid="control-mismatch"' in client.get(reverse(name)).content.decode()


def test_where_the_policy_only_warns_an_import_row_owned_below_its_level_is_written(sysadmin, street_staff):
    warn_only(sysadmin)

    report = import_risks(street_staff, xlsx(HEADERS, [row("后厨液化气钢瓶间", C=40)]))

    assert report.committed, report.errors
    risk = RiskPoint.objects.with_control().get()
    assert risk.level == "major" and risk.below_control_level


def test_a_risk_owned_at_its_control_level_has_no_flag(client, add, sysadmin):
    warn_only(sysadmin)
    add("中北菜场电气线路", GENERAL)
    force_login_verified(client, sysadmin)

    assert 'data-testid="control-mismatch"' not in client.get(reverse("risk_list")).content.decode()


def test_only_the_system_admin_sets_the_policy_and_each_change_is_in_its_history(sysadmin, street_staff):
    with pytest.raises(PermissionDenied):
        services.control_policy_update(by=street_staff, on_mismatch=ControlPolicy.OnMismatch.WARN)
    assert services.control_policy().on_mismatch == ControlPolicy.OnMismatch.REFUSE

    warn_only(sysadmin)
    services.control_policy_update(by=sysadmin, on_mismatch=ControlPolicy.OnMismatch.REFUSE)

    assert [(h.on_mismatch, h.history_user) for h in ControlPolicy.history.order_by("history_id")] == [
        ("warn", sysadmin),
        ("refuse", sysadmin),
    ]


def test_the_system_admin_sets_the_policy_in_the_back_office(client, sysadmin):
    force_login_verified(client, sysadmin)
    assert client.get(reverse("admin:risks_controlpolicy_changelist")).status_code == 302

    response = client.post(reverse("admin:risks_controlpolicy_add"), {"on_mismatch": "warn"})

    assert response.status_code == 302
    assert ControlPolicy.objects.get().on_mismatch == "warn"
    assert ControlPolicy.history.get().history_user == sysadmin


# ---------------------------------------------------------------- shown and filtered


def test_the_list_and_page_show_control_level_and_controlling_unit_and_filter_by_it(client, add, sysadmin):
    major = add("中北菜场液化气", MAJOR, owner=DISTRICT_CODE)
    general = add("中北菜场电气线路", GENERAL)
    force_login_verified(client, sysadmin)

    listing = client.get(reverse("risk_list")).content.decode()
    assert "区级" in listing and "社区（场所）级" in listing

    only_district = client.get(reverse("risk_list"), {"control_level": "district"}).content.decode()
    assert major.name in only_district and general.name not in only_district
    only_community = client.get(reverse("risk_list"), {"control_level": "community_or_site"}).content.decode()
    assert general.name in only_community and major.name not in only_community

    page = client.get(reverse("risk_detail", args=[major.pk])).content.decode()
    level_cell = page.split('data-testid="control-level">')[1].split("<")[0]
    unit_cell = page.split('data-testid="controlling-unit">')[1].split("<")[0]
    assert level_cell == "区级" and "下城区" in unit_cell


def test_the_list_fits_a_phone_its_table_stacks_and_filters_fold(client, add, sysadmin):
    add("中北菜场液化气", MAJOR, owner=DISTRICT_CODE)
    force_login_verified(client, sysadmin)

    page = client.get(reverse("risk_list")).content.decode()

    assert "table-stack" in page and 'data-label="管控层级"' in page and 'id="more-filters"' in page


# ---------------------------------------------------------------- the register


@pytest.fixture
def other_district(plan):
    """A second district of the city, with a street and a community."""
    city = OrgUnit.objects.get(code=DISTRICT_CODE).parent
    district = OrgUnit.objects.create(code="330105", name="拱墅区", kind=OrgUnit.Kind.DISTRICT, parent=city)
    street = OrgUnit.objects.create(code="330105001", name="米市巷街道", kind=OrgUnit.Kind.STREET, parent=district)
    return district, street


def test_the_register_holds_only_major_and_significant_risks_of_the_reviewers_district(
    client, add, unit, make_user, other_district
):
    district, street = other_district
    major = add("中北菜场液化气", MAJOR, owner=DISTRICT_CODE)
    significant = add("武林商场中庭", SIGNIFICANT, owner=WULIN, place=WULIN)
    general = add("中北菜场电气线路", GENERAL)
    low = add("中北社区健身器材", LOW)
    retired = add("中北老仓库", SIGNIFICANT, owner=WULIN)
    retired.status = RiskPoint.Status.RETIRED
    retired.save()
    city_admin = make_user(Role.SYSTEM_ADMIN, district.parent)
    elsewhere = add("米市巷加油站", MAJOR, owner=district.code, place=street.code, by=city_admin)
    reviewer = make_user(Role.REVIEWER, unit(OFFICE))
    force_login_verified(client, reviewer)

    page = client.get(reverse("risk_control_register")).content.decode()

    assert major.name in page and significant.name in page
    for absent in (general, low, retired, elsewhere):
        assert absent.name not in page
    # Major first.
    assert page.index(major.name) < page.index(significant.name)


def test_the_register_exports_as_a_workbook_that_reads_back(client, add, unit, make_user, other_district):
    district, street = other_district
    add("中北菜场液化气", MAJOR, owner=DISTRICT_CODE)
    add("武林商场中庭", SIGNIFICANT, owner=WULIN, place=WULIN)
    add("中北菜场电气线路", GENERAL)
    city_admin = make_user(Role.SYSTEM_ADMIN, district.parent)
    add("米市巷加油站", MAJOR, owner=district.code, place=street.code, by=city_admin)
    force_login_verified(client, make_user(Role.REVIEWER, unit(OFFICE)))

    response = client.get(reverse("risk_control_register_export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content if response.streaming else [response.content])))
    rows = list(sheet.worksheets[0].iter_rows(values_only=True))
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [(r["风险点名称"], r["风险等级"], r["管控层级"], r["管控单位"], r["所在街道"]) for r in records] == [
        ("中北菜场液化气", "重大", "区级", "下城区", "武林街道"),
        ("武林商场中庭", "较大", "街道（部门）级", "武林街道", "武林街道"),
    ]
    assert records[0]["所在社区/网格"] == "中北社区"


def test_the_register_of_a_street_holds_only_its_street(client, add, unit, make_user):
    add("武林商场中庭", SIGNIFICANT, owner=WULIN, place=WULIN)
    add("天水桥菜场", SIGNIFICANT, owner="330103003", place="330103003")
    force_login_verified(client, make_user(Role.STREET_STAFF, unit(WULIN)))

    page = client.get(reverse("risk_control_register")).content.decode()
    workbook = load_workbook(BytesIO(client.get(reverse("risk_control_register_export")).content))

    assert "武林商场中庭" in page and "天水桥菜场" not in page
    names = [r[2] for r in list(workbook.worksheets[0].iter_rows(values_only=True))[1:]]
    assert names == ["武林商场中庭"]
