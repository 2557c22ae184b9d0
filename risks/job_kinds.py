"""The jobs of the risk register: the risk-list import (jobs.imports)."""

from django.utils.translation import gettext_lazy

from districts.job_kinds import may_import
from jobs.imports import JobImport
from risks.resources import RiskResource
from risks.services import RISK_EDITOR_ROLES

SHEET = "风险清单"

RISK_IMPORT = JobImport(
    kind="risks",
    title=gettext_lazy("Import risks"),
    sheet=SHEET,
    resource_class=RiskResource,
    may_import=may_import(RISK_EDITOR_ROLES),
    count_key="assessments",
    counts=lambda resource: {"assessments": resource.assessed},
    template="risks/import_job.html",
    list_url="risk_list",
    list_label=gettext_lazy("Risk register"),
)
