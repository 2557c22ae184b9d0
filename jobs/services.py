"""Starting a job: the one way long work begins."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import get_language

from jobs.models import Job
from jobs.registry import kind_of
from jobs.runner import enqueue


def job_start(*, kind: str, by, params: dict | None = None, unit_id: int | None = None) -> Job:
    """Create a queued job of a registered `kind` and hand it to a worker once the caller's
    transaction commits; its messages will be in the caller's language."""
    kind_of(kind)  # an unknown kind is a programming error, refused here rather than in the worker
    with transaction.atomic():
        job = Job(kind=kind, started_by=by, params=params or {}, unit_id=unit_id)
        job.full_clean()
        job.save()
        enqueue(job, language=get_language())
    return job
