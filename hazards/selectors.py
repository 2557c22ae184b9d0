"""Scoped reads of the hazard ledger. Each selector owns its joins; a list page costs the
same number of queries for ten hazards as for a million."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery

from campaign.lib.sql import capped_counts
from districts.models import OrgUnit, User
from districts.scoping import scope_for
from hazards.models import (
    OPEN_STATUSES,
    Action,
    ExtensionRequest,
    Grade,
    Hazard,
    HazardEvent,
    HazardPhoto,
    Status,
    overdue_q,
)
from hazards.workflow import SIDE_ROLES, Side
from risks.models import RiskPoint

QUEUES = ("assign", "rectify", "verify", "overdue", "major")


def _first_photo(kind: str):
    return Subquery(HazardPhoto.objects.filter(hazard=OuterRef("pk"), kind=kind).order_by("id").values("id")[:1])


def hazards_for(user: User):
    """The hazards `user` sees, with what a list row shows: place (street · community · grid),
    sector, site, responsible unit, listing, overdue, and the first photo before for a thumbnail."""
    return (
        Hazard.objects.visible_to(user)
        .with_overdue()
        .select_related("unit__parent__parent", "sector", "site", "responsible_unit", "listing__supervising_unit")
        .annotate(thumb_id=_first_photo(HazardPhoto.Kind.BEFORE))
    )


def queue_q(user: User, queue: str) -> Q:
    """The hazards waiting for `user` in `queue`: to assign, to rectify, to verify; or every
    overdue one, or every open major one, that they see."""
    match queue:
        case "assign":
            scope = scope_for(user, SIDE_ROLES[Side.ASSIGNER])
            return Q(status=Status.REPORTED) & scope.q("unit__", "sector")
        case "rectify":
            scope = scope_for(user, SIDE_ROLES[Side.RECTIFIER]).units_only()
            return Q(status=Status.RECTIFYING) & scope.q("responsible_unit__", None)
        case "verify":
            scope = scope_for(user, SIDE_ROLES[Side.VERIFIER])
            return Q(status=Status.AWAITING_VERIFICATION) & scope.q("unit__", "sector")
        case "overdue":
            return overdue_q()
        case "major":
            return Q(grade=Grade.MAJOR, status__in=OPEN_STATUSES)
    raise ValueError(queue)


def returned_q() -> Q:
    """Under rectification again after a verifier sent the rectification back (退回整改)."""
    return Q(status=Status.RECTIFYING) & Q(
        Exists(HazardEvent.objects.filter(hazard=OuterRef("pk"), action=Action.RETURN))
    )


def todo_counts(user: User) -> dict[str, int]:
    """What waits for `user` today, as the home page lists it: to assign, to rectify (of which
    overdue, and of which sent back), to verify. One query, over what the list shows."""
    rectify = queue_q(user, "rectify")
    return Hazard.objects.visible_to(user).aggregate(
        assign=Count("pk", filter=queue_q(user, "assign")),
        rectify=Count("pk", filter=rectify),
        rectify_overdue=Count("pk", filter=rectify & overdue_q()),
        returned=Count("pk", filter=rectify & returned_q()),
        verify=Count("pk", filter=queue_q(user, "verify")),
    )


def overview_counts(user: User) -> dict[str, int]:
    """A leader's view of the ledger they see: not yet assigned, overdue, open major, awaiting
    verification. One query."""
    return Hazard.objects.visible_to(user).aggregate(
        reported=Count("pk", filter=Q(status=Status.REPORTED)),
        overdue=Count("pk", filter=queue_q(user, "overdue")),
        major=Count("pk", filter=queue_q(user, "major")),
        awaiting_verification=Count("pk", filter=Q(status=Status.AWAITING_VERIFICATION)),
    )


QUEUE_CAP = 999


def queue_counts(user: User) -> dict[str, int]:
    """How many hazards wait in each queue, up to QUEUE_CAP + 1 (shown "999+"): one query, each
    count an index scan that stops there, never a count of a district's whole ledger."""
    visible = Hazard.objects.visible_to(user)
    return capped_counts({queue: visible.filter(queue_q(user, queue)) for queue in QUEUES}, QUEUE_CAP)


def open_by_unit(user: User, limit: int = 30) -> list[dict]:
    """Per responsible unit, the hazards it has open and how many of them are overdue: one query."""
    rows = (
        Hazard.objects.visible_to(user)
        .filter(status__in=(Status.RECTIFYING, Status.AWAITING_VERIFICATION))
        .values("responsible_unit", "responsible_unit__name")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue_q()))
        .order_by("-overdue", "-open", "responsible_unit__name")
    )
    return list(rows[:limit])


def hazard_detail_for(user: User, pk: int) -> Hazard:
    return (
        Hazard.objects.visible_to(user)
        .with_overdue()
        .select_related(
            "unit__parent__parent",
            "sector",
            "site",
            "risk",
            "responsible_unit",
            "issuing_unit",
            "found_by",
            "listing__supervising_unit",
            "listing__listed_by",
        )
        .get(pk=pk)
    )


def timeline_of(hazard: Hazard) -> list[HazardEvent]:
    """Every step, oldest first, with who took it and the photos it added: two queries."""
    return list(
        hazard.events.select_related("by").prefetch_related(
            Prefetch("photos", queryset=HazardPhoto.objects.order_by("id"))
        )
    )


def pending_extension_of(hazard: Hazard) -> ExtensionRequest | None:
    return hazard.extensions.filter(decision=ExtensionRequest.Decision.PENDING).select_related("requested_by").first()


def photo_for(user: User, pk: int) -> HazardPhoto:
    """A photo, only if its hazard is one `user` sees."""
    return HazardPhoto.objects.get(pk=pk, hazard__in=Hazard.objects.visible_to(user).values("pk"))


def risks_at(*, user: User, unit: OrgUnit | None, site=None):
    """The active risk points a hazard at `unit` (and `site`) may name, that `user` can see."""
    risks = RiskPoint.objects.visible_to(user).filter(status=RiskPoint.Status.ACTIVE)
    if unit is None:
        return risks.none()
    risks = risks.filter(unit=unit)
    if site is not None:
        risks = risks.filter(Q(site__isnull=True) | Q(site=site))
    return risks.select_related("site").order_by("name", "id")


def initial_from_risk(user: User, pk: int | None) -> dict:
    """A hazard logged from a risk point's page (?risk=<id>) starts at that risk's place."""
    risk = RiskPoint.objects.visible_to(user).filter(pk=pk).select_related("unit", "site").first() if pk else None
    if risk is None:
        return {}
    return {"risk": risk, "unit": risk.unit, "site": risk.site, "sector": risk.sector}
