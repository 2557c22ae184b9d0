import os

from celery import Celery
from celery.schedules import crontab

from jobs.schedule import BEAT_SCHEDULE as JOBS_BEAT_SCHEDULE
from notifications.schedule import BEAT_SCHEDULE as NOTIFICATIONS_BEAT_SCHEDULE
from oversight.schedule import BEAT_SCHEDULE as OVERSIGHT_BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaign.settings")

app = Celery("campaign")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The schedule lives in code so that it is reviewed like code. Every entry
# expires: a reminder or rollup that could not run in its slot is dropped
# rather than piling up behind a dead worker.
app.conf.beat_schedule = {
    **JOBS_BEAT_SCHEDULE,
    **OVERSIGHT_BEAT_SCHEDULE,
    **NOTIFICATIONS_BEAT_SCHEDULE,
    "prune-audit-trail": {
        "task": "audit.tasks.prune_audit_trail",
        "schedule": crontab(hour=3, minute=17),
        "options": {"expires": 3600},
    },
}
