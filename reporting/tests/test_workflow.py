"""The submission workflow, whole: every move from every state, legal or not; what each
move leaves on the record; an accepted report is locked and only the office reopens it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reporting import services
from reporting.models import Status, Submission, SubmissionEvent
from reporting.tests.conftest import TIANSHUI, WULIN, shanghai

pytestmark = pytest.mark.django_db

Action = SubmissionEvent.Action
SENT = shanghai(2019, 3, 20, 10)


@pytest.fixture
def report_in(period, unit, filer, office):
    """report_in(status) → a monthly item of Wulin's for March 2019 in that state, made through the services."""

    def make(status):
        by = filer(WULIN)
        s = services.submission_start(
            by=by, unit=unit(WULIN), period=period("monthly_item", "2019-03"), title="t", body="b"
        )
        if status == Status.DRAFT:
            return s
        s = services.submission_submit(submission=s, by=by, at=SENT)
        if status == Status.RETURNED:
            s = services.submission_return(submission=s, by=office, comment="请补充。")
        elif status == Status.ACCEPTED:
            s = services.submission_accept(submission=s, by=office)
        return s

    return make


def _do(action, submission, filer, office):
    match action:
        case "submit":
            return services.submission_submit(submission=submission, by=filer(WULIN))
        case "return":
            return services.submission_return(submission=submission, by=office, comment="请修改。")
        case "accept":
            return services.submission_accept(submission=submission, by=office)
        case "reopen":
            return services.submission_reopen(submission=submission, by=office, reason="数据有误，重新审核。")


# (from, action) → the state it leads to; every pair not here is refused.
LEGAL = {
    (Status.DRAFT, "submit"): Status.SUBMITTED,
    (Status.RETURNED, "submit"): Status.SUBMITTED,  # resubmitted
    (Status.SUBMITTED, "return"): Status.RETURNED,
    (Status.SUBMITTED, "accept"): Status.ACCEPTED,
    (Status.ACCEPTED, "reopen"): Status.SUBMITTED,
}
ALL_MOVES = [(status, action) for status in Status for action in ("submit", "return", "accept", "reopen")]


@pytest.mark.parametrize("status, action", [m for m in ALL_MOVES if m in LEGAL], ids=lambda v: str(v))
def test_a_legal_move_changes_the_state_and_writes_one_event(report_in, filer, office, status, action):
    report = report_in(status)
    events = report.events.count()
    moved = _do(action, report, filer, office)
    assert Submission.objects.get(pk=report.pk).status == LEGAL[(status, action)] == moved.status
    assert report.events.count() == events + 1
    event = report.events.last()
    assert (event.from_status, event.to_status) == (status, LEGAL[(status, action)])
    assert event.by == (filer(WULIN) if action == "submit" else office)
    expected_action = {"submit": Action.RESUBMIT if status == Status.RETURNED else Action.SUBMIT}.get(action, action)
    assert event.action == expected_action


@pytest.mark.parametrize("status, action", [m for m in ALL_MOVES if m not in LEGAL], ids=lambda v: str(v))
def test_an_illegal_move_is_refused_and_changes_nothing(report_in, filer, office, status, action):
    report = report_in(status)
    events, history = report.events.count(), report.history.count()
    with pytest.raises(ValidationError) as refused:
        _do(action, report, filer, office)
    assert refused.value.code == "illegal_transition"
    report.refresh_from_db()
    assert report.status == status
    assert (report.events.count(), report.history.count()) == (events, history)


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.ACCEPTED])
def test_a_report_with_the_office_cannot_be_edited(report_in, filer, status):
    report = report_in(status)
    with pytest.raises(ValidationError) as refused:
        services.submission_save(submission=report, by=filer(WULIN), title="改过的", body="改过的正文")
    assert refused.value.code == "locked"
    report.refresh_from_db()
    assert (report.title, report.body) == ("t", "b")


@pytest.mark.parametrize("status", [Status.DRAFT, Status.RETURNED])
def test_drafts_and_returned_reports_can_be_edited(report_in, filer, status):
    report = report_in(status)
    services.submission_save(submission=report, by=filer(WULIN), title="改过的", body="改过的正文")
    report.refresh_from_db()
    assert (report.title, report.body, report.status) == ("改过的", "改过的正文", status)
    assert report.history.first().history_user == filer(WULIN)


def test_reopening_an_accepted_report_keeps_the_reason_who_and_when(report_in, office):
    report = report_in(Status.ACCEPTED)
    before = timezone.now()
    services.submission_reopen(submission=report, by=office, reason="数据与统计局口径不一致。")
    event = report.events.last()
    assert (event.action, event.by, event.comment) == (Action.REOPEN, office, "数据与统计局口径不一致。")
    assert before <= event.at <= timezone.now()
    assert (event.from_status, event.to_status) == (Status.ACCEPTED, Status.SUBMITTED)
    newest = report.history.first()
    assert (newest.status, newest.history_user) == (Status.SUBMITTED, office)
    assert report.history.filter(status=Status.ACCEPTED).exists()  # the accepted version stays on record


