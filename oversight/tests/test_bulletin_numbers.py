"""Two bulletins published at the same moment get two numbers (PostgreSQL, two threads, each
with its own connection and transaction): the office's counter row is locked by each
publication until it commits."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from oversight.bulletins import services
from oversight.bulletins.models import Bulletin, BulletinCounter
from oversight.tests.bulletins import draft, people
from oversight.tests.conftest import make_world

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_two_bulletins_published_at_once_get_two_different_numbers(make_user, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # The ranking is read after the number, in the same transaction: slowed down here, each
    # publication holds its number uncommitted long enough for the other to come for one.
    from oversight import ranking as ranking_module

    real = ranking_module.ranking

    def slow_ranking(**kwargs):
        time.sleep(0.5)
        return real(**kwargs)

    monkeypatch.setattr(ranking_module, "ranking", slow_ranking)
    world = make_world()
    office = people(world, make_user)["office"]
    bulletins = [draft(world, office, first=0, last=0), draft(world, office, first=1, last=1)]
    for bulletin in bulletins:
        services.bulletin_approve(bulletin=bulletin, by=office)
    # The year's counter there already (a number given before): the lock, not the first insert, decides.
    from django.utils import timezone

    BulletinCounter.objects.create(office=world["office"], year=timezone.localdate().year, last=5)
    ready = threading.Barrier(len(bulletins))
    errors = []

    def publish(bulletin):
        try:
            ready.wait(timeout=10)
            services.bulletin_publish(bulletin=bulletin, by=office)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=(b,)) for b in bulletins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    numbers = sorted(Bulletin.objects.values_list("number", flat=True))
    assert numbers == [6, 7]
    assert BulletinCounter.objects.get(office=world["office"]).last == 7
