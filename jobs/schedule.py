"""The beat entries of jobs (campaign/celery.py adds them to the schedule). Each expires: a beat
that could not run in its slot is dropped rather than piling up behind a dead worker."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "jobs.tasks.record_heartbeat",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    "fail-stalled-jobs": {
        "task": "jobs.tasks.fail_stalled_jobs",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
}
