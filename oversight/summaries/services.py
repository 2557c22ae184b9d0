"""The annual summaries' writes: making a unit's summary for a year (its narrative drafted from
the year's figures), saving the narrative drafts, and starting the job that makes a version.
Each is checked against the writer's role and unit, in one transaction, with its history row."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from campaign.lib.history import save_with_history
from districts.models import OrgUnit
from districts.scoping import scope_for
from jobs.models import Job
from jobs.services import job_start
from oversight.summaries.models import MAKER_ROLES, NARRATIVE, READER_ROLES, UNIT_KINDS, AnnualSummary

KIND = "annual_summary"
MAX_NARRATIVE = 20_000


def may_make(user, unit: OrgUnit) -> bool:
    """The office and admins of the unit's district, or the unit's own street staff."""
    return unit.kind in UNIT_KINDS and scope_for(user, MAKER_ROLES).units_only().covers(unit)


def may_read(user, unit: OrgUnit) -> bool:
    return unit.kind in UNIT_KINDS and scope_for(user, READER_ROLES).units_only().covers(unit)


def _ensure_maker(user, unit: OrgUnit) -> None:
    if not may_make(user, unit):
        raise PermissionDenied(
            _("Only the creation office, the administrators and the unit's own staff make its summary.")
        )


def summary_create(*, by, unit: OrgUnit, year: int) -> AnnualSummary:
    """The unit's summary of `year` (the one there is, or a new one with its narrative drafted
    from the year's figures as `by` reads them). ValidationError when the dashboards hold no
    figures for the year."""
    from oversight.summaries import drafting
    from oversight.summaries.contents import year_page

    _ensure_maker(by, unit)
    existing = AnnualSummary.objects.filter(unit=unit, year=year).first()
    if existing is not None:
        return existing
    page = year_page(by, unit, year)  # refuses a year the rollups do not hold
    summary = AnnualSummary(unit=unit, year=year, created_by=by, **drafting.drafted(page, year))
    try:
        with transaction.atomic():
            summary._change_reason = "created"
            save_with_history(summary, by=by)
    except IntegrityError:  # made by someone else meanwhile
        return AnnualSummary.objects.get(unit=unit, year=year)
    return summary


def narrative_save(*, summary: AnnualSummary, by, **texts) -> AnnualSummary:
    """Save the narrative drafts as given (nothing typed is dropped: too long is refused)."""
    _ensure_maker(by, summary.unit)
    unknown = set(texts) - set(NARRATIVE)
    if unknown:
        raise ValueError(f"not a part of the narrative: {sorted(unknown)}")
    errors = {}
    for name, text in texts.items():
        if len(text) > MAX_NARRATIVE:
            errors[name] = _("At most %(n)s characters.") % {"n": MAX_NARRATIVE}
    if errors:
        raise ValidationError(errors)
    if not texts:
        return summary  # nothing given, nothing written
    with transaction.atomic():
        locked = AnnualSummary.objects.select_for_update().get(pk=summary.pk)
        for name, text in texts.items():
            setattr(locked, name, text)
        locked._change_reason = "narrative"
        save_with_history(locked, by=by)
    return locked


def summary_start(*, summary: AnnualSummary, by) -> Job:
    """Start the job that makes a version of `summary` in the starter's language; returns at once."""
    _ensure_maker(by, summary.unit)
    return job_start(kind=KIND, by=by, params={"summary": summary.pk}, unit_id=summary.unit_id)
