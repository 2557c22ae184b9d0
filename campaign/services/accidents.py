"""Writes to the accident register and to the yearly values. Each is one transaction, checked
against the writer's role and unit (campaign.accident_roles), and leaves a history row that names
the writer. An accident's grade is computed here from its figures every time they are written
(grade_for, 《生产安全事故报告和调查处理条例》): nobody types it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from campaign.accident_roles import accident_writer_scope, yearly_value_writer_scope
from campaign.lib.history import save_with_history
from campaign.lib.params import parse_int
from campaign.lib.services import refuse_unknown_fields
from campaign.models import Accident, YearlyValue
from districts.models import OrgUnit, User

# What a person records of an accident; the grade follows from the figures.
ACCIDENT_FIELDS = (
    "unit",
    "location",
    "site",
    "sector",
    "occurred_on",
    "accident_type",
    "summary",
    "deaths",
    "serious_injuries",
    "direct_loss",
    "investigation_status",
)
YEARLY_VALUE_FIELDS = ("gdp", "gdp_source", "deaths_override", "deaths_source")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def may_record_accidents(user: User) -> bool:
    return not accident_writer_scope(user).is_empty


def may_set_yearly_values(user: User) -> bool:
    return not yearly_value_writer_scope(user).is_empty


def ensure_can_record_accident(*, by: User, unit: OrgUnit | None) -> None:
    scope = accident_writer_scope(by)
    if scope.is_empty:
        raise PermissionDenied(_("You may not record accidents."))
    if unit is not None and not scope.covers(unit):
        raise PermissionDenied(_("You may not record or change accidents in %(unit)s.") % {"unit": unit})


def ensure_can_set_yearly_values(*, by: User, unit: OrgUnit) -> None:
    scope = yearly_value_writer_scope(by)
    if scope.is_empty:
        raise PermissionDenied(_("Only the creation office and the emergency-management bureau set yearly values."))
    if not scope.covers(unit):
        raise PermissionDenied(_("You may not set the yearly values of %(unit)s.") % {"unit": unit})


def _graded_and_saved(accident: Accident, by: User) -> Accident:
    # The figures are checked first, so that a bad one is reported as itself, not as a grade.
    accident.full_clean(exclude=["grade"])
    accident.grade = accident.compute_grade()
    return save_with_history(accident, by)


@transaction.atomic
def accident_create(*, by: User, **fields) -> Accident:
    """Record an accident where it happened."""
    refuse_unknown_fields("accident_create", fields, ACCIDENT_FIELDS)
    accident = Accident(**fields)
    ensure_can_record_accident(by=by, unit=accident.unit if accident.unit_id else None)
    return _graded_and_saved(accident, by)


@transaction.atomic
def accident_update(*, accident: Accident, by: User, **fields) -> Accident:
    """Correct an accident's record (its figures as the investigation establishes them, its
    status); permitted where the accident was and where it goes."""
    refuse_unknown_fields("accident_update", fields, ACCIDENT_FIELDS)
    locked = Accident.objects.select_for_update(of=("self",)).select_related("unit").get(pk=accident.pk)
    ensure_can_record_accident(by=by, unit=locked.unit)
    for name, value in fields.items():
        setattr(locked, name, value)
    ensure_can_record_accident(by=by, unit=locked.unit if locked.unit_id else None)
    return _graded_and_saved(locked, by)


@transaction.atomic
def yearly_value_set(*, by: User, unit: OrgUnit, year: int, **fields) -> YearlyValue:
    """Create or change the yearly value of `unit` for `year`: the fields given are set, the
    others kept. An empty deaths figure means the register counts them."""
    refuse_unknown_fields("yearly_value_set", fields, YEARLY_VALUE_FIELDS)
    if parse_int(year, minimum=FIRST_YEAR, maximum=LAST_YEAR) is None:
        raise ValidationError(
            {"year": _("A year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}}
        )
    ensure_can_set_yearly_values(by=by, unit=unit)
    # The unit's row is locked until the end: two first writes of one year make one row.
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()
    value = YearlyValue.objects.filter(unit=unit, year=year).first() or YearlyValue(unit=unit, year=year)
    for name, given in fields.items():
        setattr(value, name, given)
    return save_with_history(value, by)
