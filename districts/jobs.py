"""Spreadsheet imports run by a worker (ImportJob): a file of thousands of rows never waits in a
request. Each app's task says which resource imports its kind of file; queueing, claiming,
progress, the report, failure handling and housekeeping are the same for all and live here.

What a user can rely on, whatever fails:
- The broker down or not answering: the request answers at once (bounded publish retries, see
  the Celery block of the settings) and the job ends failed, saying so; it never waits for a
  message that was never sent.
- A worker killed mid-import: the import's rows and its job's final status are written in one
  transaction, so nothing of the file is written. Redis hands the unacknowledged message to
  another worker after the visibility timeout, which runs the import again from the start; or,
  if housekeeping came first, the job ends failed. Either way the job page says which.
- A task past its soft time limit rolls back and its job says it took too long.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign.lib.xlsx.files import discard_upload, read_xlsx, stored_upload
from campaign.lib.xlsx.runner import ImportReport, run_import
from districts.models import ImportJob

logger = logging.getLogger(__name__)

# What the job page shows of a report; the counts cover every row.
REPORT_ROWS = 500
REPORT_ERRORS = 1000
PROGRESS_EVERY = 200

Status = ImportJob.Status


# ---------------------------------------------------------------- queueing


def enqueue_import_job(job: ImportJob, task, *, language: str) -> None:
    """Hand `job` to a worker once the transaction that created it commits (a worker must find
    the row). If the broker cannot take the message, the job fails at once and its page says the
    job service could not be reached; the request goes on and answers normally."""
    transaction.on_commit(partial(_publish, job.pk, task, language))


def _publish(job_id: int, task, language: str) -> None:
    try:
        task.apply_async(args=(job_id, language))
    except Exception:
        # Whatever the broker said (refused, timed out, authentication), the message is not queued.
        logger.exception("import job %s could not be queued", job_id)
        ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
            status=Status.FAILED, finished_at=timezone.now(), report={"unqueued": True}
        )


# ---------------------------------------------------------------- housekeeping


def stalled_after() -> datetime.timedelta:
    """A task never runs past its hard time limit: a job "running" with no sign of life for longer
    than that lost its worker. (Progress is only a courtesy; SQLite cannot record it mid-import.)"""
    return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def fail_abandoned_jobs() -> int:
    """Fail the jobs no worker will finish: running ones whose worker stopped (killed, restarted,
    out of memory; their transaction was rolled back with it, so nothing was written), and queued
    ones no worker started in JOB_QUEUE_TIMEOUT (the message was lost, or no worker runs). A late
    message for such a job finds nothing to claim. Returns how many were failed."""
    now = timezone.now()
    stalled = ImportJob.objects.filter(status=Status.RUNNING, touched_at__lt=now - stalled_after()).update(
        status=Status.FAILED, finished_at=now, report={"stalled": True}
    )
    wait = datetime.timedelta(seconds=settings.JOB_QUEUE_TIMEOUT)
    unstarted = ImportJob.objects.filter(status=Status.QUEUED, created_at__lt=now - wait).update(
        status=Status.FAILED,
        finished_at=now,
        report={"unstarted": True, "minutes": round(wait.total_seconds() / 60)},
    )
    return stalled + unstarted


# ---------------------------------------------------------------- running


class _ProgressWriter:
    """Writes job.processed through a connection of its own, committed at once: the
    import runs in one transaction, which no one else sees until it ends."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.connection = None
        self.given_up = False

    def __call__(self, done: int) -> None:
        if self.given_up:
            return
        try:
            if self.connection is None:
                main = connections[DEFAULT_DB_ALIAS]
                params = {**main.settings_dict}
                if main.vendor == "sqlite":
                    # SQLite locks the file for the import's transaction: fail fast rather than wait
                    # the busy timeout at every report (that made a 3,000-row import take 5 minutes).
                    params["OPTIONS"] = {**params.get("OPTIONS", {}), "timeout": 0.05}
                self.connection = type(main)(params, DEFAULT_DB_ALIAS)
            table = self.connection.ops.quote_name(ImportJob._meta.db_table)
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET processed = %s, touched_at = %s WHERE id = %s",  # noqa: S608
                    [done, self.connection.ops.adapt_datetimefield_value(timezone.now()), self.job_id],
                )
        except DatabaseError:
            # Progress is a courtesy: the import goes on, and stops trying for this run.
            logger.warning("import job %s: progress not recorded", self.job_id, exc_info=True)
            self.given_up = True

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def report_json(report: ImportReport, counts: dict) -> dict:
    changed = [r for r in report.rows if r.status != "unchanged"][:REPORT_ROWS]
    return {
        "ok": report.ok,
        "dry_run": report.dry_run,
        "committed": report.committed,
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "bad_rows": report.bad_rows,
        **counts,
        "seconds": round(report.seconds, 2),
        "ignored_columns": report.ignored_columns,
        "columns": report.columns,
        "rows": [{"row": r.row, "status": r.status, "values": list(r.values)} for r in changed],
        "error_count": len(report.errors),
        "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in report.errors[:REPORT_ERRORS]],
    }


