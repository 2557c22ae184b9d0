"""The Celery tasks of the reminders. Beat runs start_sweep every few minutes
(notifications/schedule.py): it starts a watched job (notifications.job_kinds) unless one is
already waiting or running, and sends e-mails left pending by an earlier run. Either may run
twice or at once with another: the reminders' unique key and the outbox's row locks keep every
reminder single."""

import logging

from celery import shared_task

from jobs.models import Job
from jobs.services import job_start
from notifications.job_kinds import KIND
from notifications.outbox import outbox_send

logger = logging.getLogger(__name__)


@shared_task(name="notifications.tasks.start_sweep", ignore_result=True)
def start_sweep() -> int | None:
    try:
        outbox_send()
    except Exception:
        logger.exception("pending reminder e-mails could not be sent")
    if Job.objects.filter(kind=KIND, state__in=(Job.State.QUEUED, Job.State.RUNNING)).exists():
        # The previous sweep is still at work; its successor will find what it leaves.
        return None
    return job_start(kind=KIND, by=None).pk


@shared_task(name="notifications.tasks.send_outbox", ignore_result=True)
def send_outbox() -> dict:
    return outbox_send()
