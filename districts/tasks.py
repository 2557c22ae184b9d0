"""Housekeeping of import jobs."""

from celery import shared_task

from districts.jobs import fail_abandoned_jobs


@shared_task(name="districts.tasks.fail_stalled_imports", ignore_result=True)
def fail_stalled_imports() -> int:
    """Fail the jobs no worker will finish (districts.jobs.fail_abandoned_jobs), so that their
    page says so instead of "running" or "waiting" for ever. Run by beat."""
    return fail_abandoned_jobs()
