"""load_demo on what looks like production: ten accounts with a password printed in the
README must never be created there by accident."""

import io

import pytest
from django.core.management import CommandError, call_command

from districts.models import Membership, OrgUnit, User

pytestmark = pytest.mark.django_db


def test_load_demo_refuses_with_debug_off_and_creates_nothing(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as refused:
        call_command("load_demo")
    message = str(refused.value)
    assert "\n" not in message and "--i-know-this-is-not-production" in message
    assert User.objects.count() == 0
    assert OrgUnit.objects.count() == 0


def test_load_demo_runs_with_debug_off_when_told_it_is_not_production(settings):
    settings.DEBUG = False
    call_command("load_demo", "--i-know-this-is-not-production", stdout=io.StringIO())
    assert Membership.objects.filter(user__username="wulin").exists()
