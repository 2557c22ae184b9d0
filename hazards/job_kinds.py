"""The jobs of the hazard ledger: the hazard-ledger import (jobs.imports)."""

from django.utils.translation import gettext_lazy

from districts.job_kinds import may_import
from hazards.resources import HazardResource
from hazards.workflow import SIDE_ROLES, Side
from jobs.imports import JobImport

SHEET = "隐患台账"

HAZARD_IMPORT = JobImport(
    kind="hazards",
    title=gettext_lazy("Import hazards"),
    sheet=SHEET,
    resource_class=HazardResource,
    may_import=may_import(SIDE_ROLES[Side.REPORTER]),
    count_key="assigned",
    counts=lambda resource: {"assigned": resource.assigned},
    template="hazards/import_job.html",
    list_url="hazard_list",
    list_label=gettext_lazy("Hazard ledger"),
)
