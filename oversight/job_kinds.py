"""The jobs of the rollups: a rebuild the creation office starts from the dashboard and watches
(rollups_start), run by the job framework like any other long work."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from districts.models import OrgUnit, Role
from districts.scoping import scope_for
from jobs.models import Job
from jobs.registry import JobFailed, JobKind, register
from jobs.services import job_start
from oversight.rollups import rebuild

# Who may start a rebuild of a district's figures, and see its jobs: its reviewers and admins.
REBUILDER_ROLES = frozenset({Role.REVIEWER, Role.SYSTEM_ADMIN})
KIND = "rollups"


def rebuildable_districts(user):
    """The districts whose figures `user` may rebuild."""
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT).in_scope(scope_for(user, REBUILDER_ROLES))


def may_rebuild(user, district: OrgUnit) -> bool:
    return rebuildable_districts(user).filter(pk=district.pk).exists()


def rollups_start(*, district: OrgUnit, by, full: bool = True) -> Job:
    """Start a watched rebuild of `district`'s rollups (the dashboard's button)."""
    if not may_rebuild(by, district):
        raise PermissionDenied(_("Only the creation office and the administrators rebuild the district's figures."))
    return job_start(kind=KIND, by=by, params={"full": bool(full)}, unit_id=district.pk)


def _run(job: Job, prepared, progress) -> dict:
    district = OrgUnit.objects.filter(pk=job.unit_id, kind=OrgUnit.Kind.DISTRICT).first()
    if district is None:
        raise JobFailed(_("The district of this rebuild no longer exists."))
    progress.start(1)
    return rebuild(district, full=job.params.get("full", True)).as_report()


def _visible_to(user) -> Q:
    return Q(unit_id__in=list(rebuildable_districts(user).values_list("pk", flat=True)))


def _page(request, job: Job):
    district = OrgUnit.objects.filter(pk=job.unit_id).first()
    return render(
        request,
        "oversight/rollups_job.html",
        {"job": job, "report": job.report or {}, "running": job.is_active, "district": district, "label": LABEL},
    )


LABEL = gettext_lazy("Rebuild the dashboard figures")
ROLLUPS = register(JobKind(name=KIND, label=LABEL, run=_run, visible_to=_visible_to, page=_page))

# The bulletins' PDFs (oversight/bulletins/documents.py): registered when this module is found.
from oversight.bulletins import documents as _bulletin_documents  # noqa: E402, F401

# The annual summaries (oversight/summaries/documents.py): registered when this module is found.
from oversight.summaries import documents as _summary_documents  # noqa: E402, F401
