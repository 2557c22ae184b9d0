"""List pages cost the same number of queries for 10 rows as for 100: each selector owns its
joins, and a page that grows a query per row fails here. Each pinned count names its queries."""

import re

import pytest
from django.urls import reverse

from districts.models import Role, Sector
from districts.tests.factories import SiteFactory, add_grids

pytestmark = pytest.mark.django_db

WULIN = "330103002"
ZHONGBEI = "330103002051"

SITE_LINK = re.compile(r'href="/sites/\d+/"')

# Every signed-in page starts and ends the same way.
REQUEST_START = 2  # the session; the user
REQUEST_END = 0  # no session write: a session is written when it changes, its last request time once a minute


@pytest.fixture
def wulin_sites(district, unit):
    """make(n): n sites across Wulin: on the street, in its communities and in grids, of every sector."""

    def make(n):
        grids = add_grids(unit(ZHONGBEI), 3)
        places = [unit(WULIN), unit(ZHONGBEI), unit("330103002052"), *grids]
        sectors = list(Sector.objects.all())
        return [SiteFactory(unit=places[i % len(places)], sector=sectors[i % len(sectors)]) for i in range(n)]

    return make


@pytest.mark.parametrize("n", [10, 100])
def test_street_staff_site_list_costs_the_same_queries_for_10_and_100_sites(
    client, unit, make_user, wulin_sites, django_assert_num_queries, n
):
    wulin_sites(n)
    client.force_login(make_user(Role.STREET_STAFF, unit(WULIN)))
    for page in (1, 2):
        if page == 2 and n <= 50:
            continue
        with django_assert_num_queries(
            REQUEST_START
            + 1  # the user's memberships → the scope, "Add a site" and the menu
            + 1  # the ids of the units in that scope, once per request (a row's unit is one of them)
            + 1  # COUNT of the sites in scope, for the paginator
            + 1  # the units offered in the unit filter
            + 1  # the sectors offered in the sector filter
            + 1  # the page of sites, joined to unit, its parent and grandparent, and sector
            + REQUEST_END
        ):
            response = client.get(reverse("site_list"), {"page": page})
        rows = SITE_LINK.findall(response.content.decode())
        assert len(rows) == min(50, n - 50 * (page - 1))
        assert response.context["page"].paginator.count == n


@pytest.mark.parametrize("n", [10, 100])
def test_department_staff_site_list_costs_the_same_queries_for_10_and_100_sites(
    client, unit, make_user, wulin_sites, django_assert_num_queries, n
):
    wulin_sites(n)
    client.force_login(make_user(Role.DEPARTMENT_STAFF, unit("330103-XFJY")))
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the user's memberships → the scope, "Add a site" and the menu
        + 1  # the ids of the units in that scope, once per request (a row's unit is one of them)
        + 1  # the sectors their department leads → its district-wide part of the scope
        + 1  # COUNT of the sites in scope, for the paginator
        + 1  # the units offered in the unit filter
        + 1  # the sectors offered in the sector filter
        + 1  # the page of sites, joined to unit, its parent and grandparent, and sector
        + REQUEST_END
    ):
        response = client.get(reverse("site_list"))
    fire_sites = response.context["page"].paginator.count
    assert fire_sites == len([i for i in range(n) if i % 7 == 2])  # fire safety is the third of seven sectors
    assert len(response.context["page"].object_list) == min(50, fire_sites)


@pytest.mark.parametrize("n", [10, 100])
def test_unit_tree_costs_the_same_queries_for_10_and_100_grids(
    client, district, unit, make_user, django_assert_num_queries, n
):
    grids = add_grids(unit(ZHONGBEI), n)
    for grid in grids:
        SiteFactory(unit=grid)
    client.force_login(make_user(Role.STREET_STAFF, unit(WULIN)))
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the user's memberships → the scope and the menu
        + 1  # the ids of the units in that scope, once per request (a row's unit is one of them)
        + 1  # the units in scope down to communities, in tree order
        + 1  # the visible sites counted per unit, summed up the tree
        + REQUEST_END
    ):
        response = client.get(reverse("unit_tree"))
    units = {u.code: u for u in response.context["units"]}
    assert len(units) == 8  # Wulin and its seven communities; grids are on their community's page
    # Sites in grids count for the community and the street above them.
    assert units[ZHONGBEI].site_total == n
    assert units[WULIN].site_total == n


@pytest.mark.parametrize("n", [10, 100])
def test_unit_page_costs_the_same_queries_for_10_and_100_children(
    client, district, unit, make_user, django_assert_num_queries, n
):
    grids = add_grids(unit(ZHONGBEI), n)
    url = reverse("unit_detail", args=[unit(ZHONGBEI).pk])
    client.force_login(make_user(Role.STREET_STAFF, unit(WULIN)))
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the user's memberships → the scope and the menu
        + 1  # the ids of the units in that scope, once per request (a row's unit is one of them)
        + 1  # the unit, with its parent
        + 1  # the children in scope
        + 1  # the visible sites counted per unit, for the children's totals
        + REQUEST_END
    ):
        response = client.get(url)
    assert all(g.name in response.content.decode() for g in grids)
