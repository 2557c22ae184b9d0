"""Running jobs: queueing, the claim, progress, the outcome, and housekeeping. The same for every
kind (jobs.registry says what a kind does).

What a user can rely on, whatever fails:
- The broker down or not answering: the request answers at once (bounded publish retries, see
  the Celery block of the settings) and the job ends failed, saying so; it never waits for a
  message that was never sent.
- A worker killed mid-job: what the job writes and its final state are written in one
  transaction, so nothing of it is written. Redis hands the unacknowledged message to another
  worker after the visibility timeout, which runs the job again from the start; or, if
  housekeeping came first, the job ends failed. Either way the job page says which.
- A task past its soft time limit rolls back and its job says it took too long.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jobs.models import Job
from jobs.registry import JobFailed, kind_of

logger = logging.getLogger(__name__)

State = Job.State
# A job is run again once after its worker stopped: a job that kills its worker (out of memory)
# would otherwise kill one worker after another.
MAX_ATTEMPTS = 2


# ---------------------------------------------------------------- queueing


def enqueue(job: Job, *, language: str) -> None:
    """Hand `job` to a worker once the transaction that created it commits (a worker must find
    the row). If the broker cannot take the message, the job fails at once and its page says the
    job service could not be reached; the request goes on and answers normally."""
    transaction.on_commit(partial(_publish, job.pk, language))


def _publish(job_id: int, language: str) -> None:
    from jobs.tasks import run_job

    try:
        run_job.apply_async(args=(job_id, language))
    except Exception:
        # Whatever the broker said (refused, timed out, authentication), the message is not queued.
        logger.exception("job %s could not be queued", job_id)
        Job.objects.filter(pk=job_id, state=State.QUEUED).update(
            state=State.FAILED, finished_at=timezone.now(), report={"unqueued": True}
        )


# ---------------------------------------------------------------- housekeeping


def stalled_after() -> datetime.timedelta:
    """A task never runs past its hard time limit: a job "running" with no sign of life for longer
    than that lost its worker. (Progress is only a courtesy; SQLite cannot record it mid-job.)"""
    return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def fail_abandoned_jobs() -> int:
    """Fail the jobs no worker will finish: running ones whose worker stopped (killed, restarted,
    out of memory; their transaction was rolled back with it, so nothing was written), and queued
    ones no worker started in JOB_QUEUE_TIMEOUT (the message was lost, or no worker runs). A late
    message for such a job finds nothing to claim. Returns how many were failed."""
    now = timezone.now()
    stalled = Job.objects.filter(state=State.RUNNING, progress_at__lt=now - stalled_after()).update(
        state=State.FAILED, finished_at=now, report={"stalled": True}
    )
    wait = datetime.timedelta(seconds=settings.JOB_QUEUE_TIMEOUT)
    unstarted = Job.objects.filter(state=State.QUEUED, created_at__lt=now - wait).update(
        state=State.FAILED,
        finished_at=now,
        report={"unstarted": True, "minutes": round(wait.total_seconds() / 60)},
    )
    return stalled + unstarted


# ---------------------------------------------------------------- running


class Progress:
    """Writes a job's progress through a connection of its own, committed at once: the job runs
    in one transaction, which no one else sees until it ends. `start(total)`, then `progress(done)`."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.connection = None
        # A job run inside its caller's transaction (the demo runs its jobs in its own) is seen by
        # no other connection until that transaction ends, and on SQLite the caller holds the
        # file's lock: there is no one to tell, and trying only logs a failure.
        self.given_up = connections[DEFAULT_DB_ALIAS].in_atomic_block

    def start(self, total: int) -> None:
        self._write("total = %s", total)

    def __call__(self, done: int) -> None:
        self._write("processed = %s", done)

    def _write(self, assignment: str, value: int) -> None:
        if self.given_up:
            return
        try:
            if self.connection is None:
                main = connections[DEFAULT_DB_ALIAS]
                params = {**main.settings_dict}
                if main.vendor == "sqlite":
                    # SQLite locks the file for the job's transaction: fail fast rather than wait
                    # the busy timeout at every report (that made a 3,000-row import take 5 minutes).
                    params["OPTIONS"] = {**params.get("OPTIONS", {}), "timeout": 0.05}
                    params["OPTIONS"].pop("transaction_mode", None)
                self.connection = type(main)(params, DEFAULT_DB_ALIAS)
            table = self.connection.ops.quote_name(Job._meta.db_table)
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET {assignment}, progress_at = %s WHERE id = %s",  # noqa: S608
                    [value, self.connection.ops.adapt_datetimefield_value(timezone.now()), self.job_id],
                )
        except DatabaseError:
            # Progress is a courtesy: the job goes on, and stops trying for this run.
            logger.warning("job %s: progress not recorded", self.job_id, exc_info=True)
            self.given_up = True

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


