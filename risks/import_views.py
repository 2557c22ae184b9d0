"""The risk list as a spreadsheet: export, and an import run as a job (jobs.imports)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from campaign.lib.xlsx.files import export_response
from districts.import_views import ensure_may_import
from risks.filters import RiskFilter
from risks.job_kinds import SHEET
from risks.resources import RiskResource, level_fill


@login_required
@require_GET
def export(request):
    """The risk list of everything the user may see, with the list's filters, in the layout the
    office collects; it imports back unchanged."""
    ensure_may_import(request.user, None)
    resource = RiskResource(user=request.user)
    # The list's filters read the control annotations (control level, re-assessment) too.
    in_scope = resource.export_queryset(request.user).with_control()
    rows = RiskFilter(request.GET or None, queryset=in_scope, user=request.user).qs
    return export_response(resource, rows, title=SHEET, name="risks", fill=level_fill)
