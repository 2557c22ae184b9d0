"""A spreadsheet import as a job: upload, blank template, confirm, and the kind that runs it.

Uploading stores the file and starts a preview job (a dry run); the job page (jobs.views) shows its
progress and then the preview; confirming starts a second job that imports the same stored file.
The request never runs an import: a worker does. An import that failed may be confirmed again from
its preview. Only the user who started a job sees it. Each app describes its import once
(JobImport, in its `job_kinds` module) and mounts `urlpatterns()`; exports stay with the app,
since each has its own queryset. When rows have problems, the job keeps them as a workbook (the
error file) that the job page offers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign.lib.xlsx.files import (
    XlsxUploadForm,
    discard_upload,
    purge_stale_uploads,
    read_xlsx,
    store_upload,
    stored_upload,
    template_xlsx,
    xlsx_response,
)
from campaign.lib.xlsx.runner import STATUS_LABELS, ImportReport, run_import
from jobs.models import Job
from jobs.registry import JobFailed, JobKind, register
from jobs.services import job_start

# What the job page shows of a report; the counts cover every row.
REPORT_ROWS = 500
REPORT_ERRORS = 1000
PROGRESS_EVERY = 200


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


def error_workbook(report: ImportReport) -> bytes:
    """Every problem of the file, one a row, for the user to correct their file by."""
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Problems")[:31]
    sheet.append([_("Row"), _("Column"), _("Problem")])
    for error in report.errors:
        sheet.append([error.row, error.column, error.message])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class JobImport:
    kind: str  # Job.kind; the URL names are import_<kind>, import_<kind>_template, import_<kind>_confirm
    title: object
    sheet: str  # the worksheet's name in the template
    resource_class: type
    may_import: Callable  # may_import(user) → bool: who may upload (and download the template)
    template: str  # the job page, extending jobs/import_job.html
    list_url: str  # where the records are listed once imported
    list_label: object
    count_key: str | None = None  # the kind's own figure in the report ("assessments", "assigned")
    counts: Callable = field(default=lambda resource: {})  # counts(resource) → the kind's own figures

    def __post_init__(self):
        register(JobKind(name=self.kind, label=self.title, prepare=self._prepare, run=self._run_import, page=self.job))

    # ------------------------------------------------------------ in the worker

    def _prepare(self, job: Job, progress):
        try:
            dataset = read_xlsx(stored_upload(job.params["token"]))
        except FileNotFoundError:
            raise JobFailed(_("The uploaded file is no longer available; upload it again.")) from None
        except ValidationError as exc:
            raise JobFailed(" ".join(exc.messages)) from None
        Job.objects.filter(pk=job.pk).update(total=len(dataset))
        return dataset

    def _run_import(self, job: Job, dataset, progress) -> dict:
        resource = self.resource_class(user=job.started_by)
        report = run_import(
            resource, dataset, dry_run=job.params["dry_run"], progress=progress, progress_every=PROGRESS_EVERY
        )
        if report.errors:
            job.result.save(f"{self.kind}-problems-{job.pk}.xlsx", ContentFile(error_workbook(report)), save=False)
            Job.objects.filter(pk=job.pk).update(result=job.result.name)
        if report.committed:
            token = job.params["token"]
            transaction.on_commit(lambda: discard_upload(token))
        return report_json(report, self.counts(resource))

    # ------------------------------------------------------------ pages

    def _url(self, suffix: str = "") -> str:
        return f"import_{self.kind}{suffix}"

    def _ensure_may_import(self, user) -> None:
        if not self.may_import(user):
            raise PermissionDenied(_("You may not import or export these records."))

    def _start(self, *, token: str, dry_run: bool, by) -> Job:
        return job_start(kind=self.kind, by=by, params={"token": token, "dry_run": dry_run})

    def _import_of(self, preview: Job) -> Job | None:
        """The import started from this preview, unless it failed (then it may be started again)."""
        return (
            Job.objects.filter(kind=self.kind, params__token=preview.params["token"], params__dry_run=False)
            .exclude(state=Job.State.FAILED)
            .order_by("pk")
            .first()
        )

    def _own_job(self, request, pk: int, queryset=None) -> Job:
        return get_object_or_404(
            Job.objects if queryset is None else queryset, pk=pk, kind=self.kind, started_by=request.user
        )

    def upload(self, request):
        self._ensure_may_import(request.user)
        form = XlsxUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            purge_stale_uploads()
            job = self._start(token=store_upload(form.cleaned_data["file"]), dry_run=True, by=request.user)
            return redirect("job_detail", pk=job.pk)
        context = {
            "spec": {"title": self.title},
            "form": form,
            "template_url": self._url("_template"),
            "export_url": f"export_{self.kind}",
        }
        return render(request, "imports/upload.html", context)

    def job(self, request, job: Job):
        """The job page of an import (jobs.views.job_detail shows it to those who may see `job`)."""
        report = job.report or {}
        dry_run = job.params.get("dry_run", False)
        follow_up = retry_from = None
        if dry_run:
            follow_up = self._import_of(job)
        elif job.state == Job.State.FAILED:
            # The preview this import came from, to start the import again from there.
            retry_from = Job.objects.filter(
                kind=self.kind, params__token=job.params.get("token"), params__dry_run=True, started_by=request.user
            ).first()
        can_confirm = (
            dry_run
            and job.state == Job.State.DONE
            and report.get("ok")
            and (report.get("new", 0) + report.get("updated", 0) + report.get(self.count_key or "", 0)) > 0
            and follow_up is None
            and job.started_by_id == request.user.pk
        )
        rows = [
            {
                **r,
                "status_label": STATUS_LABELS.get(r["status"], r["status"]),
                "cells": list(zip(report.get("columns", []), r["values"], strict=False)),
            }
            for r in report.get("rows", [])
        ]
        return render(
            request,
            self.template,
            {
                "title": self.title,
                "job": job,
                "dry_run": dry_run,
                "report": report,
                "rows": rows,
                "running": job.is_active,
                "can_confirm": can_confirm,
                "follow_up": follow_up,
                "retry_from": retry_from,
                "urls": {"upload": self._url(), "confirm": self._url("_confirm"), "list": self.list_url},
                "list_label": self.list_label,
            },
        )

    def confirm(self, request, pk):
        with transaction.atomic():
            # Locked: two clicks on Confirm start one import.
            job = self._own_job(request, pk, Job.objects.select_for_update())
            report = job.report or {}
            if not (job.params.get("dry_run") and job.state == Job.State.DONE and report.get("ok")):
                messages.error(request, _("Only a preview without problems can be confirmed."))
                return redirect("job_detail", pk=job.pk)
            existing = self._import_of(job)
            if existing is not None:
                return redirect("job_detail", pk=existing.pk)
            try:
                stored_upload(job.params["token"])
            except FileNotFoundError:
                messages.error(request, _("The uploaded file is no longer available; upload it again."))
                return redirect(self._url())
            follow_up = self._start(token=job.params["token"], dry_run=False, by=request.user)
        return redirect("job_detail", pk=follow_up.pk)

    def blank_template(self, request):
        self._ensure_may_import(request.user)
        content = template_xlsx(self.resource_class(user=request.user), title=self.sheet)
        return xlsx_response(content, f"{self.kind}-template.xlsx")

    def urlpatterns(self) -> list:
        return [
            path("import/", login_required(self.upload), name=self._url()),
            path("import/template.xlsx", login_required(require_GET(self.blank_template)), name=self._url("_template")),
            path("import/<int:pk>/confirm/", login_required(require_POST(self.confirm)), name=self._url("_confirm")),
        ]
