"""The workflow of an assessment run as one table (campaign.lib.transitions).

    (new) ──create──▶ draft ──start──▶ in progress ──submit──▶ submitted ──review──▶ reviewed ──publish──▶ published
                                            ▲                      │
                                            └───────return─────────┘

Who takes each step:
- the unit (自评): the assessed unit's own staff score its self side while the run is draft or in
  progress, until they send it (submit_self, once; the state does not move). After the team has
  submitted its review the self side is closed too, sent or not: what the office compares is fixed.
- the team (复核): inspectors of the round's team score the review side (the first save starts the
  run) and submit it to the office;
- the office: the creation office's reviewers create rounds, review a submitted run (the result is
  fixed then, from the review side) or return it to the team, and publish.
A leader reads everything and takes no step; nobody else sees a run outside their scope.
"""

from __future__ import annotations

import enum

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import Run, RunStatus
from campaign.lib.transitions import NEW, Transition, TransitionTable
from districts.models import Role
from districts.scoping import memberships_of, scope_for


class Action(enum.StrEnum):
    CREATE = "create"
    EDIT_SELF = "edit_self"
    SUBMIT_SELF = "submit_self"
    START = "start"
    EDIT_REVIEW = "edit_review"
    SUBMIT = "submit"
    RETURN = "return"
    REVIEW = "review"
    PUBLISH = "publish"


class Actor(enum.StrEnum):
    UNIT = "unit"
    TEAM = "team"
    OFFICE = "office"


ACTOR_ROLES: dict[Actor, frozenset[str]] = {
    Actor.UNIT: frozenset({Role.STREET_STAFF, Role.DEPARTMENT_STAFF}),
    Actor.TEAM: frozenset({Role.INSPECTOR}),
    Actor.OFFICE: frozenset({Role.REVIEWER}),
}

ACTION_LABELS = {
    Action.CREATE: gettext_lazy("created"),
    Action.EDIT_SELF: gettext_lazy("self-assessed"),
    Action.SUBMIT_SELF: gettext_lazy("sent as a self-assessment"),
    Action.START: gettext_lazy("started"),
    Action.EDIT_REVIEW: gettext_lazy("scored"),
    Action.SUBMIT: gettext_lazy("submitted to the office"),
    Action.RETURN: gettext_lazy("returned to the team"),
    Action.REVIEW: gettext_lazy("reviewed"),
    Action.PUBLISH: gettext_lazy("published"),
}

# The buttons of the run's page, by action.
BUTTONS = {
    Action.SUBMIT_SELF: gettext_lazy("Send the self-assessment"),
    Action.SUBMIT: gettext_lazy("Submit the review to the office"),
    Action.RETURN: gettext_lazy("Return to the team"),
    Action.REVIEW: gettext_lazy("Confirm the review and fix the result"),
    Action.PUBLISH: gettext_lazy("Publish the result"),
}

REFUSALS = {
    Actor.UNIT: gettext_lazy("Only the assessed unit's own staff may do this."),
    Actor.TEAM: gettext_lazy("Only an inspector of the round's inspection team may do this."),
    Actor.OFFICE: gettext_lazy("Only the creation office may do this."),
}


def _illegal(action: str, state: str) -> str:
    status = RunStatus(state).label if state in RunStatus.values else state
    return _("An assessment that is “%(status)s” cannot be %(verb)s.") % {
        "status": status,
        "verb": ACTION_LABELS[Action(action)],
    }


S = RunStatus
OPEN = (S.DRAFT, S.IN_PROGRESS)
TABLE = TransitionTable(
    {
        Action.CREATE: Transition({NEW}, S.DRAFT, Actor.OFFICE),
        Action.EDIT_SELF: Transition(OPEN, None, Actor.UNIT),
        Action.SUBMIT_SELF: Transition(OPEN, None, Actor.UNIT),
        Action.START: Transition({S.DRAFT}, S.IN_PROGRESS, Actor.TEAM),
        Action.EDIT_REVIEW: Transition(OPEN, None, Actor.TEAM),
        Action.SUBMIT: Transition({S.IN_PROGRESS}, S.SUBMITTED, Actor.TEAM),
        Action.RETURN: Transition({S.SUBMITTED}, S.IN_PROGRESS, Actor.OFFICE),
        Action.REVIEW: Transition({S.SUBMITTED}, S.REVIEWED, Actor.OFFICE),
        Action.PUBLISH: Transition({S.REVIEWED}, S.PUBLISHED, Actor.OFFICE),
    },
    illegal=_illegal,
    refusals=REFUSALS,
)


def actors_of(user) -> set[Actor]:
    """The actors the user's roles make them, anywhere: what the table checks before the state."""
    return {actor for actor, roles in ACTOR_ROLES.items() if not scope_for(user, roles).is_empty}


def acts_as(user, actor: Actor, run: Run) -> bool:
    """Whether `user` acts for `actor` on this very run, by org unit."""
    if actor is Actor.UNIT:
        # The assessed unit itself: its own staff, not a community below it nor a sector's lead.
        return any(m.unit_id == run.unit_id and m.role in ACTOR_ROLES[actor] for m in memberships_of(user))
    if actor is Actor.TEAM:
        # On the round's team, and the team covers the unit (the round was made so; checked again).
        on_team = any(m.unit_id == run.round.team_id and m.role == Role.INSPECTOR for m in memberships_of(user))
        return on_team and scope_for(user, ACTOR_ROLES[actor]).covers(run.unit)
    return scope_for(user, ACTOR_ROLES[actor]).covers(run.unit)


def check(user, run: Run, action: str) -> Transition:
    """The transition, or the refusal a person reads: the role first, then the state, then the unit."""
    transition = TABLE.check(action, run.status, sides=actors_of(user))
    actor = Actor(transition.side)
    if not acts_as(user, actor, run):
        raise PermissionDenied(REFUSALS[actor])
    if action in (Action.EDIT_SELF, Action.SUBMIT_SELF):
        if not run.round.self_assessment:
            raise PermissionDenied(_("This round has no self-assessment."))
        if run.self_submitted_at is not None:
            raise PermissionDenied(_("The self-assessment has been sent and can no longer be changed."))
    return transition


def can(user, run: Run, action: str) -> bool:
    from django.core.exceptions import ValidationError

    try:
        check(user, run, action)
    except (PermissionDenied, ValidationError):
        return False
    return True


def offered(user, run: Run) -> list[str]:
    """The steps (buttons) the run's page offers this user now."""
    return [a for a in TABLE.actions_for(run.status, sides=actors_of(user)) if a in BUTTONS and can(user, run, a)]


def sees_review(user, run: Run) -> bool:
    """The review side and the result: the unit sees them once published; the team, the office and
    the district's readers (leaders) at any time."""
    if run.status == RunStatus.PUBLISHED:
        return True
    readers = frozenset({Role.INSPECTOR, Role.REVIEWER, Role.LEADER, Role.SYSTEM_ADMIN})
    return scope_for(user, readers).covers(run.unit)