class _Superseded(Exception):
    """The job was no longer this run's to finish (failed by housekeeping, taken over)."""


def _finish(job_id: int, run: str, status: str, report: dict, **fields) -> bool:
    """Record the outcome if the job is still this run's: the run id is written at the claim,
    so a run that lost its job (failed by housekeeping meanwhile) changes nothing."""
    return bool(
        ImportJob.objects.filter(pk=job_id, status=Status.RUNNING, report__run=run).update(
            status=status, report=report, finished_at=timezone.now(), **fields
        )
    )


def _run(job: ImportJob, run: str, restarted: bool, resource_class, counts: Callable[[object], dict]) -> None:
    try:
        dataset = read_xlsx(stored_upload(job.token))
    except FileNotFoundError:
        _finish(job.pk, run, Status.FAILED, {"error": _("The uploaded file is no longer available; upload it again.")})
        return
    except ValidationError as exc:
        _finish(job.pk, run, Status.FAILED, {"error": " ".join(exc.messages)})
        return
    ImportJob.objects.filter(pk=job.pk).update(total=len(dataset))
    resource = resource_class(user=job.created_by)
    progress = _ProgressWriter(job.pk)
    try:
        # The rows and the job's "done" commit together: a worker killed before the end leaves
        # neither, and one killed after leaves both.
        with transaction.atomic():
            report = run_import(
                resource, dataset, dry_run=job.dry_run, progress=progress, progress_every=PROGRESS_EVERY
            )
            outcome = report_json(report, counts(resource))
            if restarted:
                outcome["restarted"] = True
            if not _finish(job.pk, run, Status.DONE, outcome, processed=len(dataset)):
                raise _Superseded
    finally:
        progress.close()
    if report.committed:
        discard_upload(job.token)


def _claim(job_id: int, kind: str, *, redelivered: bool) -> tuple[str, bool] | None:
    """Move the job from queued to running in one UPDATE, so that a message delivered twice runs
    it once; returns (run id, restarted) or None when there is nothing to run.

    A message delivered again (`redelivered`: Redis restored it after the visibility timeout, or
    the worker pool lost the process running it) may also take over a job left running: the
    visibility timeout exceeds the hard time limit (settings), so the earlier run has ended, and
    its transaction was rolled back with it. Should it still be alive, its `_finish` finds another
    run id and rolls back: one run's rows are ever committed. A job is run again once: a file that
    kills its worker (out of memory) would otherwise kill one worker after another."""
    run = uuid.uuid4().hex
    jobs = ImportJob.objects.filter(pk=job_id, kind=kind)
    now = timezone.now()
    if jobs.filter(status=Status.QUEUED).update(status=Status.RUNNING, touched_at=now, report={"run": run}):
        return run, False
    if not redelivered:
        return None
    left = jobs.filter(status=Status.RUNNING)
    if left.exclude(report__has_key="restarted").update(
        touched_at=now, processed=0, report={"run": run, "restarted": True}
    ):
        logger.warning("import job %s: delivered again after its worker stopped; running it again", job_id)
        return run, True
    if left.update(status=Status.FAILED, finished_at=now, report={"stalled": True}):
        logger.warning("import job %s: its worker stopped again; the job has failed", job_id)
    return None


def redelivered(task) -> bool:
    """Whether the broker delivered this task's message before (a bound task passes itself)."""
    return bool((task.request.delivery_info or {}).get("redelivered"))


def run_import_job(
    job_id: int,
    *,
    kind: str,
    resource_class,
    counts: Callable[[object], dict],
    language: str | None = None,
    redelivered: bool = False,
) -> None:
    """Preview (job.dry_run) or import the job's stored upload with `resource_class`; `counts(resource)`
    adds the kind's own figures to the report."""
    claim = _claim(job_id, kind, redelivered=redelivered)
    if claim is None:
        return
    run, restarted = claim
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    # Messages in the report are in the language of the user who uploaded the file.
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            _run(job, run, restarted, resource_class, counts)
        except _Superseded:
            logger.warning("import job %s: no longer this run's; its import was rolled back", job_id)
        except SoftTimeLimitExceeded:
            logger.warning("import job %s: stopped at the soft time limit", job_id)
            minutes = max(1, round(settings.CELERY_TASK_SOFT_TIME_LIMIT / 60))
            _finish(job_id, run, Status.FAILED, {"timed_out": True, "minutes": minutes})
        except Exception:
            logger.exception("import job %s failed", job_id)
            _finish(job_id, run, Status.FAILED, {"error": _("The import stopped unexpectedly; try again.")})
