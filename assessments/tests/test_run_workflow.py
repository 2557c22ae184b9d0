"""The run's workflow through its services: one table, every step a RunEvent, illegal moves
refused, the self side closed once sent, the result fixed at review from the review side."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments import run_services as services
from assessments.models import Answer, AnswerState, RunEvent, RunStatus, Side
from assessments.run_workflow import Action
from assessments.selectors import published_scores
from assessments.tests.run_fixtures import *  # noqa: F403 (the fixtures)
from assessments.tests.run_fixtures import TIANSHUI, WULIN
from campaign.lib.transitions import IllegalTransition

pytestmark = pytest.mark.django_db


def test_a_round_makes_a_draft_run_per_unit_with_its_creation_event(run, users):
    assert run.status == RunStatus.DRAFT
    event = RunEvent.objects.get(run=run)
    assert (event.action, event.from_status, event.to_status, event.by) == ("create", "", "draft", users["reviewer"])
    assert run.round.template.is_frozen


def test_a_round_only_takes_units_its_team_covers(make_round):
    with pytest.raises(ValidationError) as refused:
        make_round(units=(WULIN, TIANSHUI))
    assert "天水街道" in str(refused.value)


def test_only_the_office_creates_rounds(plan, users, teams, template, unit):
    with pytest.raises(PermissionDenied):
        services.round_create(
            by=users["inspector"],
            campaign=plan,
            template=template,
            name="x",
            period_start=datetime.date(2019, 3, 1),
            period_end=datetime.date(2019, 3, 31),
            team=teams["TEAM-WULIN"],
            units=[unit(WULIN)],
        )


def test_the_whole_way_writes_one_event_per_step(run, users, items):
    services.answer_save(run=run, side=Side.SELF, item=items["1.2"], by=users["street"], note="自查")
    services.run_submit_self(run=run, by=users["street"])
    services.finding_add(run=run, side=Side.REVIEW, item=items["1.2"], by=users["inspector"], description="台账缺失")
    services.run_submit(run=run, by=users["inspector"])
    services.run_return(run=run, by=users["reviewer"], comment="请补充现场照片")
    services.run_submit(run=run, by=users["inspector"])
    services.run_review(run=run, by=users["reviewer"])
    services.run_publish(run=run, by=users["reviewer"])
    events = RunEvent.objects.filter(run=run).order_by("at", "pk")
    steps = list(events.values_list("action", "from_status", "to_status"))
    assert steps == [
        ("create", "", "draft"),
        ("submit_self", "draft", "draft"),
        ("start", "draft", "in_progress"),
        ("submit", "in_progress", "submitted"),
        ("return", "submitted", "in_progress"),
        ("submit", "in_progress", "submitted"),
        ("review", "submitted", "reviewed"),
        ("publish", "reviewed", "published"),
    ]


@pytest.mark.parametrize(
    ("action", "who"),
    [
        (Action.SUBMIT, "inspector"),  # a draft nobody has started
        (Action.REVIEW, "reviewer"),
        (Action.PUBLISH, "reviewer"),
        (Action.RETURN, "reviewer"),
    ],
)
def test_a_step_from_the_wrong_state_is_refused_and_writes_nothing(run, users, action, who):
    service = {
        Action.SUBMIT: lambda: services.run_submit(run=run, by=users[who]),
        Action.REVIEW: lambda: services.run_review(run=run, by=users[who]),
        Action.PUBLISH: lambda: services.run_publish(run=run, by=users[who]),
        Action.RETURN: lambda: services.run_return(run=run, by=users[who], comment="x"),
    }[action]
    with pytest.raises(IllegalTransition):
        service()
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT
    assert RunEvent.objects.filter(run=run).count() == 1


def test_a_leader_takes_no_step(run, users, items):
    with pytest.raises(PermissionDenied):
        services.answer_save(run=run, side=Side.REVIEW, item=items["1.2"], by=users["leader"], note="x")
    with pytest.raises(PermissionDenied):
        services.run_submit_self(run=run, by=users["leader"])


def test_an_inspector_of_another_team_cannot_score(run, users, items):
    with pytest.raises(PermissionDenied):
        services.answer_save(run=run, side=Side.REVIEW, item=items["1.2"], by=users["other_inspector"], note="x")
    assert not Answer.objects.exists()


def test_the_self_side_is_closed_once_sent(run, users, items):
    services.run_submit_self(run=run, by=users["street"])
    with pytest.raises(PermissionDenied):
        services.answer_save(run=run, side=Side.SELF, item=items["1.2"], by=users["street"], note="改")


def test_the_self_side_is_closed_once_the_team_has_submitted(run, users, items):
    services.answer_save(run=run, side=Side.REVIEW, item=items["1.2"], by=users["inspector"], note="x")
    services.run_submit(run=run, by=users["inspector"])
    with pytest.raises(IllegalTransition):
        services.answer_save(run=run, side=Side.SELF, item=items["1.2"], by=users["street"], note="改")


def test_not_applicable_needs_a_reason_and_saves_nothing_without_one(run, users, items):
    with pytest.raises(ValidationError) as refused:
        services.answer_save(
            run=run, side=Side.REVIEW, item=items["1.2"], by=users["inspector"], state=AnswerState.NOT_APPLICABLE
        )
    assert "na_reason" in refused.value.message_dict
    assert not Answer.objects.exists()


def test_an_aspect_is_not_scored_itself(run, users, items):
    with pytest.raises(ValidationError):
        services.answer_save(run=run, side=Side.REVIEW, item=items["1"], by=users["inspector"], note="x")


def _reviewed(run, users, items):
    for _n in range(5):  # five findings at 0.5 under a cap of 3 (item of 6): 2.5 lost
        services.finding_add(run=run, side=Side.REVIEW, item=items["1.2"], by=users["inspector"], description="x")
    services.answer_save(
        run=run, side=Side.REVIEW, item=items["4.3"], by=users["inspector"], state=AnswerState.NOT_APPLICABLE,
        na_reason="无事故统计口径",
    )
    services.answer_save(
        run=run, side=Side.REVIEW, item=items["5.1"], by=users["inspector"], bonus_claimed=Decimal("2")
    )
    services.answer_save(run=run, side=Side.SELF, item=items["1.2"], by=users["street"], note="无问题")
    services.run_submit(run=run, by=users["inspector"])
    return services.run_review(run=run, by=users["reviewer"])


def test_the_result_is_fixed_at_review_from_the_review_side(run, users, items):
    run = _reviewed(run, users, items)
    run.refresh_from_db()
    # 4.3 (6 points) is N/A: out of 94; 2.5 lost on 1.2: 91.5 of 94 is 97.34 of 100.
    assert (run.raw_points, run.applicable_max, run.score) == (Decimal("91.50"), Decimal("94.00"), Decimal("97.34"))
    assert run.bonus_points == Decimal("2.00")
    assert not run.vetoed
    assert Answer.objects.get(run=run, side=Side.REVIEW, item=items["1.2"]).points == Decimal("3.50")


def test_published_scores_give_the_latest_published_run_per_unit_in_the_period(run, users, items, unit):
    run = _reviewed(run, users, items)
    march = (datetime.date(2019, 3, 1), datetime.date(2019, 3, 31))
    assert published_scores(unit_ids=[unit(WULIN).pk], start=march[0], end=march[1]) == {}  # reviewed only
    services.run_publish(run=run, by=users["reviewer"])
    scores = published_scores(unit_ids=[unit(WULIN).pk, unit(TIANSHUI).pk], start=march[0], end=march[1])
    run.refresh_from_db()
    assert scores == {unit(WULIN).pk: (run.score, False)}
    may = (datetime.date(2019, 5, 1), datetime.date(2019, 5, 31))
    assert published_scores(unit_ids=[unit(WULIN).pk], start=may[0], end=may[1]) == {}
