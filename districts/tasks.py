"""Housekeeping of import jobs."""

from celery import shared_task
from django.utils import timezone

from districts.models import ImportJob


@shared_task(name="districts.tasks.fail_stalled_imports", ignore_result=True)
def fail_stalled_imports() -> int:
    """Mark as failed the jobs whose worker stopped mid-import (killed, restarted, out of memory).
    Their transaction was rolled back with the worker, so nothing of the file was written;
    the job page then says so instead of showing "running" for ever. Run by beat."""
    now = timezone.now()
    stalled = ImportJob.objects.filter(status=ImportJob.Status.RUNNING, touched_at__lt=now - ImportJob.STALLED_AFTER)
    # The job page says what happened, in the reader's language.
    return stalled.update(status=ImportJob.Status.FAILED, finished_at=now, report={"stalled": True})
