"""Spreadsheet import screens: upload → dry-run preview → confirm, plus the
blank template and an export of what the user may see.

The upload is kept under MEDIA_ROOT/imports/<token>.xlsx between preview and
confirm, and the session remembers who uploaded it: a confirm imports the very
file that was previewed, and only for the user who uploaded it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from campaign.lib.xlsx.files import (
    XlsxUploadForm,
    discard_upload,
    export_response,
    purge_stale_uploads,
    read_xlsx,
    store_upload,
    stored_upload,
    template_xlsx,
    xlsx_response,
)
from campaign.lib.xlsx.resource import XlsxResource
from campaign.lib.xlsx.runner import run_import
from districts.resources import OrgUnitResource, SiteResource
from districts.scoping import scope_for
from districts.services import ORG_EDITOR_ROLES, SITE_EDITOR_ROLES

SESSION_KEY = "xlsx_import_uploads"
# The preview lists changed and bad rows, and problems, up to these many; the counts cover all.
PREVIEW_ROWS = 500
PREVIEW_ERRORS = 1000


@dataclass(frozen=True)
class ImportKind:
    kind: str
    resource: type[XlsxResource]
    roles: frozenset
    title: object
    sheet: str
    filename: str
    done_url: str


KINDS = {
    "units": ImportKind(
        "units", OrgUnitResource, ORG_EDITOR_ROLES, gettext_lazy("Import org units"), "单位", "org-units", "unit_tree"
    ),
    "sites": ImportKind(
        "sites", SiteResource, SITE_EDITOR_ROLES, gettext_lazy("Import sites"), "场所", "sites", "site_list"
    ),
}


def _kind(request, kind: str) -> ImportKind:
    spec = KINDS[kind]
    if scope_for(request.user, spec.roles).is_empty:
        raise PermissionDenied(_("You may not import or export these records."))
    return spec


def _context(spec: ImportKind, **extra) -> dict:
    return {
        "spec": spec,
        "template_url": f"import_{spec.kind}_template",
        "export_url": f"export_{spec.kind}",
        "upload_url": f"import_{spec.kind}",
        "confirm_url": f"import_{spec.kind}_confirm",
        **extra,
    }


def _render_report(request, spec: ImportKind, report, token: str | None):
    changed = [r for r in report.rows if r.status != "unchanged"][:PREVIEW_ROWS]
    shown = [
        {
            "row": r.row,
            "status": r.status,
            "status_label": r.status_label,
            "cells": list(zip(report.columns, r.values, strict=True)),
        }
        for r in changed
    ]
    return render(
        request,
        "imports/preview.html",
        _context(
            spec,
            report=report,
            shown_rows=shown,
            preview_limit=PREVIEW_ROWS,
            shown_errors=report.errors[:PREVIEW_ERRORS],
            token=token,
        ),
    )


@login_required
def import_upload(request, kind):
    spec = _kind(request, kind)
    form = XlsxUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        purge_stale_uploads()
        token = store_upload(form.cleaned_data["file"])
        try:
            dataset = read_xlsx(stored_upload(token))
        except ValidationError as exc:
            discard_upload(token)
            form.add_error("file", exc)
        else:
            pending = request.session.get(SESSION_KEY, {})
            for old, entry in list(pending.items()):
                if entry["kind"] == kind:
                    discard_upload(old)
                    del pending[old]
            pending[token] = {"user": request.user.pk, "kind": kind}
            request.session[SESSION_KEY] = pending
            report = run_import(spec.resource(user=request.user), dataset, dry_run=True)
            return _render_report(request, spec, report, token if report.ok else None)
    return render(request, "imports/upload.html", _context(spec, form=form))


@login_required
@require_POST
def import_confirm(request, kind):
    spec = _kind(request, kind)
    token = request.POST.get("token", "")
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.get(token)
    if entry is None or entry["user"] != request.user.pk or entry["kind"] != kind:
        raise PermissionDenied(_("This upload is not yours or has expired."))
    try:
        dataset = read_xlsx(stored_upload(token))
    except (FileNotFoundError, ValidationError):
        messages.error(request, _("The uploaded file is no longer available; upload it again."))
        return redirect(f"import_{kind}")
    report = run_import(spec.resource(user=request.user), dataset, dry_run=False)
    if not report.committed:
        # The file stays: the preview lists what changed since the dry run.
        return _render_report(request, spec, report, None)
    discard_upload(token)
    del pending[token]
    request.session[SESSION_KEY] = pending
    messages.success(
        request,
        _("Imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.")
        % {"new": report.new, "updated": report.updated, "unchanged": report.unchanged},
    )
    return redirect(spec.done_url)


@login_required
@require_GET
def import_template(request, kind):
    spec = _kind(request, kind)
    content = template_xlsx(spec.resource(user=request.user), title=spec.sheet)
    return xlsx_response(content, f"{spec.filename}-template.xlsx")


@login_required
@require_GET
def export(request, kind):
    spec = _kind(request, kind)
    resource = spec.resource(user=request.user)
    return export_response(resource, resource.export_queryset(request.user), title=spec.sheet, name=spec.filename)
