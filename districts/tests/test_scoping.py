"""Who sees what: every role against units and sites inside its own unit, in a sibling
street, and across the whole district, through the pages a person opens.

A page for an object outside the user's scope answers 404 (its existence is not revealed);
the edit page of a site the user may see but not change answers 403.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from districts import services
from districts.models import OrgUnit, Role, Sector, Site
from districts.scoping import Scope, Subtree
from districts.second_factor import force_login_verified
from districts.structure import DISTRICT_CODE, division_rows
from districts.tests.factories import SiteFactory, add_grids, add_team

pytestmark = pytest.mark.django_db

WULIN = "330103002"  # 武林街道
ZHONGBEI = "330103002051"  # 中北社区, in Wulin
XIANLIN = "330103002052"  # 仙林社区, in Wulin
TIANSHUI = "330103003"  # 天水街道, Wulin's sibling street
DENGXIN = "330103003051"  # 灯芯巷社区, in Tianshui
FIRE_BRIGADE = "330103-XFJY"  # 区消防救援大队, leads fire safety
OFFICE = "330103-CJB"  # 区创建办
LEADING_GROUP = "330103-LDXZ"
TEAM = "330103-XCZ1"  # an inspection team assigned to Wulin only

# Where each role's one membership sits.
HOME = {
    Role.STREET_STAFF: WULIN,
    Role.COMMUNITY_STAFF: ZHONGBEI,
    Role.DEPARTMENT_STAFF: FIRE_BRIGADE,
    Role.INSPECTOR: TEAM,
    Role.REVIEWER: OFFICE,
    Role.LEADER: LEADING_GROUP,
    Role.SYSTEM_ADMIN: DISTRICT_CODE,
    Role.SECURITY_ADMIN: DISTRICT_CODE,
    Role.AUDIT_ADMIN: DISTRICT_CODE,
}

# The sites every test starts with: name → (unit, sector).
SITES = {
    "own_community_fire": ("杭州中北消防测试店", ZHONGBEI, "fire_safety"),
    "own_street_other_community": ("杭州仙林建设项目部", XIANLIN, "construction"),
    "sibling_street": ("杭州灯芯巷建设项目部", DENGXIN, "construction"),
    "sibling_street_fire": ("杭州灯芯巷消防测试店", DENGXIN, "fire_safety"),
}
SITE_COLUMNS = list(SITES)

# What GET /sites/<pk>/ answers, per role, for each site in SITE_COLUMNS order.
SITE_DETAIL = {
    #                        own comm. fire  own street     sibling street  sibling street fire
    Role.STREET_STAFF:      (200,            200,           404,            404),
    Role.COMMUNITY_STAFF:   (200,            404,           404,            404),
    Role.DEPARTMENT_STAFF:  (200,            404,           404,            200),
    Role.INSPECTOR:         (200,            200,           404,            404),
    Role.REVIEWER:          (200,            200,           200,            200),
    Role.LEADER:            (200,            200,           200,            200),
    Role.SYSTEM_ADMIN:      (200,            200,           200,            200),
    Role.SECURITY_ADMIN:    (404,            404,           404,            404),
    Role.AUDIT_ADMIN:       (404,            404,           404,            404),
}  # fmt: skip
# What GET /sites/<pk>/edit/ answers.
SITE_EDIT = {
    Role.STREET_STAFF:      (200,            200,           404,            404),
    Role.COMMUNITY_STAFF:   (200,            404,           404,            404),
    Role.DEPARTMENT_STAFF:  (200,            404,           404,            200),
    Role.INSPECTOR:         (403,            403,           404,            404),
    Role.REVIEWER:          (403,            403,           403,            403),
    Role.LEADER:            (403,            403,           403,            403),
    Role.SYSTEM_ADMIN:      (200,            200,           200,            200),
    Role.SECURITY_ADMIN:    (404,            404,           404,            404),
    Role.AUDIT_ADMIN:       (404,            404,           404,            404),
}  # fmt: skip

# Units probed: the role's own unit, then fixed ones.
UNIT_COLUMNS = ["own_unit", "wulin_street", "zhongbei_community", "sibling_street", "district"]
UNIT_CODES = {
    "wulin_street": WULIN,
    "zhongbei_community": ZHONGBEI,
    "sibling_street": TIANSHUI,
    "district": DISTRICT_CODE,
}
# What GET /units/<pk>/ answers.
UNIT_DETAIL = {
    #                        own unit  Wulin  Zhongbei  Tianshui  district
    Role.STREET_STAFF:      (200,      200,   200,      404,      404),
    Role.COMMUNITY_STAFF:   (200,      404,   200,      404,      404),
    # A lead department sees the district's units, to place its sector's records.
    Role.DEPARTMENT_STAFF:  (200,      200,   200,      200,      200),
    Role.INSPECTOR:         (200,      200,   200,      404,      404),
    Role.REVIEWER:          (200,      200,   200,      200,      200),
    Role.LEADER:            (200,      200,   200,      200,      200),
    Role.SYSTEM_ADMIN:      (200,      200,   200,      200,      200),
    Role.SECURITY_ADMIN:    (404,      404,   404,      404,      404),
    Role.AUDIT_ADMIN:       (404,      404,   404,      404,      404),
}  # fmt: skip


def _cells(matrix, columns):
    return [
        pytest.param(role, column, status, id=f"{role.value}-{column}-{status}")
        for role, row in matrix.items()
        for column, status in zip(columns, row, strict=True)
    ]


def _rows(matrix, columns):
    return [
        pytest.param(role, {c for c, status in zip(columns, row, strict=True) if status != 404}, id=role.value)
        for role, row in matrix.items()
    ]


@pytest.fixture
def district(district_for_module, db):
    """The plan, loaded once for this module's many tests."""
    return district_for_module


