"""The hazard ledger as a spreadsheet: export, blank template, and an import run as a job.

Uploading stores the file and queues a preview job (a dry run); the job page
shows its progress and then the preview; confirming queues a second job that
imports the same stored file. The request never runs an import: a worker does
(hazards.tasks.run_hazard_import). Only the user who started a job sees it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign.lib.xlsx.files import (
    XLSX_MIME,
    XlsxUploadForm,
    export_xlsx,
    purge_stale_uploads,
    store_upload,
    stored_upload,
    template_xlsx,
)
from districts.models import ImportJob
from districts.scoping import scope_for
from hazards.filters import HazardFilter
from hazards.models import Hazard
from hazards.resources import HazardResource
from hazards.tasks import KIND, run_hazard_import
from hazards.workflow import SIDE_ROLES, Side

SHEET = "隐患台账"
TITLE = gettext_lazy("Import hazards")


def _ensure_editor(request) -> None:
    if scope_for(request.user, SIDE_ROLES[Side.REPORTER]).is_empty:
        raise PermissionDenied(_("You may not import or export these records."))


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _enqueue(job: ImportJob) -> None:
    language = get_language()
    transaction.on_commit(lambda: run_hazard_import.delay(job.id, language))


def _own_job(request, pk: int, queryset=None) -> ImportJob:
    return get_object_or_404(
        ImportJob.objects if queryset is None else queryset, pk=pk, kind=KIND, created_by=request.user
    )


@login_required
def import_upload(request):
    _ensure_editor(request)
    form = XlsxUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        purge_stale_uploads()
        with transaction.atomic():
            job = ImportJob.objects.create(
                kind=KIND, dry_run=True, token=store_upload(form.cleaned_data["file"]), created_by=request.user
            )
            _enqueue(job)
        return redirect("import_hazards_job", pk=job.pk)
    context = {
        "spec": {"title": TITLE},
        "form": form,
        "template_url": "import_hazards_template",
        "export_url": "export_hazards",
    }
    return render(request, "imports/upload.html", context)


@login_required
@require_GET
def import_job(request, pk):
    job = _own_job(request, pk)
    report = job.report or {}
    follow_up = None
    if job.dry_run:
        follow_up = ImportJob.objects.filter(kind=KIND, token=job.token, dry_run=False).order_by("pk").first()
    can_confirm = (
        job.dry_run
        and job.status == ImportJob.Status.DONE
        and report.get("ok")
        and (report.get("new", 0) + report.get("updated", 0) + report.get("assigned", 0)) > 0
        and follow_up is None
    )
    rows = [
        {**r, "cells": list(zip(report.get("columns", []), r["values"], strict=False))} for r in report.get("rows", [])
    ]
    return render(
        request,
        "hazards/import_job.html",
        {
            "title": TITLE,
            "job": job,
            "report": report,
            "rows": rows,
            "running": job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
            "can_confirm": can_confirm,
            "follow_up": follow_up,
        },
    )


@login_required
@require_POST
def import_job_confirm(request, pk):
    with transaction.atomic():
        # Locked: two clicks on Confirm start one import.
        job = _own_job(request, pk, ImportJob.objects.select_for_update())
        report = job.report or {}
        if not (job.dry_run and job.status == ImportJob.Status.DONE and report.get("ok")):
            messages.error(request, _("Only a preview without problems can be confirmed."))
            return redirect("import_hazards_job", pk=job.pk)
        existing = ImportJob.objects.filter(kind=KIND, token=job.token, dry_run=False).order_by("pk").first()
        if existing is not None:
            return redirect("import_hazards_job", pk=existing.pk)
        try:
            stored_upload(job.token)
        except FileNotFoundError:
            messages.error(request, _("The uploaded file is no longer available; upload it again."))
            return redirect("import_hazards")
        follow_up = ImportJob.objects.create(kind=KIND, dry_run=False, token=job.token, created_by=request.user)
        _enqueue(follow_up)
    return redirect("import_hazards_job", pk=follow_up.pk)


@login_required
@require_GET
def import_template(request):
    _ensure_editor(request)
    content = template_xlsx(HazardResource(user=request.user), title=SHEET)
    return _xlsx_response(content, "hazards-template.xlsx")


@login_required
@require_GET
def export(request):
    """The hazard ledger of everything the user may see, with the list's filters, in the layout
    the office collects; it imports back unchanged."""
    if scope_for(request.user).is_empty:
        raise PermissionDenied(_("You may not import or export these records."))
    queryset = (
        Hazard.objects.visible_to(request.user)
        .with_overdue()
        .select_related(
            "unit__parent__parent", "site", "sector", "responsible_unit", "found_by", "listing__supervising_unit"
        )
    )
    filtered = HazardFilter(request.GET or None, queryset=queryset, user=request.user).qs.order_by("id")
    resource = HazardResource(user=request.user)
    content = export_xlsx(resource, filtered, title=SHEET)
    return _xlsx_response(content, f"hazards-{timezone.localdate():%Y%m%d}.xlsx")
