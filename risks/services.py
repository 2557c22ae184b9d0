"""Writes to the risk register. Each is one transaction, checked against the
writer's role and org unit; history is written in the same transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from districts.models import OrgUnit, Role, User
from districts.scoping import scope_for
from risks.models import Assessment, AssessmentMethod, ControlRule, MethodVersion, Review, RiskPoint

# Street and department staff keep the register; community staff add what they
# find on patrol; a system admin may correct anything. Everyone else reads.
RISK_EDITOR_ROLES = frozenset({Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.DEPARTMENT_STAFF, Role.SYSTEM_ADMIN})
METHOD_EDITOR_ROLES = frozenset({Role.SYSTEM_ADMIN})

EDITABLE_FIELDS = (
    "name",
    "unit",
    "site",
    "sector",
    "accident_type",
    "description",
    "hazard_factors",
    "engineering_measures",
    "management_measures",
    "training_measures",
    "protection_measures",
    "emergency_measures",
    "responsible_unit",
    "responsible_person",
    "status",
)


def ensure_can_edit_risk(*, by: User, unit, sector_id: int | None) -> None:
    if not scope_for(by, RISK_EDITOR_ROLES).covers(unit, sector_id):
        raise PermissionDenied(_("You may not add or change risks in %(unit)s.") % {"unit": unit})


def _save(risk: RiskPoint, by: User) -> RiskPoint:
    risk.full_clean()
    risk._history_user = by
    risk.save()
    return risk


def risk_code_next(*, unit: OrgUnit) -> str:
    """The code for a new risk at `unit`: R<unit code>-<n>, n one more than the unit's last.
    Call it inside the transaction that saves the risk: the unit's row stays locked until
    then, so two risks added at once in one unit never get the same code."""
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()
    prefix = f"R{unit.code}-"
    last = RiskPoint.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    tail = last[len(prefix) :] if last else ""
    return f"{prefix}{(int(tail) if tail.isdigit() else 0) + 1:06d}"


@transaction.atomic
def risk_create(*, by: User, assessments: list[dict] = (), **fields) -> RiskPoint:
    """A new risk point, with its first assessments ({"method", "stage", "inputs"}) if given."""
    risk = RiskPoint(**{k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    ensure_can_edit_risk(by=by, unit=risk.unit, sector_id=risk.sector_id)
    risk.code = risk_code_next(unit=risk.unit)
    _save(risk, by)
    for spec in assessments:
        risk_assess(risk=risk, by=by, **spec)
    return risk


@transaction.atomic
def risk_update(*, risk: RiskPoint, by: User, **fields) -> RiskPoint:
    # Allowed where the risk was and where it goes.
    ensure_can_edit_risk(by=by, unit=risk.unit, sector_id=risk.sector_id)
    for name, value in fields.items():
        if name in EDITABLE_FIELDS:
            setattr(risk, name, value)
    ensure_can_edit_risk(by=by, unit=risk.unit, sector_id=risk.sector_id)
    return _save(risk, by)


def next_review(level: str, since: datetime.date) -> datetime.date | None:
    rule = ControlRule.objects.filter(level=level).first()
    return since + datetime.timedelta(days=rule.review_every_days) if rule else None


@transaction.atomic
def risk_assess(
    *, risk: RiskPoint, by: User, method: AssessmentMethod, stage: str, inputs: dict, note: str = ""
) -> Assessment:
    """Grade a risk with the current version of `method`. The residual grade, once there is
    one, is the risk's level; the next review is due by the cadence of that level."""
    ensure_can_edit_risk(by=by, unit=risk.unit, sector_id=risk.sector_id)
    risk = RiskPoint.objects.select_for_update().get(pk=risk.pk)
    version = method.current
    score = version.score(inputs)
    assessment = Assessment(
        risk=risk,
        stage=stage,
        method_version=version,
        inputs={k: float(Decimal(str(v))) for k, v in inputs.items()},
        score=score,
        level=version.level_of(score),
        note=note,
        assessed_by=by,
    )
    assessment.full_clean()
    assessment.save()
    has_residual = risk.assessments.filter(stage=Assessment.Stage.RESIDUAL).exclude(pk=assessment.pk).exists()
    if stage == Assessment.Stage.RESIDUAL or not has_residual:
        risk.current_assessment = assessment
        today = timezone.localdate()
        risk.next_review_on = next_review(assessment.level, risk.last_reviewed_on or today)
        _save(risk, by)
    return assessment


@transaction.atomic
def risk_review(*, risk: RiskPoint, by: User, reviewed_on: datetime.date | None = None, note: str = "") -> Review:
    """Record that the controls were reviewed; the next review falls due by the level's cadence."""
    ensure_can_edit_risk(by=by, unit=risk.unit, sector_id=risk.sector_id)
    reviewed_on = reviewed_on or timezone.localdate()
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("A review cannot be dated in the future.")})
    review = Review.objects.create(risk=risk, reviewed_on=reviewed_on, reviewed_by=by, note=note)
    risk.last_reviewed_on = reviewed_on
    if risk.level:
        risk.next_review_on = next_review(risk.level, reviewed_on)
    _save(risk, by)
    return review


@transaction.atomic
def method_revise(*, method: AssessmentMethod, by: User, factors: dict, bands: list) -> MethodVersion:
    """A new version of a method. Past assessments keep the version they were made with."""
    if scope_for(by, METHOD_EDITOR_ROLES).is_empty and not by.is_superuser:
        raise PermissionDenied(_("Only a system administrator may change assessment methods."))
    method = AssessmentMethod.objects.select_for_update().get(pk=method.pk)
    current = method.current
    version = MethodVersion(
        method=method, number=(current.number + 1) if current else 1, factors=factors, bands=bands, created_by=by
    )
    version.full_clean()
    version.save()
    return version
