"""Spreadsheet imports run by a worker (ImportJob): a file of thousands of rows never waits in a
request. Each app's task says which resource imports its kind of file; the claiming, progress,
report and failure handling are the same for all and live here."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
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
                cursor.execute(
                    f"UPDATE {table} SET processed = %s, touched_at = %s WHERE id = %s",  # noqa: S608
                    [done, self.connection.ops.adapt_datetimefield_value(timezone.now()), self.job_id],
                )
        except DatabaseError:
            # Progress is a courtesy (SQLite may be locked by the import): the import goes on.
            logger.warning("import job %s: progress not recorded", self.job_id, exc_info=True)

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


def _finish(job_id: int, status: str, report: dict, **fields) -> None:
    ImportJob.objects.filter(pk=job_id).update(status=status, report=report, finished_at=timezone.now(), **fields)


def _run(job: ImportJob, resource_class, counts: Callable[[object], dict]) -> None:
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
    resource = resource_class(user=job.created_by)
    progress = _ProgressWriter(job.pk)
    try:
        report = run_import(resource, dataset, dry_run=job.dry_run, progress=progress, progress_every=PROGRESS_EVERY)
    finally:
        progress.close()
    _finish(job.pk, ImportJob.Status.DONE, report_json(report, counts(resource)), processed=len(dataset))
    if report.committed:
        discard_upload(job.token)


def run_import_job(
    job_id: int, *, kind: str, resource_class, counts: Callable[[object], dict], language: str | None = None
) -> None:
    """Preview (job.dry_run) or import the job's stored upload with `resource_class`; `counts(resource)`
    adds the kind's own figures to the report. A job is claimed by moving it from queued to running in
    one UPDATE: a task delivered twice finds nothing to claim."""
    claimed = ImportJob.objects.filter(pk=job_id, kind=kind, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, touched_at=timezone.now()
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    # Messages in the report are in the language of the user who uploaded the file.
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            _run(job, resource_class, counts)
        except Exception:
            logger.exception("import job %s failed", job_id)
            _finish(job_id, ImportJob.Status.FAILED, {"error": _("The import stopped unexpectedly; try again.")})
