"""Scoped reads of the risk register. Each selector owns its joins."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Prefetch, Value, When

from campaign.lib.history import Version, versions_of
from districts.models import User
from risks.models import (
    LEVEL_COLOURS,
    LEVEL_ORDER,
    Assessment,
    AssessmentMethod,
    Level,
    MethodVersion,
    Review,
    RiskPoint,
    review_due_q,
    review_overdue_q,
)
from risks.services import RISK_EDITOR_ROLES

# Kept by the platform, not typed by a person: a change to them is not worth a line in the history.
HISTORY_HIDDEN_FIELDS = {"updated_at", "created_at", "current_assessment"}


def risks_for(user: User):
    # unit__parent__parent: the street and community of a risk in a grid, for the place column.
    return (
        RiskPoint.objects.visible_to(user)
        .select_related("unit__parent__parent", "sector", "site", "responsible_unit", "current_assessment")
        .with_control()
    )


def review_counts(user: User, *, overview: bool = False) -> dict[str, int]:
    """Reviews overdue and due soon: of the risks `user` keeps (may edit), or for a leader's
    overview of every risk they see. One query."""
    risks = RiskPoint.objects.visible_to(user) if overview else RiskPoint.objects.editable_by(user, RISK_EDITOR_ROLES)
    return risks.aggregate(
        overdue=Count("pk", filter=review_overdue_q()),
        due=Count("pk", filter=review_due_q()),
    )


def risk_detail_for(user: User, pk: int) -> RiskPoint:
    return (
        RiskPoint.objects.visible_to(user)
        .select_related(
            "unit__parent__parent",
            "sector",
            "site",
            "responsible_unit",
            "current_assessment__method_version__method",
        )
        .with_control()
        .get(pk=pk)
    )


# The levels on the district's register of graded control (重大、较大风险管控清单).
REGISTER_LEVELS = (Level.MAJOR, Level.SIGNIFICANT)


def control_register_for(user: User):
    """The active 重大 and 较大 risks the user may see, highest level first, with their
    control level and controlling (responsible) unit."""
    return (
        RiskPoint.objects.visible_to(user)
        .filter(status=RiskPoint.Status.ACTIVE, current_assessment__level__in=REGISTER_LEVELS)
        .select_related("unit__parent__parent", "sector", "site", "responsible_unit", "current_assessment")
        .with_control()
        .annotate(
            level_rank=Case(
                *(When(current_assessment__level=level, then=Value(i)) for i, level in enumerate(LEVEL_ORDER)),
                output_field=IntegerField(),
            )
        )
        .order_by("level_rank", "responsible_unit__code", "unit__code", "name", "id")
    )


def open_hazards_of(risk: RiskPoint, user: User) -> list:
    """The risk's hazards still open that the user may see, through the reverse relation:
    the register reads hazards without importing them."""
    return list(
        risk.hazards.visible_to(user).open().select_related("unit", "responsible_unit").order_by("-found_at", "-id")
    )


def assessments_of(risk: RiskPoint) -> list[Assessment]:
    return list(risk.assessments.select_related("method_version__method", "assessed_by"))


def reviews_of(risk: RiskPoint) -> list[Review]:
    return list(risk.reviews.select_related("reviewed_by"))


def history_of(risk: RiskPoint, limit: int = 20) -> list[Version]:
    """The risk's versions, newest first, each with what it changed from the one before it."""
    return versions_of(risk, hidden=HISTORY_HIDDEN_FIELDS, limit=limit)


def methods_with_current_version() -> list[AssessmentMethod]:
    """Each method with `.current_version` set: the version a new assessment is made with."""
    methods = AssessmentMethod.objects.prefetch_related(
        Prefetch("versions", queryset=MethodVersion.objects.order_by("-number"), to_attr="versions_newest_first")
    )
    result = []
    for method in methods:
        if method.versions_newest_first:
            method.current_version = method.versions_newest_first[0]
            result.append(method)
    return result


def _text_on(colour: str) -> str:
    """Dark text on light colours (yellow, orange), white on dark ones: WCAG relative luminance."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#212529" if luminance > 0.18 else "#ffffff"


def level_styles() -> list[dict]:
    """The four levels with their colour and a readable text colour, for badges and the score preview."""
    return [
        {
            "level": str(level.value),
            "label": str(level.label),
            "colour": LEVEL_COLOURS[level],
            "text": _text_on(LEVEL_COLOURS[level]),
        }
        for level in Level
    ]
