"""The risk list as a spreadsheet: export, and an import run as a job (districts.job_views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from campaign.lib.xlsx.files import export_response
from districts.job_views import JobImport, ensure_may_import
from risks.filters import RiskFilter
from risks.resources import RiskResource, level_fill
from risks.services import RISK_EDITOR_ROLES
from risks.tasks import KIND, run_risk_import

SHEET = "风险清单"

RISK_IMPORT = JobImport(
    kind=KIND,
    title=gettext_lazy("Import risks"),
    sheet=SHEET,
    resource_class=RiskResource,
    task=run_risk_import,
    editor_roles=RISK_EDITOR_ROLES,
    count_key="assessments",
    template="risks/import_job.html",
    list_url="risk_list",
    list_label=gettext_lazy("Risk register"),
)


@login_required
@require_GET
def export(request):
    """The risk list of everything the user may see, with the list's filters, in the layout the
    office collects; it imports back unchanged."""
    ensure_may_import(request.user, None)
    resource = RiskResource(user=request.user)
    rows = RiskFilter(request.GET or None, queryset=resource.export_queryset(request.user), user=request.user).qs
    return export_response(resource, rows, title=SHEET, name="risks", fill=level_fill)
