"""Fixtures shared by every app's tests."""

import pytest

from campaign.plan import load_plan
from districts.models import Membership, OrgUnit, User


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def plan(db):
    """Xiacheng's tree, sectors, lead departments and campaign, as the plan has them."""
    return load_plan()


@pytest.fixture
def unit(plan):
    """unit("330103002") → the OrgUnit with that code."""
    return lambda code: OrgUnit.objects.get(code=code)


@pytest.fixture
def make_user(db):
    """make_user(role, unit) → a user holding that one membership."""
    counter = iter(range(1, 10_000))

    def make(role, unit, username=None, password="pw-for-tests-only"):
        user = User.objects.create_user(username=username or f"{role}-{next(counter)}", password=password)
        Membership.objects.create(user=user, unit=unit, role=role)
        return user

    return make
