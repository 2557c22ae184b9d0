"""What the annual summaries' screens read: the summaries a user may read, the units and years
they may make one for, a summary's versions and its running job."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from districts.models import OrgUnit
from districts.scoping import scope_for
from jobs.models import Job
from oversight.figures import calendar_for
from oversight.models import Granularity
from oversight.summaries.models import MAKER_ROLES, READER_ROLES, UNIT_KINDS, AnnualSummary, SummaryVersion
from oversight.summaries.services import KIND


def _units(user, roles) -> QuerySet[OrgUnit]:
    scope = scope_for(user, roles).units_only()
    if scope.is_empty:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(kind__in=UNIT_KINDS).in_scope(scope).order_by("tree_id", "lft")


def reads_summaries(user) -> bool:
    """Whether `user` holds a role that reads some unit's summaries (the menu's link)."""
    return not scope_for(user, READER_ROLES).units_only().is_empty


def makeable_units(user) -> list[OrgUnit]:
    """The district and streets `user` may make a summary of (a street's staff: their street)."""
    return list(_units(user, MAKER_ROLES))


def summaries_for(user) -> QuerySet[AnnualSummary]:
    """The summaries `user` may read, the latest version of each attached as `latest`."""
    latest = SummaryVersion.objects.order_by("summary_id", "-version").select_related("made_by")
    return (
        AnnualSummary.objects.filter(unit__in=_units(user, READER_ROLES))
        .select_related("unit")
        .prefetch_related(Prefetch("versions", queryset=latest, to_attr="versions_newest_first"))
        .order_by("-year", "unit__tree_id", "unit__lft")
    )


def summary_or_404(user, pk) -> AnnualSummary:
    summary = AnnualSummary.objects.filter(pk=pk, unit__in=_units(user, READER_ROLES)).select_related("unit").first()
    if summary is None:
        raise Http404
    return summary


def version_or_404(summary: AnnualSummary, number: int) -> SummaryVersion:
    version = summary.versions.filter(version=number).first()
    if version is None:
        raise Http404
    return version


def years_of(units: list[OrgUnit]) -> list[int]:
    """The years the units' dashboards hold (their districts' campaign years so far), newest first."""
    years: set[int] = set()
    for district_id in {u.pk if u.kind == OrgUnit.Kind.DISTRICT else u.parent_id for u in units}:
        district = OrgUnit.objects.filter(pk=district_id, kind=OrgUnit.Kind.DISTRICT).first()
        if district is None:
            continue
        _campaign, _counted, cal = calendar_for(district)
        if cal is not None:
            years |= {period.start.year for period in cal.periods(Granularity.YEAR)}
    return sorted(years, reverse=True)


def waiting_job(summary: AnnualSummary) -> Job | None:
    """The summary's newest job still waiting for a worker, if any: it will read the narrative
    as it is when it starts, so a second one is not needed."""
    return Job.objects.filter(kind=KIND, params__summary=summary.pk, state=Job.State.QUEUED).order_by("-pk").first()


def last_job(summary: AnnualSummary) -> Job | None:
    return Job.objects.filter(kind=KIND, params__summary=summary.pk).order_by("-pk").first()
