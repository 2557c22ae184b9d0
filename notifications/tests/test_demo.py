"""The demo's people find reminders waiting for them, and loading the demo again adds none."""

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from campaign.demo import load_demo
from notifications.models import Notification, Reminder


@pytest.fixture(scope="module")
def demo_for_module(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_for_module, db):
    return demo_for_module


def test_the_demo_street_finds_reminders_waiting_in_its_bell(demo, client, sign_in):
    from districts.models import User

    wulin = User.objects.get(username="wulin")
    note = Notification.objects.get(recipient=wulin, read_at__isnull=True)
    lines = list(note.reminders.all())
    assert lines and all(line.url.startswith("/") for line in lines)
    sign_in(client, wulin)
    assert client.get(reverse("notification_unread")).json() == {"unread": 1}
    page = client.get(reverse("notification_list")).content.decode()
    assert lines[0].text in page
    # Several of the demo's people have theirs.
    assert Notification.objects.values("recipient").distinct().count() >= 4


def test_loading_the_demo_again_sends_nothing_twice(demo):
    before = Notification.objects.count(), Reminder.objects.count()
    load_demo()
    assert (Notification.objects.count(), Reminder.objects.count()) == before
