"""The campaign's jobs (jobs.registry finds this module at start): the imports of the accident
register and of the yearly values here; the key-task import in its own module, named here."""

from django.utils.translation import gettext_lazy

from campaign.resources import AccidentResource, YearlyValueResource
from campaign.services.accidents import may_record_accidents, may_set_yearly_values
from campaign.task_job_kinds import TASK_IMPORT  # noqa: F401 (registers the key-task import)
from jobs.imports import JobImport

ACCIDENT_SHEET = "生产安全事故登记"
YEARLY_VALUE_SHEET = "年度指标"

ACCIDENT_IMPORT = JobImport(
    kind="accidents",
    title=gettext_lazy("Import accidents"),
    sheet=ACCIDENT_SHEET,
    resource_class=AccidentResource,
    may_import=may_record_accidents,
    template="jobs/import_job.html",
    list_url="accident_list",
    list_label=gettext_lazy("Accident register"),
)

YEARLY_VALUE_IMPORT = JobImport(
    kind="yearly_values",
    title=gettext_lazy("Import yearly values"),
    sheet=YEARLY_VALUE_SHEET,
    resource_class=YearlyValueResource,
    may_import=may_set_yearly_values,
    template="jobs/import_job.html",
    list_url="yearly_values",
    list_label=gettext_lazy("Yearly values"),
)
