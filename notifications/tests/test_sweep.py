"""The sweep with a frozen clock (each sweep is told its day): the window over a whole campaign,
a missed day caught up, an extension moving the ladder, a filed report stopping it, a dissolved
unit left alone, each reminder written once, one digest per person, and nothing named that its
recipient cannot open."""

import datetime
import threading
import time

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from districts.models import OrgUnit, Sector
from hazards.models import Hazard, Source, Status
from hazards.services import hazard_decide_extension, hazard_request_extension
from notifications.models import EmailOutbox, Mute, Notification, Reminder, ReminderRule, Subject
from notifications.outbox import outbox_send
from notifications.services import mute_set
from notifications.sweep import EMAIL_LINES_PER_KIND, sweep
from notifications.tests.conftest import END, START, TIANSHUI, WULIN, ZHONGBEI
from reporting.models import Period
from reporting.periods import unit_owes
from reporting.services import submission_accept, submission_start, submission_submit

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def days(first, last):
    while first <= last:
        yield first
        first += DAY


def offsets_of(user, subject, deadline=None):
    rows = Reminder.objects.filter(recipient=user, subject=subject)
    if deadline is not None:
        rows = rows.filter(deadline=deadline)
    return sorted(rows.values_list("offset", flat=True))


def report_subject(period, code=WULIN):
    return f"report:{period.pk}:{OrgUnit.objects.get(code=code).pk}"


def test_over_a_whole_campaign_every_offset_of_every_owed_period_fires_once(campaign, people):
    wulin, street = people["wulin"], OrgUnit.objects.get(code=WULIN)
    rule = ReminderRule.objects.get(subject=Subject.REPORT_DUE)
    first, last = START - 10 * DAY, END + 45 * DAY
    for today in days(first, last):
        before = Notification.objects.filter(recipient=wulin).count()
        result = sweep(today=today)
        written = Notification.objects.filter(recipient=wulin).count() - before
        # One digest a sweep at most, whatever falls due that day.
        assert written <= 1, today
        assert result.reminders >= written
    periods = [
        p for p in Period.objects.filter(campaign=campaign).select_related("report_type") if unit_owes(street, p)
    ]
    assert {p.report_type.code for p in periods} >= {"monthly_item", "quarterly_progress", "work_plan"}
    for period in periods:
        expected = [o for o in rule.offsets() if first <= period.due_on + datetime.timedelta(days=o) <= last]
        assert offsets_of(wulin, report_subject(period)) == expected, period
    # Nothing was written twice, and nothing for another unit reached the street's filer.
    assert not Reminder.objects.filter(recipient=wulin).exclude(subject__endswith=f":{street.pk}").exists()


def test_a_day_without_a_sweep_is_caught_up_by_the_next_and_an_overtaken_offset_is_not_sent(people, january):
    wulin, due = people["wulin"], january.due_on
    subject = report_subject(january)
    sweep(today=due - 7 * DAY)
    assert offsets_of(wulin, subject) == [-7]
    # No sweep on the third day before: the next day's sweep sends that reminder.
    sweep(today=due - 2 * DAY)
    assert offsets_of(wulin, subject) == [-7, -3]
    line = Reminder.objects.get(recipient=wulin, subject=subject, offset=-3).text
    assert "武林街道" in line and "2" in line and "2025-01-31" in line
    # Neither on the day nor the day after: the on-the-day reminder comes two days late, once.
    sweep(today=due - 1 * DAY)
    sweep(today=due + 2 * DAY)
    sweep(today=due + 2 * DAY)
    assert offsets_of(wulin, subject) == [-7, -3, -1, 0]
    # A week late, the 3-day and 6-day reminders fall on days not swept: only the latest comes.
    sweep(today=due + 7 * DAY)
    assert offsets_of(wulin, subject) == [-7, -3, -1, 0, 6]


def test_a_filed_report_stops_its_ladder_and_an_accepted_one_too(people, january):
    wulin, office, due = people["wulin"], people["office"], january.due_on
    subject = report_subject(january)
    sweep(today=due - 7 * DAY)
    submission = submission_start(
        by=wulin, unit=OrgUnit.objects.get(code=WULIN), period=january, title="一月", body="工作信息"
    )
    sweep(today=due - 3 * DAY)
    # A draft is not a report filed: the ladder goes on.
    assert offsets_of(wulin, subject) == [-7, -3]
    submission_submit(submission=submission, by=wulin)
    for today in days(due - DAY, due + 10 * DAY):
        sweep(today=today)
    assert offsets_of(wulin, subject) == [-7, -3]
    submission_accept(submission=submission, by=office)
    sweep(today=due + 12 * DAY)
    assert offsets_of(wulin, subject) == [-7, -3]