def test_reopening_needs_a_reason(report_in, office):
    report = report_in(Status.ACCEPTED)
    with pytest.raises(ValidationError) as refused:
        services.submission_reopen(submission=report, by=office, reason="  ")
    assert "comment" in refused.value.error_dict
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED


def test_only_the_office_reopens_accepts_or_returns(report_in, filer, unit, make_user):
    from districts.models import Role

    street = filer(WULIN)
    leader = make_user(Role.LEADER, unit("330103-LDXZ"))
    accepted, submitted = report_in(Status.ACCEPTED), report_in(Status.SUBMITTED)
    for user in (street, leader):
        with pytest.raises(PermissionDenied):
            services.submission_reopen(submission=accepted, by=user, reason="想改")
        with pytest.raises(PermissionDenied):
            services.submission_accept(submission=submitted, by=user)
        with pytest.raises(PermissionDenied):
            services.submission_return(submission=submitted, by=user, comment="改")
    assert Submission.objects.get(pk=accepted.pk).status == Status.ACCEPTED
    assert Submission.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_the_office_does_not_submit_for_a_unit_and_another_street_cannot_either(report_in, office, filer):
    draft = report_in(Status.DRAFT)
    for user in (office, filer(TIANSHUI)):
        with pytest.raises(PermissionDenied):
            services.submission_submit(submission=draft, by=user)
    assert Submission.objects.get(pk=draft.pk).status == Status.DRAFT


def test_returning_needs_comments(report_in, office):
    report = report_in(Status.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        services.submission_return(submission=report, by=office, comment="")
    assert "comment" in refused.value.error_dict
    assert Submission.objects.get(pk=report.pk).status == Status.SUBMITTED


def test_a_report_without_title_or_text_is_not_submitted(period, unit, filer):
    by = filer(WULIN)
    draft = services.submission_start(by=by, unit=unit(WULIN), period=period("monthly_item", "2019-03"))
    with pytest.raises(ValidationError) as refused:
        services.submission_submit(submission=draft, by=by)
    assert set(refused.value.error_dict) == {"title", "body"}
    assert Submission.objects.get(pk=draft.pk).status == Status.DRAFT


def test_a_late_report_is_taken_accepted_and_stays_marked_late(period, unit, filer, office):
    by = filer(WULIN)
    report = services.submission_start(
        by=by, unit=unit(WULIN), period=period("quarterly_progress", "2019-Q1"), title="一季度", body="进展"
    )
    report = services.submission_submit(submission=report, by=by, at=shanghai(2019, 4, 8, 9))
    report = services.submission_accept(submission=report, by=office, at=shanghai(2019, 4, 9, 9))
    assert report.status == Status.ACCEPTED and report.is_late is True


def test_a_resubmission_keeps_the_first_submission_time(report_in, filer):
    report = report_in(Status.RETURNED)
    later = SENT + datetime.timedelta(days=20)
    report = services.submission_submit(submission=report, by=filer(WULIN), at=later)
    assert (report.first_submitted_at, report.submitted_at) == (SENT, later)
    assert report.is_late is False


def test_a_report_filed_once_a_period_cannot_be_started_twice(period, unit, filer):
    by = filer(WULIN)
    q1 = period("quarterly_progress", "2019-Q1")
    services.submission_start(by=by, unit=unit(WULIN), period=q1, title="一季度")
    with pytest.raises(ValidationError) as refused:
        services.submission_start(by=by, unit=unit(WULIN), period=q1, title="又一份")
    assert refused.value.code == "exists"
    assert Submission.objects.filter(period=q1).count() == 1


def test_a_unit_of_the_wrong_kind_files_nothing(period, unit, make_user):
    from districts.models import Role

    community = make_user(Role.COMMUNITY_STAFF, unit("330103002051"))
    with pytest.raises(ValidationError):
        services.submission_start(by=community, unit=unit("330103002051"), period=period("monthly_item", "2019-03"))
    assert not Submission.objects.exists()


def test_the_table_has_a_row_for_every_event_and_names_only_real_states():
    from reporting.models import EDIT, SIDE_ROLES, TABLE, Side

    assert set(TABLE) == {EDIT, *Action}
    assert TABLE.states == set(Status)
    assert {Side(t.side) for _a, t in TABLE.items()} == set(SIDE_ROLES)
    # What the filing unit may still change is exactly what it may (re)submit.
    editable = {s for s in Status if TABLE.allowed(EDIT, s)}
    assert editable == {s for s in Status if TABLE.allowed(Action.SUBMIT, s) or TABLE.allowed(Action.RESUBMIT, s)}
