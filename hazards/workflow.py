"""The hazard workflow as one table: for each action, the states it may start from,
the state it leads to, and the side that may take it. Services (hazards.services)
check every call against it; screens ask it which buttons to show.

    reported ──assign──▶ rectifying ──submit──▶ awaiting verification ──close──▶ closed
                            ▲   │                        │
                            │   └ extension requested,   │
                            │     approved or refused    │
                            └───────────return───────────┘
    reported, rectifying, awaiting verification ──cancel──▶ cancelled
    a major hazard is listed for supervision (with its five-fold plan) before it is assigned.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from districts.models import Role
from districts.scoping import memberships_of, scope_for
from hazards.models import OPEN_STATUSES, Action, Grade, Hazard, Status, _units_only


class Side(enum.Enum):
    REPORTER = "reporter"  # logs hazards where they are
    ASSIGNER = "assigner"  # assigns them for rectification, decides extensions
    RECTIFIER = "rectifier"  # the responsible unit
    VERIFIER = "verifier"  # verifies and closes, or returns
    CANCELLER = "canceller"  # cancels an invalid record: privileged
    LISTER = "lister"  # lists major hazards for supervision


R = Role
SIDE_ROLES: dict[Side, frozenset[str]] = {
    Side.REPORTER: frozenset(
        {R.STREET_STAFF, R.COMMUNITY_STAFF, R.DEPARTMENT_STAFF, R.INSPECTOR, R.REVIEWER, R.SYSTEM_ADMIN}
    ),
    Side.ASSIGNER: frozenset({R.STREET_STAFF, R.DEPARTMENT_STAFF, R.INSPECTOR, R.REVIEWER}),
    Side.RECTIFIER: frozenset({R.STREET_STAFF, R.COMMUNITY_STAFF, R.DEPARTMENT_STAFF}),
    Side.VERIFIER: frozenset({R.INSPECTOR, R.REVIEWER, R.DEPARTMENT_STAFF}),
    Side.CANCELLER: frozenset({R.REVIEWER, R.SYSTEM_ADMIN}),
    Side.LISTER: frozenset({R.REVIEWER}),
}
# Who, in the supervising unit, acts for the listing authority when it closes a major hazard.
AUTHORITY_ROLES = frozenset({R.REVIEWER, R.DEPARTMENT_STAFF, R.INSPECTOR})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the state stays as it is
    side: Side


S = Status
TRANSITIONS: dict[str, Transition] = {
    Action.EDIT: Transition(frozenset(OPEN_STATUSES), None, Side.REPORTER),
    Action.LIST: Transition(frozenset(OPEN_STATUSES), None, Side.LISTER),
    Action.ASSIGN: Transition(frozenset({S.REPORTED}), S.RECTIFYING, Side.ASSIGNER),
    Action.REQUEST_EXTENSION: Transition(frozenset({S.RECTIFYING}), None, Side.RECTIFIER),
    Action.APPROVE_EXTENSION: Transition(frozenset({S.RECTIFYING}), None, Side.ASSIGNER),
    Action.REFUSE_EXTENSION: Transition(frozenset({S.RECTIFYING}), None, Side.ASSIGNER),
    Action.SUBMIT: Transition(frozenset({S.RECTIFYING}), S.AWAITING_VERIFICATION, Side.RECTIFIER),
    Action.RETURN: Transition(frozenset({S.AWAITING_VERIFICATION}), S.RECTIFYING, Side.VERIFIER),
    Action.CLOSE: Transition(frozenset({S.AWAITING_VERIFICATION}), S.CLOSED, Side.VERIFIER),
    Action.CANCEL: Transition(frozenset(OPEN_STATUSES), S.CANCELLED, Side.CANCELLER),
}

# "A hazard that is “…” cannot be …": the action as the message needs it.
ACTION_VERBS = {
    Action.EDIT: gettext_lazy("changed"),
    Action.LIST: gettext_lazy("listed for supervision"),
    Action.ASSIGN: gettext_lazy("assigned for rectification"),
    Action.REQUEST_EXTENSION: gettext_lazy("given an extension request"),
    Action.APPROVE_EXTENSION: gettext_lazy("granted an extension"),
    Action.REFUSE_EXTENSION: gettext_lazy("refused an extension"),
    Action.SUBMIT: gettext_lazy("reported as rectified"),
    Action.RETURN: gettext_lazy("returned for rectification"),
    Action.CLOSE: gettext_lazy("verified and closed"),
    Action.CANCEL: gettext_lazy("cancelled"),
}

SIDE_REFUSALS = {
    Side.REPORTER: gettext_lazy("You may not log or change hazards at this place."),
    Side.ASSIGNER: gettext_lazy(
        "Only the assigning side (the street, the sector's lead department, the inspection team or the "
        "creation office covering this hazard) may do this."
    ),
    Side.RECTIFIER: gettext_lazy("Only the responsible unit may do this."),
    Side.VERIFIER: gettext_lazy(
        "Only an inspector, the creation office or the sector's lead department covering this hazard may verify it."
    ),
    Side.CANCELLER: gettext_lazy("Only the creation office or a system administrator may cancel a hazard."),
    Side.LISTER: gettext_lazy("Only the creation office may list a major hazard for supervision."),
}


def on_side(user, side: Side, hazard: Hazard) -> bool:
    """Whether `user` acts for `side` on `hazard`, by role and org unit. The responsible
    unit is judged by where it sits in the tree; every other side by the hazard's place and sector."""
    scope = scope_for(user, SIDE_ROLES[side])
    if side is Side.RECTIFIER:
        return hazard.responsible_unit_id is not None and _units_only(scope).covers(hazard.responsible_unit)
    return scope.covers(hazard.unit, hazard.sector_id)


