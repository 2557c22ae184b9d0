"""The key-task list's import as a job (jobs.imports), found through campaign.job_kinds."""

from django.utils.translation import gettext_lazy

from campaign.services.tasks import TASK_EDITOR_ROLES
from campaign.task_resources import KeyTaskResource
from districts.job_kinds import may_import
from jobs.imports import JobImport

SHEET = "重点任务清单"

TASK_IMPORT = JobImport(
    kind="key_tasks",
    title=gettext_lazy("Import key tasks"),
    sheet=SHEET,
    resource_class=KeyTaskResource,
    may_import=may_import(TASK_EDITOR_ROLES),
    template="jobs/import_job.html",
    list_url="key_task_list",
    list_label=gettext_lazy("Key tasks"),
)
