"""The transition-table type, on tables Hypothesis makes up: what it allows is exactly what it
was given, the order of refusals is fixed (role, then state), and a table that cannot say why it
refuses is not built."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from campaign.lib.transitions import (
    NEW,
    IllegalTransition,
    NotOnSide,
    Transition,
    TransitionTable,
    UnknownAction,
)

STATES = ["draft", "sent", "returned", "accepted", "closed"]
SIDES = ["filer", "reviewer", "admin"]
REFUSALS = {side: f"only the {side}" for side in SIDES}


def illegal(action, state):
    return f"{action} from {state or 'nothing'}"


rows = st.tuples(
    st.frozensets(st.sampled_from([NEW, *STATES]), min_size=1),
    st.none() | st.sampled_from(STATES),
    st.sampled_from(SIDES),
)
tables = st.dictionaries(st.text("abcdefgh", min_size=1, max_size=4), rows, min_size=1, max_size=8)


def build(spec):
    return TransitionTable(
        {action: Transition(sources, target, side) for action, (sources, target, side) in spec.items()},
        illegal=illegal,
        refusals=REFUSALS,
    )


@given(tables, st.sampled_from([NEW, *STATES]))
def test_an_action_is_allowed_exactly_from_the_states_it_was_given(spec, state):
    table = build(spec)
    for action, (sources, target, _side) in spec.items():
        assert table.allowed(action, state) == (state in sources)
        if state in sources:
            assert table.next_state(action, state) == (state if target is None else target)
        else:
            with pytest.raises(IllegalTransition) as refused:
                table.next_state(action, state)
            assert refused.value.code == "illegal_transition"
            assert refused.value.messages == [illegal(action, state)]
            assert isinstance(refused.value, ValidationError)


@given(tables, st.sampled_from([NEW, *STATES]), st.sets(st.sampled_from(SIDES)))
def test_the_actions_offered_are_those_from_the_state_for_the_sides_in_table_order(spec, state, sides):
    table = build(spec)
    expected = [a for a, (sources, _t, side) in spec.items() if state in sources and side in sides]
    assert table.actions_for(state, sides=sides) == expected
    assert table.actions_for(state) == [a for a, (sources, _t, _s) in spec.items() if state in sources]


@given(tables, st.sampled_from([NEW, *STATES]), st.sets(st.sampled_from(SIDES)))
def test_the_role_is_refused_before_the_state_is_looked_at(spec, state, sides):
    table = build(spec)
    for action, (sources, _target, side) in spec.items():
        if side not in sides:
            with pytest.raises(NotOnSide) as refused:
                table.check(action, state, sides=sides)
            assert isinstance(refused.value, PermissionDenied)
            assert str(refused.value) == REFUSALS[side]
        elif state not in sources:
            with pytest.raises(IllegalTransition):
                table.check(action, state, sides=sides)
        else:
            assert table.check(action, state, sides=sides) == table[action]


@given(tables)
def test_the_states_are_every_source_and_target(spec):
    named = set()
    for sources, target, _side in spec.values():
        named |= sources
        if target is not None:
            named.add(target)
    assert build(spec).states == named


def test_an_unknown_action_is_named_in_the_error():
    table = build({"send": (frozenset({"draft"}), "sent", "filer")})
    with pytest.raises(UnknownAction, match="'publish'"):
        table.allowed("publish", "draft")
    with pytest.raises(UnknownAction):
        table.check("publish", "draft", sides={"filer"})


def test_a_table_must_say_why_it_refuses_each_side():
    with pytest.raises(ValueError, match="reviewer"):
        TransitionTable(
            {"accept": Transition({"sent"}, "accepted", "reviewer")}, illegal=illegal, refusals={"filer": "x"}
        )


def test_a_transition_starts_somewhere():
    with pytest.raises(ValueError):
        Transition(set(), "sent", "filer")


def test_choices_and_plain_strings_are_the_same_states():
    from django.db import models

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"

    table = TransitionTable(
        {"send": Transition({Status.DRAFT}, Status.SENT, "filer")}, illegal=illegal, refusals=REFUSALS
    )
    assert table.allowed("send", "draft") and table.allowed("send", Status.DRAFT)
    assert table.next_state("send", Status.DRAFT) == "sent" == Status.SENT