@pytest.fixture
def world(district, unit):
    """The plan, an inspection team assigned to Wulin, and the four sites of SITES."""
    add_team(TEAM, unit(DISTRICT_CODE), [unit(WULIN)])
    sectors = {s.code: s for s in Sector.objects.all()}
    return {
        key: SiteFactory(name=name, unit=unit(code), sector=sectors[sector])
        for key, (name, code, sector) in SITES.items()
    }


@pytest.fixture
def login_as(client, make_user, unit):
    def login(role):
        user = make_user(role, unit(HOME[role]))
        force_login_verified(client, user)
        return user

    return login


# Sites


@pytest.mark.parametrize(("role", "site_key", "status"), _cells(SITE_DETAIL, SITE_COLUMNS))
def test_site_page_opens_only_inside_the_users_scope(client, world, login_as, role, site_key, status):
    login_as(role)
    site = world[site_key]
    response = client.get(reverse("site_detail", args=[site.pk]))
    assert response.status_code == status
    if status == 404:
        assert site.credit_code not in response.content.decode()
    else:
        assert site.credit_code in response.content.decode()


@pytest.mark.parametrize(("role", "site_key", "status"), _cells(SITE_EDIT, SITE_COLUMNS))
def test_site_edit_page_opens_only_for_editors_inside_their_scope(client, world, login_as, role, site_key, status):
    login_as(role)
    site = world[site_key]
    response = client.get(reverse("site_edit", args=[site.pk]))
    assert response.status_code == status
    if status == 200:
        assert response.context["form"].instance == site


@pytest.mark.parametrize(("role", "visible"), _rows(SITE_DETAIL, SITE_COLUMNS))
def test_site_list_shows_exactly_the_sites_in_scope(client, world, login_as, role, visible):
    login_as(role)
    response = client.get(reverse("site_list"))
    assert response.status_code == 200
    html = response.content.decode()
    for key, site in world.items():
        assert (site.name in html) == (key in visible), key
    assert response.context["page"].paginator.count == len(visible)


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_security_and_audit_admins_see_no_campaign_data(client, world, login_as, role):
    login_as(role)
    sites = client.get(reverse("site_list"))
    units = client.get(reverse("unit_tree"))
    assert sites.context["page"].paginator.count == 0
    with override("zh-hans"):
        assert escape(gettext("No site matches.")) in sites.content.decode()
    assert units.context["units"] == []


def test_edit_link_shows_only_to_those_who_may_edit(client, world, login_as):
    site = world["own_community_fire"]
    edit_url = reverse("site_edit", args=[site.pk])
    login_as(Role.STREET_STAFF)
    assert edit_url in client.get(reverse("site_detail", args=[site.pk])).content.decode()
    login_as(Role.LEADER)
    assert edit_url not in client.get(reverse("site_detail", args=[site.pk])).content.decode()


def test_leader_cannot_change_a_site(client, world, login_as):
    login_as(Role.LEADER)
    site = world["own_community_fire"]
    response = client.post(
        reverse("site_edit", args=[site.pk]),
        {"name": "改名", "credit_code": site.credit_code, "unit": site.unit_id, "category": site.category},
    )
    assert response.status_code == 403
    site.refresh_from_db()
    assert site.name == SITES["own_community_fire"][0]
    assert client.get(reverse("site_create")).status_code == 403