class _Superseded(Exception):
    """The job was no longer this run's to finish (failed by housekeeping, taken over)."""


def _finish(job_id: int, run: str, state: str, report: dict, **fields) -> bool:
    """Record the outcome if the job is still this run's: the run id is written at the claim,
    so a run that lost its job (failed by housekeeping meanwhile) changes nothing."""
    return bool(
        Job.objects.filter(pk=job_id, state=State.RUNNING, run=run).update(
            state=state, report=report, finished_at=timezone.now(), **fields
        )
    )


def _claim(job_id: int, *, redelivered: bool) -> tuple[str, bool] | None:
    """Move the job from queued to running in one UPDATE, so that a message delivered twice runs
    it once; returns (run id, restarted) or None when there is nothing to run.

    A message delivered again (`redelivered`: Redis restored it after the visibility timeout, or
    the worker pool lost the process running it) may also take over a job left running: the
    visibility timeout exceeds the hard time limit (settings), so the earlier run has ended, and
    its transaction was rolled back with it. Should it still be alive, its `_finish` finds another
    run id and rolls back: one run's work is ever committed."""
    run = uuid.uuid4().hex
    jobs = Job.objects.filter(pk=job_id)
    now = timezone.now()
    if jobs.filter(state=State.QUEUED).update(
        state=State.RUNNING, run=run, attempts=1, started_at=now, progress_at=now, report=None
    ):
        return run, False
    if not redelivered:
        return None
    left = jobs.filter(state=State.RUNNING)
    if left.filter(attempts__lt=MAX_ATTEMPTS).update(run=run, attempts=F("attempts") + 1, progress_at=now, processed=0):
        logger.warning("job %s: delivered again after its worker stopped; running it again", job_id)
        return run, True
    if left.update(state=State.FAILED, finished_at=now, report={"stalled": True}):
        logger.warning("job %s: its worker stopped again; the job has failed", job_id)
    return None


def run_job(job_id: int, *, language: str | None = None, redelivered: bool = False) -> None:
    """Claim the job and run its kind; record done with the kind's report, or failed saying why."""
    claim = _claim(job_id, redelivered=redelivered)
    if claim is None:
        return
    run, restarted = claim
    job = Job.objects.select_related("started_by").get(pk=job_id)
    # Messages in the report are in the language of the user who started the job.
    with translation.override(language or settings.LANGUAGE_CODE):
        progress = Progress(job.pk)
        try:
            kind = kind_of(job.kind)
            prepared = kind.prepare(job, progress) if kind.prepare else None
            # What the job writes and its "done" commit together: a worker killed before the end
            # leaves neither, and one killed after leaves both.
            with transaction.atomic():
                report = kind.run(job, prepared, progress)
                if restarted:
                    report["restarted"] = True
                if not _finish(job.pk, run, State.DONE, report, processed=F("total")):
                    raise _Superseded
        except JobFailed as exc:
            _finish(job_id, run, State.FAILED, {"error": exc.message})
        except _Superseded:
            logger.warning("job %s: no longer this run's; its work was rolled back", job_id)
        except SoftTimeLimitExceeded:
            logger.warning("job %s: stopped at the soft time limit", job_id)
            minutes = max(1, round(settings.CELERY_TASK_SOFT_TIME_LIMIT / 60))
            _finish(job_id, run, State.FAILED, {"timed_out": True, "minutes": minutes})
        except Exception:
            logger.exception("job %s failed", job_id)
            _finish(job_id, run, State.FAILED, {"error": _("The job stopped unexpectedly; try again.")})
        finally:
            progress.close()
