"""The org-unit and site spreadsheets: exports, and imports run as jobs (jobs.imports) — upload →
preview job → confirm → import job, on the job page every import has.

Who may import a kind of record is who may edit it (their scope for the editing roles); an export
holds what the user may see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaign.lib.xlsx.files import export_response
from districts.job_kinds import SITE_IMPORT, UNIT_IMPORT
from districts.scoping import scope_for

EXPORTS = {UNIT_IMPORT.kind: ("org-units", UNIT_IMPORT), SITE_IMPORT.kind: ("sites", SITE_IMPORT)}


def ensure_may_import(user, roles) -> None:
    if scope_for(user, roles).is_empty:
        raise PermissionDenied(_("You may not import or export these records."))


@login_required
@require_GET
def export(request, kind):
    filename, spec = EXPORTS[kind]
    if not spec.may_import(request.user):
        raise PermissionDenied(_("You may not import or export these records."))
    resource = spec.resource_class(user=request.user)
    return export_response(resource, resource.export_queryset(request.user), title=spec.sheet, name=filename)
