"""A spreadsheet import run as a job, as pages: upload, blank template, the job page, confirm.

Uploading stores the file and queues a preview job (a dry run); the job page shows its progress
and then the preview; confirming queues a second job that imports the same stored file. The
request never runs an import: a worker does (districts.jobs, which also queues the jobs and fails
those that cannot be queued or finished). An import that failed may be confirmed again from its
preview. Only the user who started a job sees it. Each app describes its import once (JobImport)
and mounts `urlpatterns()`; exports stay with the app, since each has its own queryset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign.lib.xlsx.files import (
    XlsxUploadForm,
    purge_stale_uploads,
    store_upload,
    stored_upload,
    template_xlsx,
    xlsx_response,
)
from campaign.lib.xlsx.runner import STATUS_LABELS
from districts.jobs import enqueue_import_job
from districts.models import ImportJob
from districts.scoping import scope_for


def ensure_may_import(user, roles) -> None:
    if scope_for(user, roles).is_empty:
        raise PermissionDenied(_("You may not import or export these records."))


@dataclass(frozen=True)
class JobImport:
    kind: str  # ImportJob.kind; the URL names are import_<kind>, import_<kind>_job, …
    title: object
    sheet: str  # the worksheet's name in the template
    resource_class: type
    task: Callable  # a Celery task taking (job_id, language)
    editor_roles: frozenset
    count_key: str  # the kind's own figure in the report ("assessments", "assigned")
    template: str  # the job page, extending imports/job.html
    list_url: str  # where the records are listed once imported
    list_label: object

    def _url(self, suffix: str = "") -> str:
        return f"import_{self.kind}{suffix}"

    def _enqueue(self, job: ImportJob) -> None:
        enqueue_import_job(job, self.task, language=get_language())

    def _import_of(self, preview: ImportJob) -> ImportJob | None:
        """The import started from this preview, unless it failed (then it may be started again)."""
        return (
            ImportJob.objects.filter(kind=self.kind, token=preview.token, dry_run=False)
            .exclude(status=ImportJob.Status.FAILED)
            .order_by("pk")
            .first()
        )

    def _own_job(self, request, pk: int, queryset=None) -> ImportJob:
        return get_object_or_404(
            ImportJob.objects if queryset is None else queryset, pk=pk, kind=self.kind, created_by=request.user
        )

    def upload(self, request):
        ensure_may_import(request.user, self.editor_roles)
        form = XlsxUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            purge_stale_uploads()
            with transaction.atomic():
                job = ImportJob.objects.create(
                    kind=self.kind, dry_run=True, token=store_upload(form.cleaned_data["file"]), created_by=request.user
                )
                self._enqueue(job)
            return redirect(self._url("_job"), pk=job.pk)
        context = {
            "spec": {"title": self.title},
            "form": form,
            "template_url": self._url("_template"),
            "export_url": f"export_{self.kind}",
        }
        return render(request, "imports/upload.html", context)

    def job(self, request, pk):
        job = self._own_job(request, pk)
        report = job.report or {}
        follow_up = retry_from = None
        if job.dry_run:
            follow_up = self._import_of(job)
        elif job.status == ImportJob.Status.FAILED:
            # The preview this import came from, to start the import again from there.
            retry_from = ImportJob.objects.filter(
                kind=self.kind, token=job.token, dry_run=True, created_by=request.user
            ).first()
        can_confirm = (
            job.dry_run
            and job.status == ImportJob.Status.DONE
            and report.get("ok")
            and (report.get("new", 0) + report.get("updated", 0) + report.get(self.count_key, 0)) > 0
            and follow_up is None
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
                "report": report,
                "rows": rows,
                "running": job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
                "can_confirm": can_confirm,
                "follow_up": follow_up,
                "retry_from": retry_from,
                "urls": {
                    "upload": self._url(),
                    "job": self._url("_job"),
                    "confirm": self._url("_confirm"),
                    "list": self.list_url,
                },
                "list_label": self.list_label,
            },
        )

    def confirm(self, request, pk):
        with transaction.atomic():
            # Locked: two clicks on Confirm start one import.
            job = self._own_job(request, pk, ImportJob.objects.select_for_update())
            report = job.report or {}
            if not (job.dry_run and job.status == ImportJob.Status.DONE and report.get("ok")):
                messages.error(request, _("Only a preview without problems can be confirmed."))
                return redirect(self._url("_job"), pk=job.pk)
            existing = self._import_of(job)
            if existing is not None:
                return redirect(self._url("_job"), pk=existing.pk)
            try:
                stored_upload(job.token)
            except FileNotFoundError:
                messages.error(request, _("The uploaded file is no longer available; upload it again."))
                return redirect(self._url())
            follow_up = ImportJob.objects.create(
                kind=self.kind, dry_run=False, token=job.token, created_by=request.user
            )
            self._enqueue(follow_up)
        return redirect(self._url("_job"), pk=follow_up.pk)

    def blank_template(self, request):
        ensure_may_import(request.user, self.editor_roles)
        content = template_xlsx(self.resource_class(user=request.user), title=self.sheet)
        return xlsx_response(content, f"{self.kind}-template.xlsx")

    def urlpatterns(self) -> list:
        return [
            path("import/", login_required(self.upload), name=self._url()),
            path("import/template.xlsx", login_required(require_GET(self.blank_template)), name=self._url("_template")),
            path("import/jobs/<int:pk>/", login_required(require_GET(self.job)), name=self._url("_job")),
            path(
                "import/jobs/<int:pk>/confirm/", login_required(require_POST(self.confirm)), name=self._url("_confirm")
            ),
        ]
