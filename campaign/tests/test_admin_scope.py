"""The back office once there are two districts: an administrator of one district sees only
that district's rows, in every list, on every change page and in every autocomplete; an
administrator of the city sees both."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from campaign.lib.admin import ScopedListMixin
from campaign.models import Campaign
from campaign.plan import CITY, DISTRICT_CODE
from districts.models import Membership, OrgUnit, Role, Sector, User
from districts.second_factor import force_login_verified
from districts.tests.factories import SiteFactory, credit_code_for
from risks.models import AccidentType, RiskPoint

pytestmark = pytest.mark.django_db

WULIN = "330103002"
PLATFORM_APPS = {"districts", "risks", "hazards", "campaign", "reporting", "notifications", "audit", "admin"}


@pytest.fixture
def two_districts(plan, unit, make_user):
    """Xiacheng (the plan's) and Gongshu beside it, each with a street, a site, a risk, a
    campaign and a street staff member."""
    gongshu = OrgUnit.objects.create(code="330105", name="拱墅区", kind=OrgUnit.Kind.DISTRICT, parent=unit(CITY[0]))
    street = OrgUnit.objects.create(code="330105001", name="米市巷街道", kind=OrgUnit.Kind.STREET, parent=gongshu)
    fire = Sector.objects.get(code="fire_safety")
    rows = {}
    for key, place in (("xiacheng", unit(WULIN)), ("gongshu", street)):
        n = 1 if key == "xiacheng" else 2
        site = SiteFactory(name=f"{place.name}的场所", unit=place, credit_code=credit_code_for(n, place.code[:6]))
        risk = RiskPoint.objects.create(
            name=f"{place.name}的风险点",
            unit=place,
            sector=fire,
            accident_type=AccidentType.FIRE,
            responsible_unit=place,
            responsible_person="张三",
        )
        person = make_user(Role.STREET_STAFF, place, f"staff-{key}")
        rows[key] = {"orgunit": place, "site": site, "riskpoint": risk, "user": person}
        rows[key]["membership"] = Membership.objects.get(user=person)
    rows["gongshu"]["campaign"] = Campaign.objects.create(
        name="拱墅区创建",
        district=gongshu,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        baseline_year=2025,
    )
    rows["xiacheng"]["campaign"] = Campaign.objects.get(district__code=DISTRICT_CODE)
    return rows


def _admin(make_user, unit, role, code, username):
    user = make_user(role, unit(code), username)
    User.objects.filter(pk=user.pk).update(is_staff=True)
    return User.objects.get(pk=user.pk)


def _listed(client, model_name, app="districts"):
    response = client.get(reverse(f"admin:{app}_{model_name}_changelist"))
    assert response.status_code == 200
    return set(response.context["cl"].queryset.values_list("pk", flat=True))


APP_OF = {"riskpoint": "risks", "campaign": "campaign"}
KINDS = ["orgunit", "site", "riskpoint", "user", "membership", "campaign"]


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN])
def test_a_district_administrator_sees_only_their_districts_rows(client, two_districts, make_user, unit, role):
    force_login_verified(client, _admin(make_user, unit, role, DISTRICT_CODE, "district-admin"))
    for kind in KINDS:
        listed = _listed(client, kind, APP_OF.get(kind, "districts"))
        assert two_districts["xiacheng"][kind].pk in listed, kind
        assert two_districts["gongshu"][kind].pk not in listed, kind
        other = two_districts["gongshu"][kind]
        page = client.get(reverse(f"admin:{APP_OF.get(kind, 'districts')}_{kind}_change", args=[other.pk]))
        assert page.status_code == 302, kind  # "does not exist", back to the index


def test_a_district_administrator_cannot_pick_another_districts_unit(client, two_districts, make_user, unit):
    force_login_verified(client, _admin(make_user, unit, Role.SYSTEM_ADMIN, DISTRICT_CODE, "district-admin"))
    found = client.get(
        reverse("admin:autocomplete"),
        {"term": "街道", "app_label": "districts", "model_name": "site", "field_name": "unit"},
    ).json()["results"]
    names = {r["text"] for r in found}
    assert two_districts["xiacheng"]["orgunit"].name in names
    assert two_districts["gongshu"]["orgunit"].name not in names


def test_the_city_administrator_sees_both_districts(client, two_districts, make_user, unit):
    force_login_verified(client, _admin(make_user, unit, Role.SYSTEM_ADMIN, CITY[0], "city-admin"))
    for kind in KINDS:
        listed = _listed(client, kind, APP_OF.get(kind, "districts"))
        assert {two_districts["xiacheng"][kind].pk, two_districts["gongshu"][kind].pk} <= listed, kind


def test_an_account_with_no_role_yet_is_seen_by_every_district_administrator(client, two_districts, make_user, unit):
    newcomer = User.objects.create_user(username="newcomer")
    force_login_verified(client, _admin(make_user, unit, Role.SYSTEM_ADMIN, DISTRICT_CODE, "district-admin"))
    assert newcomer.pk in _listed(client, "user")


def test_every_platform_admin_says_how_its_rows_are_scoped():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PLATFORM_APPS:
            continue
        assert isinstance(model_admin, ScopedListMixin), model
        assert hasattr(model_admin, "unit_path"), model
        if model_admin.unit_path is not None:
            # The path leads to an org unit.
            field_model = model
            for part in filter(None, model_admin.unit_path.split("__")):
                field_model = field_model._meta.get_field(part).related_model
            assert field_model is OrgUnit, model
