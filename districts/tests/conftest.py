"""The district fixture (districts.tests.fixtures), and fixtures for the spreadsheet import
tests (test_import_*.py)."""

import pytest

from districts.models import OrgUnit, Role
from districts.tests import fixtures

# The district fixture, for these apps' tests (the root `plan` is the campaign's).
district = fixtures.district
district_for_module = fixtures.district_for_module
unit = fixtures.unit


@pytest.fixture
def city(db):
    return OrgUnit.objects.create(code="330100", name="杭州市", kind=OrgUnit.Kind.CITY)


@pytest.fixture
def city_admin(city, make_user):
    return make_user(Role.SYSTEM_ADMIN, city)


@pytest.fixture
def district_admin(district, unit, make_user):
    return make_user(Role.SYSTEM_ADMIN, unit("330103"))


@pytest.fixture
def wulin_staff(district, unit, make_user):
    return make_user(Role.STREET_STAFF, unit("330103002"))