def _hazard(*, deadline, found_by, issuing=WULIN, responsible=WULIN):
    return Hazard.objects.create(
        number=f"T-{Hazard.objects.count() + 1:06d}",
        title="疏散通道堆放杂物",
        unit=OrgUnit.objects.get(code=ZHONGBEI),
        sector=Sector.objects.get(code="fire_safety"),
        description="疏散通道堆放杂物",
        source=Source.INSPECTION,
        found_by=found_by,
        status=Status.RECTIFYING,
        issuing_unit=OrgUnit.objects.get(code=issuing),
        responsible_unit=OrgUnit.objects.get(code=responsible),
        responsible_person="王芳",
        deadline=deadline,
        assigned_at=timezone.now(),
    )


def test_an_approved_extension_moves_the_ladder_and_the_old_one_stops(people):
    wulin, office = people["wulin"], people["office"]
    old = timezone.localdate() + 10 * DAY
    hazard = _hazard(deadline=old, found_by=office)
    subject = f"hazard:{hazard.pk}"
    sweep(today=old - 3 * DAY)
    assert offsets_of(wulin, subject, old) == [-3]
    hazard_request_extension(hazard=hazard, by=wulin, requested_deadline=old + 15 * DAY, reason="材料未到货")
    hazard_decide_extension(hazard=Hazard.objects.get(pk=hazard.pk), by=office, approve=True)
    new = Hazard.objects.get(pk=hazard.pk).deadline
    assert new == old + 15 * DAY
    for today in days(old - 2 * DAY, old + 12 * DAY):
        sweep(today=today)
    # The old deadline's day and its overdue reminders never came; the new ladder began 7 days before.
    assert offsets_of(wulin, subject, old) == [-3]
    assert offsets_of(wulin, subject, new) == [-7, -3]


def test_a_dissolved_unit_gets_nothing(people, january):
    tianshui = people["tianshui"]
    OrgUnit.objects.filter(code=TIANSHUI).update(dissolved_on=datetime.date(2025, 2, 15))
    sweep(today=january.due_on - 7 * DAY)
    assert offsets_of(tianshui, report_subject(january, TIANSHUI)) == [-7]
    # Dissolved mid-February: neither January's overdue reminders nor February's come any more.
    for today in days(datetime.date(2025, 2, 15), datetime.date(2025, 3, 10)):
        sweep(today=today)
    assert Notification.objects.filter(recipient=tianshui).count() == 1
    # Wulin, swept on the same days, goes on being reminded (until the overdue reminders end).
    assert offsets_of(people["wulin"], report_subject(january)) == [-7, 15, 18, 21, 24, 27, 30]


def test_a_sweep_run_twice_writes_each_reminder_once(people, january):
    today = january.due_on - 3 * DAY
    first = sweep(today=today)
    assert first.people >= 2 and first.reminders >= 2
    counts = Notification.objects.count(), Reminder.objects.count()
    second = sweep(today=today)
    assert (second.people, second.reminders) == (0, 0)
    assert (Notification.objects.count(), Reminder.objects.count()) == counts


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_write_each_reminder_once_and_one_digest_per_person(plan, campaign, people):
    """The second sweep reads before the first commits (it sees nothing sent yet), and its insert
    waits for the first's commit on the unique key, then adds nothing: no second digest."""
    today = datetime.date(2025, 1, 28)
    results, swept, errors = {}, threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                results["first"] = sweep(today=today)
                swept.set()
                time.sleep(1.5)  # the second is at its inserts by now, waiting for this commit
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            swept.set()
        finally:
            connection.close()

    def second():
        swept.wait(30)
        try:
            with transaction.atomic():
                results["second"] = sweep(today=today)
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert results["first"].reminders >= 2
    assert (results["second"].people, results["second"].reminders) == (0, 0)
    for user in people.values():
        assert Notification.objects.filter(recipient=user).count() <= 1
    assert Notification.objects.filter(recipient=people["wulin"]).count() == 1
    keys = list(Reminder.objects.values_list("rule", "subject", "deadline", "offset", "recipient"))
    assert len(keys) == len(set(keys)) == results["first"].reminders


