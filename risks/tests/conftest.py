"""The district for the register's tests, with the register's methods and graded-control
rules: they come with the migrations, and are put back here after a test that flushed the
database."""

import pytest

from districts.structure import load_district
from districts.tests import fixtures
from risks.defaults import install as install_risk_defaults
from risks.models import AssessmentMethod, ControlRule, MethodVersion

unit = fixtures.unit


def _load():
    install_risk_defaults(AssessmentMethod, MethodVersion, ControlRule)
    return load_district()


@pytest.fixture
def district(db):
    return _load()


@pytest.fixture(scope="module")
def district_for_module(django_db_setup, django_db_blocker):
    with fixtures.loaded_for_module(django_db_blocker, _load) as district:
        yield district
