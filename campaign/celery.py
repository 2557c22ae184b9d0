import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaign.settings")

app = Celery("campaign")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The schedule lives in code so that it is reviewed like code. Every entry
# expires: a reminder or rollup that could not run in its slot is dropped
# rather than piling up behind a dead worker.
app.conf.beat_schedule = {
    "worker-heartbeat": {
        "task": "campaign.tasks.record_heartbeat",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    "fail-stalled-imports": {
        "task": "districts.tasks.fail_stalled_imports",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    "prune-audit-trail": {
        "task": "audit.tasks.prune_audit_trail",
        "schedule": crontab(hour=3, minute=17),
        "options": {"expires": 3600},
    },
}
