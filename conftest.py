"""Fixtures shared by every app's tests."""

import pytest
from django.db import transaction

from campaign.plan import load_plan
from districts.models import Membership, OrgUnit, User
from districts.policy import forget_policy


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 at Django's work factor costs ~0.2 s a user; tests make hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_security_policy():
    # The policy is cached per process; a test's rolled-back policy must not reach the next test.
    forget_policy()
    yield
    forget_policy()


@pytest.fixture
def plan(db):
    """Xiacheng's tree, sectors, lead departments and campaign, as the plan has them."""
    return load_plan()


@pytest.fixture(scope="module")
def plan_for_module(django_db_setup, django_db_blocker):
    """load_plan() once for a whole test module, rolled back after it.

    For modules of many small tests (the scoping matrix): a test module overrides `plan`
    with it. Each test still runs in its own savepoint, so what one test writes is gone
    before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        campaign = load_plan()
        yield campaign
        transaction.set_rollback(True)


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
