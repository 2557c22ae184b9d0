"""The hazard workflow as one table (campaign.lib.transitions): for each action, the states
it may start from, the state it leads to, and the side that may take it. Services
(hazards.services) and the import check every call against it; screens ask it which buttons
to show. What a major hazard needs beyond that (the grade rules) is here too, once.

    (new) ──report──▶ reported ──assign──▶ rectifying ──submit──▶ awaiting verification ──close──▶ closed
                            ▲   │                        │
                            │   └ extension requested,   │
                            │     approved or refused    │
                            └───────────return───────────┘
    reported, rectifying, awaiting verification ──cancel──▶ cancelled
    a major hazard is listed for supervision (with its five-fold plan) before it is assigned.
"""

from __future__ import annotations

import enum

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.lib.transitions import NEW, Transition, TransitionTable
from districts.models import Role
from districts.scoping import memberships_of, scope_for
from hazards.models import OPEN_STATUSES, Action, Grade, Hazard, Status, _units_only


class Side(enum.StrEnum):
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

# "A hazard that is “…” cannot be …": the action as the message needs it.
ACTION_VERBS = {
    Action.REPORT: gettext_lazy("logged"),
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


def _illegal(action: str, state: str) -> str:
    status = Status(state).label if state in Status.values else state
    return _("A hazard that is “%(status)s” cannot be %(verb)s.") % {"status": status, "verb": ACTION_VERBS[action]}


S = Status
# In the order the hazard's page offers the actions.
TABLE = TransitionTable(
    {
        Action.REPORT: Transition({NEW}, S.REPORTED, Side.REPORTER),
        Action.LIST: Transition(OPEN_STATUSES, None, Side.LISTER),
        Action.ASSIGN: Transition({S.REPORTED}, S.RECTIFYING, Side.ASSIGNER),
        Action.SUBMIT: Transition({S.RECTIFYING}, S.AWAITING_VERIFICATION, Side.RECTIFIER),
        Action.REQUEST_EXTENSION: Transition({S.RECTIFYING}, None, Side.RECTIFIER),
        Action.CLOSE: Transition({S.AWAITING_VERIFICATION}, S.CLOSED, Side.VERIFIER),
        Action.RETURN: Transition({S.AWAITING_VERIFICATION}, S.RECTIFYING, Side.VERIFIER),
        Action.EDIT: Transition(OPEN_STATUSES, None, Side.REPORTER),
        Action.CANCEL: Transition(OPEN_STATUSES, S.CANCELLED, Side.CANCELLER),
        Action.APPROVE_EXTENSION: Transition({S.RECTIFYING}, None, Side.ASSIGNER),
        Action.REFUSE_EXTENSION: Transition({S.RECTIFYING}, None, Side.ASSIGNER),
    },
    illegal=_illegal,
    refusals=SIDE_REFUSALS,
)


def sides_of(user) -> set[Side]:
    """The sides the user's roles take, wherever: what the table checks before the state."""
    return {side for side, roles in SIDE_ROLES.items() if not scope_for(user, roles).is_empty}


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


def taken_by_someone_else(hazard: Hazard) -> ValidationError:
    return ValidationError(
        _(
            "This hazard has just been handled by someone else (it is now “%(status)s”). "
            "Reload the page to see what was done."
        )
        % {"status": hazard.get_status_display()},
        code="concurrent_change",
    )


# ---------------------------------------------------------------- grade rules
# What a major hazard (重大事故隐患) needs that a general one does not, in one place: services,
# the import and the screens all ask here.


def grade_refusal(user, hazard: Hazard, action: str) -> ValidationError | PermissionDenied | None:
    """Why `action` is not open to this hazard because of its grade (or None): only a major hazard
    is listed, and once; a major hazard is assigned only once listed with its five-fold plan, and
    closed only by its listing authority."""
    listing = listing_of(hazard)
    if action == Action.LIST:
        if hazard.grade != Grade.MAJOR:
            return ValidationError(_("Only a major hazard is listed for supervision."))
        if listing is not None:
            return ValidationError(_("This hazard is already listed for supervision."))
    if action == Action.ASSIGN and hazard.grade == Grade.MAJOR and listing is None:
        return ValidationError(
            _("A major hazard is listed for supervision with its five-fold plan before rectification starts.")
        )
    if action == Action.CLOSE and hazard.grade == Grade.MAJOR and not is_listing_authority(user, hazard):
        return PermissionDenied(
            _("Only the listing authority (%(unit)s) may close a major hazard listed for supervision.")
            % {"unit": listing.supervising_unit.name if listing else "—"}
        )
    return None


def deadline_refusal(hazard: Hazard, deadline) -> str | None:
    """A major hazard's deadline stays within its five-fold plan's time limit."""
    listing = listing_of(hazard)
    if hazard.grade == Grade.MAJOR and listing is not None and deadline > listing.plan_time_limit:
        return _("The deadline cannot be after the five-fold plan's time limit (%(date)s).") % {
            "date": listing.plan_time_limit.isoformat()
        }
    return None


def regrade_refusal(hazard: Hazard, grade: str) -> str | None:
    """The grade changes only before rectification starts, and a listed hazard stays major."""
    if grade == hazard.grade:
        return None
    if hazard.pk is not None and hazard.status != Status.REPORTED:
        return _("The grade can only be changed before the hazard is assigned.")
    if grade != Grade.MAJOR and listing_of(hazard) is not None:
        return _("A hazard listed for supervision stays major.")
    return None


# ---------------------------------------------------------------- checks


def check(user, hazard: Hazard, action: str) -> Transition:
    """The transition for `action` on `hazard` as it is now, or the refusal a person reads:
    first the side by role (a leader is told they may not, not what state the hazard is in),
    then the state, then the side by place, then the grade."""
    transition = TABLE.check(action, hazard.status, sides=sides_of(user))
    side = Side(transition.side)
    if not on_side(user, side, hazard):
        raise PermissionDenied(SIDE_REFUSALS[side])
    if (refusal := grade_refusal(user, hazard, action)) is not None:
        raise refusal
    return transition


def can(user, hazard: Hazard, action: str) -> bool:
    """Whether the screen should offer `action`; the service still checks everything."""
    try:
        check(user, hazard, action)
    except (ValidationError, PermissionDenied):
        return False
    return True


def offered_actions(user, hazard: Hazard, *, pending_extension=None) -> list[str]:
    """The steps `user` may take on `hazard` now, in the order the page shows them: the table's
    actions from this state for the user's sides, those the place and the grade leave open.
    An extension is asked for, or decided (on one page for both answers), one at a time."""
    actions = [a for a in TABLE.actions_for(hazard.status, sides=sides_of(user)) if can(user, hazard, a)]
    hidden = {Action.REFUSE_EXTENSION}
    hidden.add(Action.REQUEST_EXTENSION if pending_extension is not None else Action.APPROVE_EXTENSION)
    return [a for a in actions if a not in hidden]
