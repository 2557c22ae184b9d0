"""A workflow as one explicit table: for each action, the states it may start from, the state
it leads to, and the side (an actor role: the filer, the reviewer, the responsible unit …) that
may take it. Services check every move against it; screens ask it which actions to offer.

The table knows states, actions and sides as plain strings and nothing of users or rows: the
app says which sides a user holds (by role) and, after the table has spoken, whether the user
acts for that side on this very row (by org unit). The order of refusals is fixed here, for
every workflow alike: first who you are (a role that never takes this action is told so, not
the row's state), then the state, then the app's checks of the row.

    table = TransitionTable(
        {"submit": Transition({"draft"}, "submitted", "filer"), ...},
        illegal=lambda action, state: _("A report that is %s cannot be …") % …,
        refusals={"filer": _("Only …"), ...},
    )
    table.check("submit", report.status, sides=sides_of(user))  # → Transition, or raises
    table.actions_for(report.status, sides=sides_of(user))     # → ["submit", "edit"]
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError

# The state of a row that does not exist yet: the source of the action that creates it.
NEW = ""


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the state stays as it is (a change of details, a decision on the side)
    side: str

    def __init__(self, sources: Iterable[str], target: str | None, side: str):
        object.__setattr__(self, "sources", frozenset(str(s) for s in sources))
        object.__setattr__(self, "target", None if target is None else str(target))
        object.__setattr__(self, "side", str(side))
        if not self.sources:
            raise ValueError("A transition starts from at least one state.")


class IllegalTransition(ValidationError):
    """The action does not start from the row's state (code "illegal_transition")."""

    def __init__(self, message, *, action: str, state: str):
        super().__init__(message, code="illegal_transition")
        self.action, self.state = action, state


class NotOnSide(PermissionDenied):
    """The user holds no role of the side that takes this action."""

    def __init__(self, message, *, action: str, side: str):
        super().__init__(message)
        self.action, self.side = action, side


class UnknownAction(KeyError):
    def __str__(self):
        return f"No transition is defined for the action {self.args[0]!r}."


class TransitionTable:
    """The moves of one workflow. Its order is the order screens offer the actions in."""

    def __init__(
        self,
        transitions: Mapping[str, Transition],
        *,
        illegal: Callable[[str, str], str],
        refusals: Mapping[str, str],
    ):
        self._transitions = {str(action): t for action, t in transitions.items()}
        missing = {t.side for t in self._transitions.values()} - {str(s) for s in refusals}
        if missing:
            raise ValueError(f"No refusal is written for the sides {sorted(missing)}.")
        self._illegal = illegal
        self._refusals = {str(side): message for side, message in refusals.items()}

    def __getitem__(self, action: str) -> Transition:
        try:
            return self._transitions[str(action)]
        except KeyError:
            raise UnknownAction(str(action)) from None

    def __iter__(self):
        return iter(self._transitions)

    def __len__(self):
        return len(self._transitions)

    def items(self):
        return self._transitions.items()

    @property
    def states(self) -> frozenset[str]:
        """Every state the table names, as a source or a target (NEW included if it is one)."""
        found = set()
        for t in self._transitions.values():
            found |= t.sources
            if t.target is not None:
                found.add(t.target)
        return frozenset(found)

    def allowed(self, action: str, state: str) -> bool:
        return str(state) in self[action].sources

    def next_state(self, action: str, state: str) -> str:
        """The state after `action` from `state`; raises IllegalTransition if it does not start there."""
        transition = self.ensure(action, state)
        return str(state) if transition.target is None else transition.target

    def ensure(self, action: str, state: str) -> Transition:
        transition = self[action]
        if str(state) not in transition.sources:
            raise IllegalTransition(self._illegal(str(action), str(state)), action=str(action), state=str(state))
        return transition

    def refusal(self, side: str) -> str:
        return self._refusals[str(side)]

    def ensure_side(self, action: str, *, sides: Collection[str]) -> Transition:
        """The transition, if one of `sides` (those the user holds by role) takes it."""
        transition = self[action]
        if transition.side not in {str(s) for s in sides}:
            raise NotOnSide(self._refusals[transition.side], action=str(action), side=transition.side)
        return transition

    def check(self, action: str, state: str, *, sides: Collection[str]) -> Transition:
        """The transition, checked in the one order: the side (by role), then the state.
        `sides` are those the user holds by role; whether they act for it on this row is the app's."""
        self.ensure_side(action, sides=sides)
        return self.ensure(action, state)

    def actions_for(self, state: str, *, sides: Collection[str] | None = None) -> list[str]:
        """The actions that start from `state` (taken by one of `sides`, if given), in table order."""
        wanted = None if sides is None else {str(s) for s in sides}
        return [
            action
            for action, t in self._transitions.items()
            if str(state) in t.sources and (wanted is None or t.side in wanted)
        ]
