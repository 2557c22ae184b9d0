"""Every step from every state for every kind of user, through the services.

The expectations are written out here, not read from hazards.workflow: a user whose role never
takes a step is refused it whatever the state (a leader is told "no permission", not the
hazard's state); otherwise a step from a state it does not start from is refused as illegal;
a user on the wrong side there is refused; a permitted step moves the hazard and writes exactly
one timeline row. A refusal changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import override

from campaign.tests.images import photo
from hazards import services
from hazards.models import Action, Hazard, HazardEvent, Status, deadline_today
from hazards.tests.conftest import USERS, WULIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(district_for_module, db):
    return district_for_module


S = Status
OPEN = {S.REPORTED, S.RECTIFYING, S.AWAITING_VERIFICATION}
# Whose roles take each side of the workflow somewhere (whatever their unit).
ASSIGNERS = {
    *("street", "other_street", "fire_department", "other_department"),
    *("inspector", "other_inspector", "reviewer"),
}
RECTIFIERS = {"street", "other_street", "community", "fire_department", "other_department"}
VERIFIERS = {"fire_department", "other_department", "inspector", "other_inspector", "reviewer"}
CANCELLERS = {"reviewer", "sysadmin"}
ROLE_TAKES = {
    Action.ASSIGN: ASSIGNERS,
    Action.REQUEST_EXTENSION: RECTIFIERS,
    Action.APPROVE_EXTENSION: ASSIGNERS,
    Action.REFUSE_EXTENSION: ASSIGNERS,
    Action.SUBMIT: RECTIFIERS,
    Action.RETURN: VERIFIERS,
    Action.CLOSE: VERIFIERS,
    Action.CANCEL: CANCELLERS,
}
# action → (states it starts from, state it leads to or None to stay, users who may take it),
# for a general fire hazard in 中北社区 (Wulin), assigned to Wulin street.
EXPECTED = {
    Action.ASSIGN: ({S.REPORTED}, S.RECTIFYING, {"street", "fire_department", "inspector", "reviewer"}),
    Action.REQUEST_EXTENSION: ({S.RECTIFYING}, None, {"street"}),
    Action.APPROVE_EXTENSION: ({S.RECTIFYING}, None, {"street", "fire_department", "inspector", "reviewer"}),
    Action.REFUSE_EXTENSION: ({S.RECTIFYING}, None, {"street", "fire_department", "inspector", "reviewer"}),
    Action.SUBMIT: ({S.RECTIFYING}, S.AWAITING_VERIFICATION, {"street"}),
    Action.RETURN: ({S.AWAITING_VERIFICATION}, S.RECTIFYING, {"fire_department", "inspector", "reviewer"}),
    Action.CLOSE: ({S.AWAITING_VERIFICATION}, S.CLOSED, {"fire_department", "inspector", "reviewer"}),
    Action.CANCEL: (OPEN, S.CANCELLED, {"reviewer", "sysadmin"}),
}


def act(action, hazard, user, unit):
    today = deadline_today()
    calls = {
        Action.ASSIGN: lambda: services.hazard_assign(
            hazard=hazard,
            by=user,
            responsible_unit=unit(WULIN),
            responsible_person="王芳",
            deadline=today + datetime.timedelta(days=7),
        ),
        Action.REQUEST_EXTENSION: lambda: services.hazard_request_extension(
            hazard=hazard,
            by=user,
            requested_deadline=(hazard.deadline or today) + datetime.timedelta(days=30),
            reason="设备需定制",
        ),
        Action.APPROVE_EXTENSION: lambda: services.hazard_decide_extension(hazard=hazard, by=user, approve=True),
        Action.REFUSE_EXTENSION: lambda: services.hazard_decide_extension(
            hazard=hazard, by=user, approve=False, note="理由不充分"
        ),
        Action.SUBMIT: lambda: services.hazard_submit(
            hazard=hazard, by=user, rectification="已清理通道", photos=[photo((20, 150, 20))]
        ),
        Action.RETURN: lambda: services.hazard_return(hazard=hazard, by=user, reason="仍有杂物"),
        Action.CLOSE: lambda: services.hazard_close(hazard=hazard, by=user),
        Action.CANCEL: lambda: services.hazard_cancel(hazard=hazard, by=user, reason="重复登记"),
    }
    return calls[action]()


def _snapshot(hazard):
    fresh = Hazard.objects.get(pk=hazard.pk)
    return fresh.status, fresh.deadline, fresh.responsible_unit_id, HazardEvent.objects.filter(hazard=hazard).count()


CASES = [
    pytest.param(action, state, who, id=f"{action.value}-{state.value}-{who}")
    for action in EXPECTED
    for state in Status
    for who in USERS
]


@pytest.mark.parametrize(("action", "state", "who"), CASES)
def test_every_step_from_every_state_for_every_user(build, users, unit, action, state, who):
    sources, target, allowed = EXPECTED[action]
    hazard = build(state, pending_extension=action in (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION))
    before = _snapshot(hazard)
    user = users[who]
    with override("zh-hans"):
        if who not in ROLE_TAKES[action]:
            with pytest.raises(PermissionDenied) as refused:
                act(action, hazard, user, unit)
            assert "只有" in str(refused.value) or "无权" in str(refused.value)
            assert _snapshot(hazard) == before
        elif state not in sources:
            with pytest.raises(ValidationError) as refused:
                act(action, hazard, user, unit)
            assert refused.value.error_list[0].code == "illegal_transition"
            assert "不能" in refused.value.messages[0]
            assert _snapshot(hazard) == before
        elif who not in allowed:
            with pytest.raises(PermissionDenied) as refused:
                act(action, hazard, user, unit)
            assert "只有" in str(refused.value) or "无权" in str(refused.value)
            assert _snapshot(hazard) == before
        else:
            act(action, hazard, user, unit)
            after = Hazard.objects.get(pk=hazard.pk)
            assert after.status == (target or state)
            events = HazardEvent.objects.filter(hazard=hazard).order_by("-id")
            assert events.count() == before[3] + 1
            last = events.first()
            assert (last.action, last.from_status, last.to_status, last.by) == (
                action,
                state,
                after.status,
                user,
            )


def test_the_table_has_a_row_for_every_action_and_names_only_real_states():
    from hazards import workflow

    assert set(workflow.TABLE) == set(Action)
    assert workflow.TABLE.states == {workflow.NEW, *Status}
    assert workflow.TABLE.next_state(Action.REPORT, workflow.NEW) == Status.REPORTED
    assert workflow.TABLE.actions_for(workflow.NEW) == [Action.REPORT]
    assert set(workflow.SIDE_ROLES) == {workflow.Side(t.side) for _a, t in workflow.TABLE.items()}


def test_a_leader_on_a_stale_page_is_refused_for_the_role_not_told_the_hazard_moved_on(build, users):
    hazard = build(Status.AWAITING_VERIFICATION)
    with override("en"):
        with pytest.raises(PermissionDenied) as refused:
            services.hazard_cancel(hazard=hazard, by=users["leader"], reason="无权", expected_status=Status.RECTIFYING)
        assert "Only the creation office" in str(refused.value)
    assert Hazard.objects.get(pk=hazard.pk).status == Status.AWAITING_VERIFICATION
