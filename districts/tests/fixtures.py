"""The district fixture for the apps below the campaign (districts, risks, hazards): Xiacheng's
structure as the plan has it (districts.structure), without the campaign. Imported by their
conftest files; the root `plan` fixture (the campaign too) is for campaign and above."""

from contextlib import contextmanager

import pytest
from django.db import transaction

from districts.models import OrgUnit
from districts.structure import load_district


@pytest.fixture
def district(db) -> OrgUnit:
    """Xiacheng: its streets and communities, office, leading group, sectors and lead departments."""
    return load_district()


@contextmanager
def loaded_for_module(django_db_blocker, load):
    """What `load()` writes, for a whole test module, rolled back after it. Each test still
    runs in its own savepoint, so what one test writes is gone before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def district_for_module(django_db_setup, django_db_blocker):
    """load_district() once for a whole test module: a module of many small tests overrides
    `district` with it."""
    with loaded_for_module(django_db_blocker, load_district) as district:
        yield district


@pytest.fixture
def unit(district):
    """unit("330103002") → the OrgUnit with that code."""
    return lambda code: OrgUnit.objects.get(code=code)
