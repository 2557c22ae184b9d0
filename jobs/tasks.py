"""The Celery tasks of jobs: running one, failing the abandoned ones, the worker's heartbeat."""

import socket

from celery import shared_task
from django.utils import timezone

from jobs import runner
from jobs.models import JobHeartbeat


def _redelivered(task) -> bool:
    """Whether the broker delivered this task's message before (a bound task passes itself)."""
    return bool((task.request.delivery_info or {}).get("redelivered"))


@shared_task(bind=True, name="jobs.tasks.run_job", ignore_result=True)
def run_job(self, job_id: int, language: str | None = None) -> None:
    runner.run_job(job_id, language=language, redelivered=_redelivered(self))


@shared_task(name="jobs.tasks.fail_stalled_jobs", ignore_result=True)
def fail_stalled_jobs() -> int:
    """Fail the jobs no worker will finish (jobs.runner.fail_abandoned_jobs), so that their
    page says so instead of "running" or "waiting" for ever. Run by beat."""
    return runner.fail_abandoned_jobs()


@shared_task(name="jobs.tasks.record_heartbeat", ignore_result=False)
def record_heartbeat(name: str = "worker") -> str:
    """Record that a worker is alive; run every minute by beat."""
    now = timezone.now()
    JobHeartbeat.objects.update_or_create(name=name, defaults={"last_seen": now, "worker": socket.gethostname()})
    return now.isoformat()
