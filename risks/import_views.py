"""The risk list as a spreadsheet: export, and an import run as a job (jobs.imports)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.views.decorators.http import require_GET

from campaign.lib.xlsx.files import export_xlsx
from districts.import_views import ensure_may_import
from jobs.imports import xlsx_response
from risks.job_kinds import SHEET
from risks.resources import RiskResource, level_fill


@login_required
@require_GET
def export(request):
    """The risk list of everything the user may see, in the layout the office collects."""
    ensure_may_import(request.user, None)
    resource = RiskResource(user=request.user)
    content = export_xlsx(resource, resource.export_queryset(request.user), title=SHEET, fill=level_fill)
    return xlsx_response(content, f"risks-{timezone.localdate():%Y%m%d}.xlsx")
