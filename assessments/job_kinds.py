"""A scoring template's import as a job (jobs.imports): a file makes a new version."""

from django.utils.translation import gettext_lazy

from assessments.resources import SHEET, TemplateItemResource
from assessments.services import may_edit_templates
from jobs.imports import JobImport

TEMPLATE_IMPORT = JobImport(
    kind="assessment_templates",
    title=gettext_lazy("Import a scoring template"),
    sheet=SHEET,
    resource_class=TemplateItemResource,
    may_import=may_edit_templates,
    template="jobs/import_job.html",
    list_url="assessment_template_list",
    list_label=gettext_lazy("Scoring templates"),
)