def test_street_staff_cannot_change_another_streets_site_by_posting(client, world, login_as):
    login_as(Role.STREET_STAFF)
    site = world["sibling_street"]
    response = client.post(
        reverse("site_edit", args=[site.pk]),
        {"name": "改名", "credit_code": site.credit_code, "unit": site.unit_id, "category": site.category},
    )
    assert response.status_code == 404
    site.refresh_from_db()
    assert site.name == SITES["sibling_street"][0]


def test_street_staff_cannot_move_a_site_into_another_street(client, world, login_as, unit):
    login_as(Role.STREET_STAFF)
    site = world["own_community_fire"]
    response = client.post(
        reverse("site_edit", args=[site.pk]),
        {"name": site.name, "credit_code": site.credit_code, "unit": unit(DENGXIN).pk, "category": site.category},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]
    site.refresh_from_db()
    assert site.unit.code == ZHONGBEI


def test_department_staff_adding_a_site_of_another_sector_sees_why_on_the_form(client, world, login_as, unit):
    login_as(Role.DEPARTMENT_STAFF)
    construction = Sector.objects.get(code="construction")
    response = client.post(
        reverse("site_create"),
        {
            "name": "杭州某建设项目部",
            "credit_code": "91330100799655058B",
            "unit": unit(DENGXIN).pk,
            "sector": construction.pk,
            "category": Site.Category.CONSTRUCTION_SITE,
        },
    )
    assert response.status_code == 200
    with override("zh-hans"):
        reason = gettext("You may not add or change sites in %(unit)s.") % {"unit": unit(DENGXIN).name}
    assert escape(reason) in response.content.decode()
    assert not Site.objects.filter(credit_code="91330100799655058B").exists()


def test_department_staff_can_add_a_site_of_their_sector_anywhere_in_the_district(client, world, login_as, unit):
    login_as(Role.DEPARTMENT_STAFF)
    fire = Sector.objects.get(code="fire_safety")
    response = client.post(
        reverse("site_create"),
        {
            "name": "杭州某消防重点单位",
            "credit_code": "91330100799655058b",
            "unit": unit(DENGXIN).pk,
            "sector": fire.pk,
            "category": Site.Category.CROWDED_PLACE,
        },
    )
    site = Site.objects.get(credit_code="91330100799655058B")
    assert response.status_code == 302
    assert response.url == reverse("site_detail", args=[site.pk])
    assert site.unit.code == DENGXIN


# Org units


@pytest.mark.parametrize(("role", "column", "status"), _cells(UNIT_DETAIL, UNIT_COLUMNS))
def test_unit_page_opens_only_inside_the_users_scope(client, world, login_as, unit, role, column, status):
    login_as(role)
    target = unit(HOME[role] if column == "own_unit" else UNIT_CODES[column])
    response = client.get(reverse("unit_detail", args=[target.pk]))
    assert response.status_code == status
    assert (target.code in response.content.decode()) == (status == 200)


@pytest.mark.parametrize(("role", "visible"), _rows(UNIT_DETAIL, UNIT_COLUMNS))
def test_unit_tree_lists_exactly_the_units_in_scope(client, world, login_as, unit, role, visible):
    login_as(role)
    html = client.get(reverse("unit_tree")).content.decode()
    for column in UNIT_COLUMNS:
        target = unit(HOME[role] if column == "own_unit" else UNIT_CODES[column])
        assert (reverse("unit_detail", args=[target.pk]) in html) == (column in visible), column


def test_inspector_sees_the_streets_assigned_to_the_team_and_nothing_else(client, world, login_as, unit):
    login_as(Role.INSPECTOR)
    units = client.get(reverse("unit_tree")).context["units"]
    wulin_codes = {WULIN} | {r["code"] for r in division_rows() if r["parent_code"] == WULIN}
    assert {u.code for u in units} == wulin_codes | {TEAM}


def test_unit_page_lists_only_the_children_in_scope(client, world, login_as, unit):
    login_as(Role.COMMUNITY_STAFF)
    # 中北社区's page lists its grids; 仙林社区 beside it stays hidden.
    grids = add_grids(unit(ZHONGBEI), 2)
    html = client.get(reverse("unit_detail", args=[unit(ZHONGBEI).pk])).content.decode()
    assert all(g.name in html for g in grids)
    assert unit(XIANLIN).name not in html


# Subtree lookups


def _wulin_codes_from_csv() -> set[str]:
    return {WULIN} | {r["code"] for r in division_rows() if r["parent_code"] == WULIN}


def test_street_staff_see_exactly_their_street_its_communities_and_grids(district, unit, make_user):
    grids = add_grids(unit(ZHONGBEI), 3)
    user = make_user(Role.STREET_STAFF, unit(WULIN))
    codes = set(OrgUnit.objects.visible_to(user).values_list("code", flat=True))
    expected = _wulin_codes_from_csv() | {g.code for g in grids}
    assert len(_wulin_codes_from_csv()) == 8  # the street and its seven communities, as in the CSV
    assert codes == expected


