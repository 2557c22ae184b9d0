"""The hazard ledger as a spreadsheet: export, and an import run as a job (districts.job_views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from campaign.lib.xlsx.files import export_response
from districts.job_views import JobImport, ensure_may_import
from hazards.filters import HazardFilter
from hazards.models import Hazard
from hazards.resources import HazardResource
from hazards.tasks import KIND, run_hazard_import
from hazards.workflow import SIDE_ROLES, Side

SHEET = "隐患台账"

HAZARD_IMPORT = JobImport(
    kind=KIND,
    title=gettext_lazy("Import hazards"),
    sheet=SHEET,
    resource_class=HazardResource,
    task=run_hazard_import,
    editor_roles=SIDE_ROLES[Side.REPORTER],
    count_key="assigned",
    template="hazards/import_job.html",
    list_url="hazard_list",
    list_label=gettext_lazy("Hazard ledger"),
)


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
    return export_response(HazardResource(user=request.user), filtered, title=SHEET, name="hazards")