def is_listing_authority(user, hazard: Hazard) -> bool:
    """A member of the unit that listed the hazard for supervision."""
    listing = listing_of(hazard)
    if listing is None:
        return False
    if user.is_superuser:
        return True
    return any(m.unit_id == listing.supervising_unit_id and m.role in AUTHORITY_ROLES for m in memberships_of(user))


def listing_of(hazard: Hazard):
    try:
        return hazard.listing
    except Hazard.listing.RelatedObjectDoesNotExist:
        return None


def illegal(hazard: Hazard, action: str) -> ValidationError:
    return ValidationError(
        _("A hazard that is “%(status)s” cannot be %(verb)s.")
        % {"status": hazard.get_status_display(), "verb": ACTION_VERBS[action]},
        code="illegal_transition",
    )


def taken_by_someone_else(hazard: Hazard) -> ValidationError:
    return ValidationError(
        _(
            "This hazard has just been handled by someone else (it is now “%(status)s”). "
            "Reload the page to see what was done."
        )
        % {"status": hazard.get_status_display()},
        code="concurrent_change",
    )


def check(user, hazard: Hazard, action: str) -> Transition:
    """The transition for `action` on `hazard` as it is now, or the refusal a person reads."""
    transition = TRANSITIONS[action]
    if hazard.status not in transition.sources:
        raise illegal(hazard, action)
    if not on_side(user, transition.side, hazard):
        raise PermissionDenied(SIDE_REFUSALS[transition.side])
    return transition


def can(user, hazard: Hazard, action: str) -> bool:
    """Whether the screen should offer `action`; the service still checks everything."""
    try:
        check(user, hazard, action)
    except (ValidationError, PermissionDenied):
        return False
    if action == Action.CLOSE and hazard.grade == Grade.MAJOR:
        return is_listing_authority(user, hazard)
    if action == Action.LIST:
        return hazard.grade == Grade.MAJOR and listing_of(hazard) is None
    if action == Action.ASSIGN and hazard.grade == Grade.MAJOR:
        return listing_of(hazard) is not None
    return True


BUTTON_ORDER = [
    Action.LIST,
    Action.ASSIGN,
    Action.SUBMIT,
    Action.REQUEST_EXTENSION,
    Action.CLOSE,
    Action.RETURN,
    Action.CANCEL,
]


def offered_actions(user, hazard: Hazard, *, pending_extension=None) -> list[str]:
    """The steps `user` may take on `hazard` now, in the order the page shows them."""
    actions = [a for a in BUTTON_ORDER if can(user, hazard, a)]
    if Action.REQUEST_EXTENSION in actions and pending_extension is not None:
        actions.remove(Action.REQUEST_EXTENSION)
    if pending_extension is not None and can(user, hazard, Action.APPROVE_EXTENSION):
        actions.append(Action.APPROVE_EXTENSION)
    return actions
