"""The beat entries of the rollups (campaign/celery.py adds them to the schedule: jobs, below
every domain app, may not name this one). Times are the district's (CELERY_TIMEZONE). Each
entry expires: a rebuild that could not start in its slot is dropped, the next one does its work."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # What changed since the last build: the dashboards are at most a few minutes behind.
    "rollups-incremental": {
        "task": "oversight.tasks.rebuild_rollups",
        "schedule": crontab(minute="*/2"),
        "kwargs": {"full": False},
        "options": {"expires": 100},
    },
    # Everything from the records, every night.
    "rollups-full": {
        "task": "oversight.tasks.rebuild_rollups",
        "schedule": crontab(hour=2, minute=30),
        "kwargs": {"full": True},
        "options": {"expires": 3600},
    },
}