def test_one_digest_and_one_email_per_person_whatever_the_number_of_items(settings, people, january):
    settings.REMINDER_EMAIL = True
    wulin, office = people["wulin"], people["office"]
    today = january.due_on - 3 * DAY
    for n in range(4):
        _hazard(deadline=today + (n % 2) * DAY, found_by=office)
    result = sweep(today=today)
    note = Notification.objects.get(recipient=wulin)
    kinds = list(note.reminders.values_list("kind", flat=True))
    assert kinds.count(Subject.HAZARD_DEADLINE) == 4 and kinds.count(Subject.REPORT_DUE) >= 1
    # Grouped by kind: the reports first (the rules' order), then the hazards.
    assert kinds == sorted(kinds, key=Subject.values.index)
    assert EmailOutbox.objects.filter(notification__recipient=wulin).count() == 1
    mail.outbox.clear()
    outbox_send()
    to_wulin = [m for m in mail.outbox if m.to == [wulin.email]]
    assert len(to_wulin) == 1
    body = to_wulin[0].body
    assert "【报送期限】" in body or "【" in body
    assert body.count("http://") >= len(kinds)
    assert result.emails == EmailOutbox.objects.count()
    assert set(EmailOutbox.objects.values_list("state", flat=True)) == {EmailOutbox.State.SENT}


def test_a_long_digests_email_lists_twenty_lines_of_a_kind_and_links_to_the_rest(settings, people, january):
    """The in-app digest holds every line; its e-mail the first 20 of each kind and the count of
    the rest, linked to the digest's own page of that kind (an office's digest may hold tens of
    thousands of lines)."""
    settings.REMINDER_EMAIL = True
    wulin, office = people["wulin"], people["office"]
    today = january.due_on - 3 * DAY
    for _n in range(EMAIL_LINES_PER_KIND + 5):
        _hazard(deadline=today + DAY, found_by=office)
    sweep(today=today)
    note = Notification.objects.get(recipient=wulin)
    assert note.reminders.filter(kind=Subject.HAZARD_DEADLINE).count() == 25
    mail.outbox.clear()
    outbox_send()
    (body,) = [m.body for m in mail.outbox if m.to == [wulin.email]]
    assert body.count("疏散通道堆放杂物") == EMAIL_LINES_PER_KIND
    more = f"{reverse('notification_detail', args=[note.pk])}?kind={Subject.HAZARD_DEADLINE}"
    assert f"还有 5 条：{settings.SITE_URL.rstrip('/')}{more}" in body
    # The report due this day is listed whole: a kind of few lines has no "more".
    assert body.count("……还有") == 1


def test_no_email_is_queued_when_no_email_server_is_configured(settings, people, january):
    settings.REMINDER_EMAIL = False
    sweep(today=january.due_on)
    assert Notification.objects.filter(recipient=people["wulin"]).exists()
    assert not EmailOutbox.objects.exists()


def test_a_notification_never_names_what_its_recipient_cannot_open(people, january):
    """The office is a recipient of the report rule here, but cannot open a street's report form;
    a street that issued a hazard elsewhere cannot open it: neither is told about it."""
    rule = ReminderRule.objects.get(subject=Subject.REPORT_DUE)
    rule.recipients = ["filers", "office"]
    rule.save()
    hazard_rule = ReminderRule.objects.get(subject=Subject.HAZARD_DEADLINE)
    hazard_rule.recipients = ["responsible", "issuing"]
    hazard_rule.save()
    today = january.due_on - DAY
    hazard = _hazard(deadline=today, found_by=people["office"], issuing=TIANSHUI)
    result = sweep(today=today)
    assert result.hidden >= 2
    assert not Reminder.objects.filter(recipient=people["office"], kind=Subject.REPORT_DUE).exists()
    assert not Reminder.objects.filter(recipient=people["tianshui"], subject=f"hazard:{hazard.pk}").exists()
    # The people who may open them are told.
    assert Reminder.objects.filter(recipient=people["wulin"], subject=f"hazard:{hazard.pk}").exists()
    assert Reminder.objects.filter(recipient=people["tianshui"], kind=Subject.REPORT_DUE).exists()


def test_a_muted_kind_is_not_sent_but_an_escalation_always_is(people, january):
    wulin = people["wulin"]
    mute_set(by=wulin, kind=Subject.REPORT_DUE, muted=True)
    sweep(today=january.due_on - 7 * DAY)
    assert not Reminder.objects.filter(recipient=wulin).exists()
    assert Reminder.objects.filter(recipient=people["tianshui"]).exists()
    rule = ReminderRule.objects.get(subject=Subject.REPORT_DUE)
    rule.escalation = True
    rule.save()
    with pytest.raises(PermissionDenied):
        mute_set(by=people["tianshui"], kind=Subject.REPORT_DUE, muted=True)
    assert Mute.objects.filter(user=wulin).exists()
    sweep(today=january.due_on - 3 * DAY)
    assert Reminder.objects.filter(recipient=wulin).exists()
