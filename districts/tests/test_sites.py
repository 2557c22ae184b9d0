"""Sites and memberships as people enter and read them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext, override

from districts import services
from districts.models import Membership, Role, Site
from districts.tests.factories import SiteFactory, add_grids

pytestmark = pytest.mark.django_db

WULIN, ZHONGBEI = "330103002", "330103002051"


def test_site_list_names_the_street_of_every_site(client, district, unit, make_user):
    grid = add_grids(unit(ZHONGBEI), 1)[0]
    for place in (unit(WULIN), unit(ZHONGBEI), grid):
        SiteFactory(name=f"{place.name}的场所", unit=place)
    client.force_login(make_user(Role.STREET_STAFF, unit(WULIN)))
    html = client.get(reverse("site_list")).content.decode()
    with override("zh-hans"):
        label = gettext("Street")
    assert html.count(f'data-label="{label}">武林街道</td>') == 3
    assert f'data-label="{label}">中北社区</td>' not in html


def test_a_site_cannot_sit_on_the_district_as_a_whole(district, unit, make_user):
    admin = make_user(Role.SYSTEM_ADMIN, unit("330103"))
    with pytest.raises(ValidationError) as info:
        services.site_create(by=admin, name="区级场所", credit_code="91330100799655058B", unit=unit("330103"))
    assert "unit" in info.value.error_dict
    assert not Site.objects.exists()


def test_a_site_cannot_sit_in_a_department(district, unit):
    site = Site(name="部门场所", credit_code="91330100799655058B", unit=unit("330103-YJJ"))
    with pytest.raises(ValidationError) as info:
        site.full_clean()
    assert "unit" in info.value.error_dict


def test_a_membership_with_an_unknown_role_is_refused_as_invalid(district, unit, make_user):
    user = make_user(Role.STREET_STAFF, unit(WULIN))
    with pytest.raises(ValidationError) as info:
        services.membership_create(user=user, unit=unit(WULIN), role="mayor")
    assert "role" in info.value.error_dict
    assert Membership.objects.filter(user=user).count() == 1


def test_a_membership_in_a_unit_of_the_wrong_kind_is_refused(district, unit, make_user):
    user = make_user(Role.STREET_STAFF, unit(WULIN))
    with pytest.raises(ValidationError) as info:
        services.membership_create(user=user, unit=unit(ZHONGBEI), role=Role.STREET_STAFF)
    assert "unit" in info.value.error_dict


def test_a_site_written_with_a_field_the_service_does_not_set_is_refused(district, unit, make_user):
    admin = make_user(Role.SYSTEM_ADMIN, unit("330103"))
    fields = {"name": "菜场", "credit_code": "91330100799655058B", "unit": unit(WULIN)}
    with pytest.raises(TypeError, match="created_at"):
        services.site_create(by=admin, created_at=None, **fields)
    assert not Site.objects.exists()
    site = services.site_create(by=admin, **fields)
    with pytest.raises(TypeError, match="nmae"):
        services.site_update(site=site, by=admin, nmae="错字")
    assert Site.objects.get().name == "菜场"
