"""A whole city: Hangzhou's 13 districts as it stood in 2020 (load_plan --city). Each district's
office and departments see their own district only; the city's office and leading group see
every district; hazard numbers run per district."""

import csv

import pytest
from django.urls import reverse

from districts.models import OrgUnit, Role, Sector, Site
from districts.second_factor import force_login_verified
from districts.structure import CITY_CSV, load_city, load_district
from districts.tests.factories import SiteFactory
from hazards.models import Hazard, Source
from hazards.services import hazard_report
from risks.models import AccidentType, RiskPoint

pytestmark = pytest.mark.django_db

SHANGCHENG, XIACHENG = "330102", "330103"


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    from districts.tests.fixtures import loaded_for_module

    def load():
        load_district()
        return load_city()

    with loaded_for_module(django_db_blocker, load) as city:
        yield city


def test_the_city_is_hangzhou_in_2020(city):
    with CITY_CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    districts = {r["code"]: r["name"] for r in rows if r["level"] == "district"}
    streets = {r["code"]: (r["name"], r["parent_code"]) for r in rows if r["level"] == "street"}
    assert len(districts) == 13 and len(streets) == 196
    loaded = OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT, parent=city)
    assert {u.code: u.name for u in loaded} == districts
    loaded_streets = OrgUnit.objects.filter(kind=OrgUnit.Kind.STREET).select_related("parent")
    assert {u.code: (u.name, u.parent.code) for u in loaded_streets} == streets
    communities = OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY).select_related("parent")
    assert communities.count() == 3000
    # Every community's code is its street's and three digits; Xiacheng's are the listed ones.
    assert all(c.code[:9] == c.parent.code and len(c.code) == 12 and c.code.isdigit() for c in communities)
    assert communities.filter(parent__parent__code=XIACHENG).count() == 75
    assert OrgUnit.objects.get(code="330103002051").name == "中北社区"
    # A town's are villages (村), numbered from 201 as the statistical codes number them.
    town = OrgUnit.objects.filter(kind=OrgUnit.Kind.STREET, name__endswith="镇").first()
    assert town.children.order_by("code").first().code == f"{town.code}201"
    # Each district has its office, leading group and the seven sector departments.
    for district in loaded:
        kinds = list(district.children.exclude(kind=OrgUnit.Kind.STREET).values_list("kind", flat=True))
        assert sorted(kinds).count(OrgUnit.Kind.DEPARTMENT) == Sector.objects.count()
        assert OrgUnit.Kind.OFFICE in kinds and OrgUnit.Kind.LEADING_GROUP in kinds
    assert OrgUnit.objects.get(code="330102-CJB").name == "上城区创建办"


def test_loading_the_city_again_changes_nothing(city):
    before = list(OrgUnit.objects.order_by("code").values_list("pk", "code", "name", "parent_id"))
    load_city()
    assert list(OrgUnit.objects.order_by("code").values_list("pk", "code", "name", "parent_id")) == before


@pytest.fixture
def two_districts(city, make_user):
    """A hazard, a risk and a site in a community of Shangcheng and of Xiacheng, each logged by
    that street's staff; hazardous chemicals, which each district's emergency bureau leads."""
    chemicals = Sector.objects.get(code="hazardous_chemicals")
    made = {}
    for district in (SHANGCHENG, XIACHENG):
        community = OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY, parent__parent__code=district).first()
        staff = make_user(Role.STREET_STAFF, community.parent)
        hazard = hazard_report(
            by=staff,
            unit=community,
            sector=chemicals,
            title="液化气钢瓶存放不规范",
            description="钢瓶未固定",
            source=Source.INSPECTION,
        )
        site = SiteFactory(name=f"{district}加油站", unit=community, sector=chemicals)
        risk = RiskPoint.objects.create(
            code=f"FX{district}-1",
            name="储罐区",
            unit=community,
            sector=chemicals,
            accident_type=AccidentType.FIRE,
            responsible_unit=community.parent,
            responsible_person="王芳",
        )
        made[district] = {"hazard": hazard, "site": site, "risk": risk}
    return made


def test_hazard_numbers_run_per_district(two_districts):
    shangcheng, xiacheng = two_districts[SHANGCHENG]["hazard"], two_districts[XIACHENG]["hazard"]
    assert shangcheng.number.startswith("YH330102-") and xiacheng.number.startswith("YH330103-")
    assert shangcheng.number.endswith("-000001") and xiacheng.number.endswith("-000001")


CASES = {
    # who (role, unit code) → the districts whose records they see
    "Shangcheng's office": (Role.REVIEWER, "330102-CJB", {SHANGCHENG}),
    "Xiacheng's office": (Role.REVIEWER, "330103-CJB", {XIACHENG}),
    "Shangcheng's leading group": (Role.LEADER, "330102-LDXZ", {SHANGCHENG}),
    "Shangcheng's emergency bureau": (Role.DEPARTMENT_STAFF, "330102-YJJ", {SHANGCHENG}),
    "Xiacheng's emergency bureau": (Role.DEPARTMENT_STAFF, "330103-YJJ", {XIACHENG}),
    "the city's office": (Role.REVIEWER, "330100-CJB", {SHANGCHENG, XIACHENG}),
    "the city's leading group": (Role.LEADER, "330100-LDXZ", {SHANGCHENG, XIACHENG}),
}


@pytest.mark.parametrize("who", CASES)
def test_each_district_sees_its_own_and_the_city_sees_both(two_districts, make_user, who):
    role, code, sees = CASES[who]
    user = make_user(role, OrgUnit.objects.get(code=code))
    for kind, model in (("hazard", Hazard), ("site", Site), ("risk", RiskPoint)):
        visible = set(model.objects.visible_to(user).values_list("pk", flat=True))
        seen = {district for district, made in two_districts.items() if made[kind].pk in visible}
        assert seen == sees, (who, kind)
    units = OrgUnit.objects.visible_to(user)
    assert units.filter(code="330102001").exists() == (SHANGCHENG in sees), who
    assert units.filter(code="330103001").exists() == (XIACHENG in sees), who


@pytest.mark.parametrize("who", ["Shangcheng's office", "the city's office"])
def test_the_pages_answer_as_the_scope_says(client, two_districts, make_user, who):
    role, code, sees = CASES[who]
    force_login_verified(client, make_user(role, OrgUnit.objects.get(code=code)))
    listed = client.get(reverse("hazard_list")).content.decode()
    for district, made in two_districts.items():
        hazard = made["hazard"]
        response = client.get(reverse("hazard_detail", args=[hazard.pk]))
        assert response.status_code == (200 if district in sees else 404), (who, district)
        assert (hazard.number in listed) == (district in sees), (who, district)


@pytest.mark.parametrize("who", ["the city's office", "the city's leading group"])
def test_the_city_s_people_find_their_pages(client, two_districts, make_user, who):
    role, code, _sees = CASES[who]
    force_login_verified(client, make_user(role, OrgUnit.objects.get(code=code)))
    for path in (reverse("hazard_list"), reverse("risk_list"), reverse("site_list"), reverse("unit_tree")):
        assert client.get(path).status_code == 200, path
    dashboards = client.get(reverse("oversight:dashboard"), follow=True)
    assert dashboards.status_code == 200
