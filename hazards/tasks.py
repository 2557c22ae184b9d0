"""The hazard-ledger import, run by a worker: a file of thousands of rows never waits in a request."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign.lib.xlsx.files import discard_upload, read_xlsx, stored_upload
from campaign.lib.xlsx.runner import ImportReport, run_import
from districts.models import ImportJob
from hazards.resources import HazardResource

logger = logging.getLogger(__name__)

KIND = "hazards"
# What the job page shows of a report; the counts cover every row.
REPORT_ROWS = 500
REPORT_ERRORS = 1000
PROGRESS_EVERY = 200


class _ProgressWriter:
    """Writes job.processed through a connection of its own, committed at once: the
    import runs in one transaction, which no one else sees until it ends."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.connection = None

    def __call__(self, done: int) -> None:
        try:
            if self.connection is None:
                main = connections[DEFAULT_DB_ALIAS]
                self.connection = type(main)({**main.settings_dict}, DEFAULT_DB_ALIAS)
            table = self.connection.ops.quote_name(ImportJob._meta.db_table)
            with self.connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET processed = %s WHERE id = %s", [done, self.job_id])  # noqa: S608
        except DatabaseError:
            # Progress is a courtesy (SQLite may be locked by the import): the import goes on.
            logger.warning("import job %s: progress not recorded", self.job_id, exc_info=True)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def report_json(report: ImportReport, *, assigned: int) -> dict:
    changed = [r for r in report.rows if r.status != "unchanged"][:REPORT_ROWS]
    return {
        "ok": report.ok,
        "dry_run": report.dry_run,
        "committed": report.committed,
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "bad_rows": report.bad_rows,
        "assigned": assigned,
        "seconds": round(report.seconds, 2),
        "ignored_columns": report.ignored_columns,
        "columns": report.columns,
        "rows": [{"row": r.row, "status": r.status, "values": list(r.values)} for r in changed],
        "error_count": len(report.errors),
        "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in report.errors[:REPORT_ERRORS]],
    }


def _finish(job_id: int, status: str, report: dict, **fields) -> None:
    ImportJob.objects.filter(pk=job_id).update(status=status, report=report, finished_at=timezone.now(), **fields)


def _run(job: ImportJob) -> None:
    try:
        dataset = read_xlsx(stored_upload(job.token))
    except FileNotFoundError:
        _finish(
            job.pk, ImportJob.Status.FAILED, {"error": _("The uploaded file is no longer available; upload it again.")}
        )
        return
    except ValidationError as exc:
        _finish(job.pk, ImportJob.Status.FAILED, {"error": " ".join(exc.messages)})
        return
    ImportJob.objects.filter(pk=job.pk).update(total=len(dataset))
    resource = HazardResource(user=job.created_by)
    progress = _ProgressWriter(job.pk)
    try:
        report = run_import(resource, dataset, dry_run=job.dry_run, progress=progress, progress_every=PROGRESS_EVERY)
    finally:
        progress.close()
    _finish(job.pk, ImportJob.Status.DONE, report_json(report, assigned=resource.assigned), processed=len(dataset))
    if report.committed:
        discard_upload(job.token)


@shared_task(name="hazards.tasks.run_hazard_import", ignore_result=True)
def run_hazard_import(job_id: int, language: str | None = None) -> None:
    """Preview (job.dry_run) or import the job's stored upload. A job is claimed by moving it
    from queued to running in one UPDATE: a task delivered twice finds nothing to claim."""
    claimed = ImportJob.objects.filter(pk=job_id, kind=KIND, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    # Messages in the report are in the language of the user who uploaded the file.
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            _run(job)
        except Exception:
            logger.exception("import job %s failed", job_id)
            _finish(job_id, ImportJob.Status.FAILED, {"error": _("The import stopped unexpectedly; try again.")})
