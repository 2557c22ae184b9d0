"""The one subtree counter and district_of: counts under every unit of a list equal a fresh
count of each subtree, in one query whatever the number of units."""

import pytest
from django.db.models import Count, Q

from districts.models import OrgUnit, Sector, Site
from districts.scoping import Subtree
from districts.subtree import district_of, totals_under
from districts.tests.factories import SiteFactory, add_grids

WULIN, ZHONGBEI, TIANSHUI = "330103002", "330103002051", "330103003"


@pytest.fixture
def sites(district, unit):
    """Sites in grids, communities and streets, some of each sector."""
    grids = add_grids(unit(ZHONGBEI), 3)
    sectors = list(Sector.objects.order_by("order")[:2])
    places = [*grids, unit(ZHONGBEI), unit(WULIN), unit(TIANSHUI), unit("330103003051")]
    for i, place in enumerate(places * 2):
        SiteFactory(unit=place, sector=sectors[i % 2], is_major_hazard_source=i % 3 == 0)
    return places


def test_totals_under_every_unit_equal_a_fresh_count_of_its_subtree_in_one_query(
    sites, district, django_assert_num_queries
):
    units = list(OrgUnit.objects.order_by("tree_id", "lft"))
    with django_assert_num_queries(1):  # the grouped count of sites by (tree, lft)
        totals = totals_under(Site.objects.all(), units)
    for unit in units:
        fresh = Site.objects.filter(Subtree.of(unit).q("unit__")).count()
        assert totals[unit.pk].get((), 0) == fresh, unit.code
    assert totals[district.pk][()] == Site.objects.count() == 14


def test_totals_are_split_by_the_grouping_columns_and_add_up_any_aggregate(sites, unit):
    wulin = unit(WULIN)
    by_sector = totals_under(Site.objects.all(), [wulin], by=("sector__code",))[wulin.pk]
    inside = Site.objects.filter(Subtree.of(wulin).q("unit__"))
    assert by_sector == {
        (code,): inside.filter(sector__code=code).count() for code in {"construction", "hazardous_chemicals"}
    }
    major = Count("pk", filter=Q(is_major_hazard_source=True))
    majors = totals_under(Site.objects.all(), [wulin], value=major)[wulin.pk]
    assert majors[()] == inside.filter(is_major_hazard_source=True).count()


def test_the_district_of_a_unit_is_found_by_its_loaded_parents_or_one_query(
    sites, district, unit, django_assert_num_queries
):
    grid = OrgUnit.objects.select_related("parent__parent__parent").get(code=f"{ZHONGBEI}-G001")
    with django_assert_num_queries(0):
        assert district_of(grid) == district
    bare = OrgUnit.objects.get(code=f"{ZHONGBEI}-G001")
    with django_assert_num_queries(1):  # the district among the grid's MPTT ancestors
        assert district_of(bare) == district
    assert district_of(unit("330103-CJB")) == district  # the creation office
    assert district_of(district) is district
    city = unit("330100")
    assert district_of(city) is city
