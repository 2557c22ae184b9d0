"""The ladder of a rule: which reminder is due on a day, as the sweep reads it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from districts.models import Role
from notifications.models import ReminderRule, Subject
from notifications.services import rule_update

pytestmark = pytest.mark.django_db
D = datetime.date(2025, 1, 31)


def day(n):
    return D + datetime.timedelta(days=n)


def test_the_shipped_rules_cover_every_subject_with_the_default_ladder():
    rules = {r.subject: r for r in ReminderRule.objects.all()}
    assert set(rules) == set(Subject.values)
    escalations = {Subject.HAZARD_ESCALATION, Subject.REPORT_MISSING, Subject.MAJOR_HAZARD_WEEKLY}
    for subject, rule in rules.items():
        assert rule.enabled and rule.email
        assert rule.escalation == (subject in escalations)
        if subject not in escalations | {Subject.BULLETIN_UNACKNOWLEDGED}:
            assert rule.offsets() == [-7, -3, -1, 0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30]
        rule.full_clean()
    assert rules[Subject.REPORT_DUE].recipients == ["filers"]
    assert rules[Subject.HAZARD_DEADLINE].recipients == ["responsible"]
    # The escalations: 3 days overdue, then every 7 days to 30; the weekly list from 1 day overdue.
    assert rules[Subject.HAZARD_ESCALATION].offsets() == [3, 10, 17, 24]
    assert rules[Subject.HAZARD_ESCALATION].recipients == ["issuing", "office"]
    assert rules[Subject.REPORT_MISSING].offsets() == [3, 10, 17, 24]
    assert rules[Subject.REPORT_MISSING].recipients == ["office"]
    assert rules[Subject.MAJOR_HAZARD_WEEKLY].recipients == ["leading_group"]
    # A bulletin not acknowledged: from the 3rd day after its publication (its "deadline"), every 3 days.
    bulletin = rules[Subject.BULLETIN_UNACKNOWLEDGED]
    assert (bulletin.allowed_days, bulletin.recipients) == (3, ["responsible"])
    assert bulletin.offsets() == [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30]


def test_the_latest_offset_whose_day_has_come_is_due(rules):
    rule = ReminderRule.objects.get(subject=Subject.REPORT_DUE)
    assert rule.offset_due(D, day(-8)) is None
    assert [rule.offset_due(D, day(n)) for n in range(-7, 8)] == [-7, -7, -7, -7, -3, -3, -1, 0, 0, 0, 3, 3, 3, 6, 6]
    assert rule.offset_due(D, day(30)) == 30
    # Past the last day of overdue reminders the subject is left to the escalation.
    assert rule.offset_due(D, day(31)) is None


def test_a_rule_without_overdue_reminders_stops_on_the_day():
    rule = ReminderRule(subject=Subject.KEY_TASK, days_before=[2], on_the_day=False, overdue_every_days=0)
    rule.overdue_for_days = 0
    assert rule.offsets() == [-2]
    assert rule.offset_due(D, day(-2)) == -2
    assert rule.offset_due(D, day(1)) is None


def test_only_the_system_administrator_changes_a_rule(rules, unit, make_user):
    rule = ReminderRule.objects.get(subject=Subject.RISK_REVIEW)
    with pytest.raises(PermissionDenied):
        rule_update(rule=rule, by=make_user(Role.REVIEWER, unit("330103-CJB")), days_before=[5])
    admin = make_user(Role.SYSTEM_ADMIN, unit("330103"))
    rule_update(rule=rule, by=admin, days_before=[14, 5], overdue_every_days=7)
    rule.refresh_from_db()
    assert rule.offsets() == [-14, -5, 0, 7, 14, 21, 28]
    assert rule.history.first().history_user == admin
    with pytest.raises(ValidationError):
        rule_update(rule=rule, by=admin, days_before=["soon"])
    with pytest.raises(ValidationError):
        rule_update(rule=rule, by=admin, recipients=["everyone"])
    with pytest.raises(TypeError):
        rule_update(rule=rule, by=admin, subject=Subject.KEY_TASK)


def test_a_rule_with_no_day_at_all_sends_nothing(people, january):
    from notifications.models import Reminder
    from notifications.sweep import sweep

    rules = ReminderRule.objects.filter(subject=Subject.REPORT_DUE)
    rules.update(days_before=[], on_the_day=False, overdue_every_days=0)
    for n in range(-8, 4):
        sweep(today=january.due_on + datetime.timedelta(days=n))
    assert not Reminder.objects.filter(kind=Subject.REPORT_DUE).exists()


def test_a_weekly_rule_falls_due_on_its_weekday_and_is_caught_up_that_week():
    rule = ReminderRule(subject=Subject.MAJOR_HAZARD_WEEKLY, escalation=True, escalate_after_days=1)
    rule.overdue_every_days, rule.overdue_for_days = 0, 365
    monday = datetime.date(2025, 3, 3)
    deadline = monday - datetime.timedelta(days=10)
    week = [rule.offset_due(deadline, monday + datetime.timedelta(days=n)) for n in range(7)]
    assert week == [10] * 7  # one key for the whole week
    assert rule.offset_due(deadline, monday + datetime.timedelta(days=7)) == 17
    # Overdue only from the Tuesday: not in that week's list.
    assert rule.offset_due(monday, monday + datetime.timedelta(days=3)) is None
    assert rule.deadlines_due(monday + datetime.timedelta(days=3)) == (
        monday - datetime.timedelta(days=365),
        monday - datetime.timedelta(days=1),
    )
