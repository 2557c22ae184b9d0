"""The jobs of the district's structure: the org-unit and site imports (jobs.imports)."""

from django.utils.translation import gettext_lazy

from districts.resources import OrgUnitResource, SiteResource
from districts.scoping import scope_for
from districts.services import ORG_EDITOR_ROLES, SITE_EDITOR_ROLES
from jobs.imports import JobImport


def may_import(roles):
    """may_import(roles)(user): whether the user holds one of `roles` anywhere (jobs.imports)."""
    return lambda user: not scope_for(user, roles).is_empty


UNIT_IMPORT = JobImport(
    kind="units",
    title=gettext_lazy("Import org units"),
    sheet="单位",
    resource_class=OrgUnitResource,
    may_import=may_import(ORG_EDITOR_ROLES),
    template="jobs/import_job.html",
    list_url="unit_tree",
    list_label=gettext_lazy("Org units"),
)

SITE_IMPORT = JobImport(
    kind="sites",
    title=gettext_lazy("Import sites"),
    sheet="场所",
    resource_class=SiteResource,
    may_import=may_import(SITE_EDITOR_ROLES),
    template="jobs/import_job.html",
    list_url="site_list",
    list_label=gettext_lazy("Sites"),
)
