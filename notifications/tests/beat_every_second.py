"""The platform's Celery app with the reminder sweep due every second instead of every five
minutes: what `celery -A notifications.tests.beat_every_second beat` runs in the fault tests
(notifications/tests/test_faults.py), so that two beats go through several cycles in seconds."""

import datetime

from campaign.celery import app
from notifications.schedule import BEAT_SCHEDULE

app.conf.beat_schedule = {
    "reminders-sweep": {
        **BEAT_SCHEDULE["reminders-sweep"],
        "schedule": datetime.timedelta(seconds=1),
        "options": {"expires": 5},
    },
}