def test_moving_a_community_moves_its_sites_into_the_other_streets_scope(client, world, unit, make_user):
    wulin_staff = make_user(Role.STREET_STAFF, unit(WULIN))
    tianshui_staff = make_user(Role.STREET_STAFF, unit(TIANSHUI))
    grid = add_grids(unit(ZHONGBEI), 1)[0]
    grid_site = SiteFactory(name="杭州中北网格测试店", unit=grid)

    community = unit(ZHONGBEI)
    community.parent = unit(TIANSHUI)
    community.save()

    tianshui = unit(TIANSHUI)
    grid.refresh_from_db()
    assert tianshui.lft < grid.lft < grid.rght < tianshui.rght
    # The tree after the move is the one a full rebuild would give.
    layout = list(OrgUnit.objects.order_by("pk").values_list("pk", "tree_id", "lft", "rght", "level"))
    OrgUnit.objects.rebuild()
    assert list(OrgUnit.objects.order_by("pk").values_list("pk", "tree_id", "lft", "rght", "level")) == layout
    tianshui_communities = sum(r["parent_code"] == TIANSHUI for r in division_rows())
    assert unit(WULIN).get_descendant_count() == len(_wulin_codes_from_csv()) - 2  # the street and 中北 gone
    assert tianshui.get_descendant_count() == tianshui_communities + 2  # plus 中北 and its grid
    for site in (world["own_community_fire"], grid_site):
        force_login_verified(client, tianshui_staff)
        assert client.get(reverse("site_detail", args=[site.pk])).status_code == 200
        force_login_verified(client, wulin_staff)
        assert client.get(reverse("site_detail", args=[site.pk])).status_code == 404


def test_everything_under_a_street_is_one_query(district, unit, django_assert_num_queries):
    """The units themselves are one range query; rows at a unit cost one query more, once per
    scope (a request's): the ids of the street's units, which each later read reuses."""
    add_grids(unit(ZHONGBEI), 3)
    SiteFactory(unit=unit(ZHONGBEI))
    scope = Scope(subtrees=frozenset({Subtree.of(unit(WULIN))}))
    with django_assert_num_queries(1):
        units = list(OrgUnit.objects.in_scope(scope))
    assert len(units) == 8 + 3
    with django_assert_num_queries(2):
        sites = list(Site.objects.in_scope(scope).select_related("unit"))
    assert [s.unit.code for s in sites] == [ZHONGBEI]
    with django_assert_num_queries(1):
        assert list(Site.objects.in_scope(scope)) == sites
    with django_assert_num_queries(1):
        assert list(Site.objects.in_scope(scope.units_only())) == sites


# Services


def test_street_staff_cannot_create_a_site_in_another_street(world, unit, make_user):
    user = make_user(Role.STREET_STAFF, unit(WULIN))
    sites_before, history_before = Site.objects.count(), Site.history.count()
    with pytest.raises(PermissionDenied):
        services.site_create(by=user, name="越界场所", credit_code="91330100799655058B", unit=unit(DENGXIN))
    assert (Site.objects.count(), Site.history.count()) == (sites_before, history_before)


def test_street_staff_cannot_move_their_site_into_another_street(world, unit, make_user):
    user = make_user(Role.STREET_STAFF, unit(WULIN))
    site = world["own_community_fire"]
    with pytest.raises(PermissionDenied):
        services.site_update(site=site, by=user, unit=unit(DENGXIN))
    site.refresh_from_db()
    assert site.unit.code == ZHONGBEI


def test_site_update_records_who_changed_what(world, unit, make_user):
    user = make_user(Role.STREET_STAFF, unit(WULIN))
    site = world["own_community_fire"]
    services.site_update(site=site, by=user, name="杭州中北消防测试店（更名）")
    latest = site.history.latest()
    assert latest.history_type == "~"
    assert latest.history_user == user
    assert latest.name == "杭州中北消防测试店（更名）"
    assert site.history.count() == 2


def test_site_page_shows_who_changed_it(client, world, unit, make_user):
    user = make_user(Role.STREET_STAFF, unit(WULIN))
    user.full_name = "武林街道 王芳"
    user.save()
    site = world["own_community_fire"]
    services.site_update(site=site, by=user, address="杭州市下城区中北路1号")
    force_login_verified(client, user)
    history = client.get(reverse("site_detail", args=[site.pk])).content.decode()
    assert "武林街道 王芳" in history
