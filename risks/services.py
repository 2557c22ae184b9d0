"""Writes to the risk register. Each is one transaction, checked against the
writer's role and org unit; history is written in the same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.lib.history import bulk_history_create, save_with_history
from campaign.lib.params import parse_int
from campaign.lib.services import refuse_unknown_fields
from districts import authority
from districts.models import OrgUnit, Role, User
from districts.scoping import scope_for
from risks.models import (
    UNIT_CONTROL_LEVEL,
    Assessment,
    AssessmentMethod,
    ControlPolicy,
    ControlRule,
    Level,
    MethodVersion,
    Review,
    RiskPoint,
    below_control_level,
)

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


# ---------------------------------------------------------------- graded control (分级管控)


def control_policy() -> ControlPolicy:
    """The one policy; until the system administrator saves it, mismatches are refused."""
    return ControlPolicy.objects.filter(pk=1).first() or ControlPolicy()


def control_mismatch_message(*, level: str, unit: OrgUnit, control_level: str) -> str:
    return _(
        "A %(level)s risk is controlled at %(control)s, but its responsible unit %(unit)s is at "
        "%(owner)s: give it a responsible unit at %(control)s or above."
    ) % {
        "level": Level(level).label,
        "control": ControlRule.ControlLevel(control_level).label,
        "unit": unit.name,
        "owner": ControlRule.ControlLevel(UNIT_CONTROL_LEVEL[unit.kind]).label,
    }


def check_control(*, level: str | None, unit: OrgUnit, rules: dict | None = None, policy=None) -> str | None:
    """The refusal, if a risk of `level` owned by `unit` breaks graded control and the policy
    refuses it; None when it is fine or only to be flagged (the lists show the flag)."""
    if not level or unit is None:
        return None
    if rules is None:
        rules = dict(ControlRule.objects.values_list("level", "control_level"))
    control_level = rules.get(level)
    if not below_control_level(unit.kind, control_level):
        return None
    if (policy or control_policy()).on_mismatch == ControlPolicy.OnMismatch.WARN:
        return None
    return control_mismatch_message(level=level, unit=unit, control_level=control_level)


def _ensure_control(risk: RiskPoint) -> None:
    refusal = check_control(level=risk.level, unit=risk.responsible_unit)
    if refusal:
        raise ValidationError({"responsible_unit": refusal})


@transaction.atomic
def control_policy_update(*, by: User, on_mismatch: str) -> ControlPolicy:
    """The system administrator sets whether a mismatch is refused or only flagged."""
    authority.check_setup(by=by)
    policy = ControlPolicy.objects.select_for_update().filter(pk=1).first() or ControlPolicy(pk=1)
    policy.on_mismatch = on_mismatch
    save_with_history(policy, by)
    return policy


def risk_code_next(*, unit: OrgUnit) -> str:
    """The code for a new risk at `unit`: R<unit code>-<n>, n one more than the unit's last.
    Call it inside the transaction that saves the risk: the unit's row stays locked until
    then, so two risks added at once in one unit never get the same code."""
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()
    prefix = f"R{unit.code}-"
    last = RiskPoint.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    tail = last[len(prefix) :] if last else ""
    return f"{prefix}{(parse_int(tail) or 0) + 1:06d}"


@transaction.atomic
def risk_create(*, by: User, assessments: list[dict] = (), **fields) -> RiskPoint:
    """A new risk point, with its first assessments ({"method", "stage", "inputs"}) if given."""
    refuse_unknown_fields("risk_create", fields, EDITABLE_FIELDS)
    risk = RiskPoint(**fields)
    ensure_can_edit_risk(by=by, unit=risk.unit, sector_id=risk.sector_id)
    risk.code = risk_code_next(unit=risk.unit)
    save_with_history(risk, by)
    # Graded together: the level who must control it is the one after all of them (an inherent
    # grade then a residual one), and a refusal rolls the whole risk back.
    if assessments:
        risks_assess(by=by, grades=[Grade(risk, **spec) for spec in assessments])
    _ensure_control(risk)
    return risk


@transaction.atomic
def risk_update(*, risk: RiskPoint, by: User, **fields) -> RiskPoint:
    # Allowed where the risk was and where it goes.
    ensure_can_edit_risk(by=by, unit=risk.unit, sector_id=risk.sector_id)
    refuse_unknown_fields("risk_update", fields, EDITABLE_FIELDS)
    for name, value in fields.items():
        setattr(risk, name, value)
    ensure_can_edit_risk(by=by, unit=risk.unit, sector_id=risk.sector_id)
    _ensure_control(risk)
    return save_with_history(risk, by)


def next_review(level: str, since: datetime.date) -> datetime.date | None:
    rule = ControlRule.objects.filter(level=level).first()
    return since + datetime.timedelta(days=rule.review_every_days) if rule else None


@dataclass(frozen=True)
class Grade:
    """One assessment to make: `risk` graded by the current version of `method` from `inputs`."""

    risk: RiskPoint
    method: AssessmentMethod
    inputs: dict
    stage: str = Assessment.Stage.RESIDUAL
    note: str = ""


@transaction.atomic
def risks_assess(*, by: User, grades: Sequence[Grade]) -> list[Assessment]:
    """Grade risks with the current version of their method. The residual grade, once there is
    one, is a risk's level; its next review is due by the cadence of that level. Each graded risk
    gets a history row. Many grades at once (an import's thousands) cost a few queries."""
    scope = scope_for(by, RISK_EDITOR_ROLES)
    for grade in grades:
        if not scope.covers(grade.risk.unit, grade.risk.sector_id):
            raise PermissionDenied(_("You may not add or change risks in %(unit)s.") % {"unit": grade.risk.unit})
    ids = {grade.risk.pk for grade in grades}
    # Locked in id order, so that two grading transactions never wait on each other in a circle.
    locked = {risk.pk: risk for risk in RiskPoint.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    with_residual = set(
        Assessment.objects.filter(risk__in=ids, stage=Assessment.Stage.RESIDUAL).values_list("risk_id", flat=True)
    )
    cadence = dict(ControlRule.objects.values_list("level", "review_every_days"))
    versions: dict[int, MethodVersion] = {}
    today, now = timezone.localdate(), timezone.now()
    assessments, graded = [], {}
    for grade in grades:
        if grade.method.pk not in versions:
            versions[grade.method.pk] = grade.method.current
        version = versions[grade.method.pk]
        score = version.score(grade.inputs)
        risk = locked[grade.risk.pk]
        assessment = Assessment(
            risk=risk,
            stage=grade.stage,
            method_version=version,
            inputs={k: float(Decimal(str(v))) for k, v in grade.inputs.items()},
            score=score,
            level=version.level_of(score),
            note=grade.note,
            assessed_by=by,
            assessed_at=now,
        )
        # The three relations are rows in hand, and the score of allowed factor values is never
        # negative: no SELECT per assessment to check either (an import makes thousands).
        assessment.full_clean(exclude=["risk", "method_version", "assessed_by"], validate_constraints=False)
        assessments.append(assessment)
        if grade.stage == Assessment.Stage.RESIDUAL or risk.pk not in with_residual:
            risk.current_assessment = assessment
            days = cadence.get(assessment.level)
            since = risk.last_reviewed_on or today
            risk.next_review_on = since + datetime.timedelta(days=days) if days is not None else None
            risk.updated_at = now
            graded[risk.pk] = risk
        if grade.stage == Assessment.Stage.RESIDUAL:
            with_residual.add(risk.pk)
    _ensure_graded_control(graded.values())
    Assessment.objects.bulk_create(assessments)
    _point_at(graded.values(), now=now)
    bulk_history_create(RiskPoint, list(graded.values()), default_user=by)
    for grade in grades:
        # The caller's copy shows what was saved.
        fresh = locked[grade.risk.pk]
        grade.risk.current_assessment, grade.risk.next_review_on = fresh.current_assessment, fresh.next_review_on
    return assessments


def _ensure_graded_control(risks) -> None:
    """A new grade must keep each risk's responsible unit at or above its control level."""
    risks = list(risks)
    if not risks:
        return
    rules = dict(ControlRule.objects.values_list("level", "control_level"))
    policy = control_policy()
    units = OrgUnit.objects.in_bulk({risk.responsible_unit_id for risk in risks})
    refusals = []
    for risk in risks:
        refusal = check_control(
            level=risk.current_assessment.level, unit=units[risk.responsible_unit_id], rules=rules, policy=policy
        )
        if refusal:
            refusals.append(f"{risk.code or risk.name}：{refusal}" if len(risks) > 1 else refusal)
    if refusals:
        raise ValidationError({"responsible_unit": refusals})


def _point_at(risks, *, now) -> None:
    """Save each risk's current assessment and next review date. bulk_update() would build a
    CASE of one branch a risk, which PostgreSQL walks for every row (seconds for thousands):
    instead one UPDATE per next-review date, each finding its risks' assessments by subquery."""
    by_date: dict[datetime.date | None, list[RiskPoint]] = {}
    for risk in risks:
        by_date.setdefault(risk.next_review_on, []).append(risk)
    for next_review_on, group in by_date.items():
        chosen = [risk.current_assessment.pk for risk in group]
        RiskPoint.objects.filter(pk__in=[risk.pk for risk in group]).update(
            current_assessment=Subquery(Assessment.objects.filter(pk__in=chosen, risk=OuterRef("pk")).values("pk")[:1]),
            next_review_on=next_review_on,
            updated_at=now,
        )
    for risk in risks:
        risk.current_assessment = risk.current_assessment  # the saved assessment's id onto the instance


def risk_assess(
    *, risk: RiskPoint, by: User, method: AssessmentMethod, stage: str, inputs: dict, note: str = ""
) -> Assessment:
    """Grade one risk (see risks_assess)."""
    return risks_assess(by=by, grades=[Grade(risk, method, inputs, stage, note)])[0]


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
    save_with_history(risk, by)
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
