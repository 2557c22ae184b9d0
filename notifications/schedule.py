"""The beat entries of the reminders (campaign/celery.py adds them to the schedule). Times are
the district's (CELERY_TIMEZONE). Each entry expires: a sweep that could not start in its slot
is dropped, the next one finds what it would have sent (the sweep reads by window)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "reminders-sweep": {
        "task": "notifications.tasks.start_sweep",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
}
