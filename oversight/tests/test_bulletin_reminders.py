"""A bulletin its recipient has not acknowledged (签收) appears in the unit's staff's digest from
the 3rd day after its publication (notifications: the rule bulletin_unacknowledged), and stops
once the unit acknowledges it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from notifications.defaults import install
from notifications.models import Reminder, ReminderRule, Subject
from notifications.sweep import sweep
from oversight.bulletins import services
from oversight.tests.bulletins import people, published

DAY = datetime.timedelta(days=1)


@pytest.fixture
def who(world, make_user):
    install(ReminderRule)
    ReminderRule.objects.exclude(subject=Subject.BULLETIN_UNACKNOWLEDGED).update(enabled=False)
    return people(world, make_user)


def _reminded(user) -> list[Reminder]:
    return list(Reminder.objects.filter(recipient=user, kind=Subject.BULLETIN_UNACKNOWLEDGED))


def test_a_bulletin_not_acknowledged_is_in_the_unit_s_digest_from_the_third_day_until_acknowledged(
    world, who, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bulletin, version = published(world, who["office"])
    published_on = timezone.localdate(version.published_at)
    sweep(today=published_on + 2 * DAY)
    assert not _reminded(who["A"]), "not before the third day"
    services.bulletin_acknowledge(bulletin=bulletin, by=who["B"])
    sweep(today=published_on + 3 * DAY)
    [reminder] = _reminded(who["A"])
    assert reminder.deadline == published_on + 3 * DAY and version.document_number in reminder.text
    assert not _reminded(who["B"]), "street B acknowledged it"
    assert _reminded(who["p"]), "a department it was sent to"
    assert not _reminded(who["office"]) and not _reminded(who["leader"])
    services.bulletin_acknowledge(bulletin=bulletin, by=who["A"])
    sweep(today=published_on + 6 * DAY)
    assert len(_reminded(who["A"])) == 1, "acknowledged: no more reminders"
    assert len(_reminded(who["p"])) == 2
