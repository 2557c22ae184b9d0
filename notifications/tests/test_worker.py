"""The sweep on a real Celery worker over Redis, as beat sends it: the job runs, each due
reminder is written once, and beat's message sent twice at once (two beats) adds nothing."""

import datetime
import time

import pytest
from django.utils import timezone

from campaign.celery import app
from campaign.lib.deadlines import deadline_today
from districts.models import OrgUnit, Role, Sector
from hazards.models import Hazard, Source, Status
from jobs.models import Job
from notifications.defaults import install
from notifications.job_kinds import KIND
from notifications.models import Notification, Reminder, ReminderRule
from notifications.tasks import start_sweep
from notifications.tests.conftest import WULIN, ZHONGBEI


def _wait(condition, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_beat_sent_twice_to_a_real_worker_writes_each_reminder_once(start_worker, plan, make_user):
    install(ReminderRule)
    street = OrgUnit.objects.get(code=WULIN)
    wulin = make_user(Role.STREET_STAFF, street, "wulin-worker")
    for n in (1, 3):  # due in 1 and in 3 days: a reminder is due today whatever today is
        Hazard.objects.create(
            number=f"W-{n}",
            title="消防通道堵塞",
            unit=OrgUnit.objects.get(code=ZHONGBEI),
            sector=Sector.objects.get(code="fire_safety"),
            description="消防通道堵塞",
            source=Source.INSPECTION,
            found_by=wulin,
            status=Status.RECTIFYING,
            issuing_unit=street,
            responsible_unit=street,
            responsible_person="王芳",
            deadline=deadline_today() + datetime.timedelta(days=n),
            assigned_at=timezone.now(),
        )
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(app.conf.task_default_queue)
    start_worker(queue=app.conf.task_default_queue)

    start_sweep.apply_async()
    assert _wait(lambda: Job.objects.filter(kind=KIND, state=Job.State.DONE).exists())
    assert Reminder.objects.filter(recipient=wulin).count() == 2
    assert Notification.objects.filter(recipient=wulin).count() == 1

    # Two beats, one message each, at once: whichever job runs finds every reminder written.
    start_sweep.apply_async()
    start_sweep.apply_async()
    assert _wait(
        lambda: (
            Job.objects.filter(kind=KIND).count() >= 2
            and not Job.objects.filter(kind=KIND, state__in=[Job.State.QUEUED, Job.State.RUNNING]).exists()
        )
    )
    assert set(Job.objects.filter(kind=KIND).values_list("state", flat=True)) == {Job.State.DONE}
    assert Reminder.objects.filter(recipient=wulin).count() == 2
    assert Notification.objects.filter(recipient=wulin).count() == 1
