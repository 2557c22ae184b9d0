"""The hazard ledger as a spreadsheet: export, and an import run as a job (jobs.imports)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from campaign.lib.xlsx.files import export_response
from districts.import_views import ensure_may_import
from hazards.filters import HazardFilter
from hazards.job_kinds import SHEET
from hazards.models import Hazard
from hazards.resources import HazardResource


@login_required
@require_GET
def export(request):
    """The hazard ledger of everything the user may see, with the list's filters, in the layout
    the office collects; it imports back unchanged."""
    ensure_may_import(request.user, None)
    queryset = (
        Hazard.objects.visible_to(request.user)
        .with_overdue()
        .select_related(
            "unit__parent__parent", "site", "sector", "responsible_unit", "found_by", "listing__supervising_unit"
        )
    )
    filtered = HazardFilter(request.GET or None, queryset=queryset, user=request.user).qs.order_by("id")
    resource = HazardResource(user=request.user)
    return export_response(resource, filtered, title=SHEET, name="hazards")
