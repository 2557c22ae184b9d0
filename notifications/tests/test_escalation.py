"""The escalation ladder, with a frozen clock (each sweep is told its day): an overdue hazard
raised to the side that issued it and to the office on day N, a report missing N days after its
due date raised to the office, the leading group's weekly list of listed major hazards overdue;
none of them muted, each stopping by itself when the record no longer owes anything, N the
system administrator's to change."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from campaign.tests.images import photo
from districts.models import OrgUnit, Role, Sector, User
from districts.second_factor import force_login_verified
from districts.services import membership_create
from hazards.models import Grade, Hazard, Source, Status, SupervisionListing
from hazards.services import (
    hazard_cancel,
    hazard_close,
    hazard_decide_extension,
    hazard_request_extension,
    hazard_submit,
)
from notifications.models import Mute, Reminder, ReminderRule, Subject
from notifications.services import mute_set, rule_update
from notifications.sweep import sweep
from notifications.tests.conftest import OFFICE, TIANSHUI, WULIN, ZHONGBEI
from reporting.services import submission_start, submission_submit

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
LEADING_GROUP = "330103-LDXZ"
D = datetime.date(2025, 3, 3)  # a Monday: the hazards' deadline


def days(first, last):
    while first <= last:
        yield first
        first += DAY


@pytest.fixture
def everyone(people, unit, make_user):
    return {
        **people,
        "zhongbei": make_user(Role.COMMUNITY_STAFF, unit(ZHONGBEI), "zhongbei"),
        "leader": make_user(Role.LEADER, unit(LEADING_GROUP), "leader"),
    }


def _hazard(*, deadline=D, found_by, issuing=WULIN, responsible=ZHONGBEI, grade=Grade.GENERAL):
    return Hazard.objects.create(
        number=f"YH-T-{Hazard.objects.count() + 1:04d}",
        title="配电箱无防护",
        unit=OrgUnit.objects.get(code=ZHONGBEI),
        sector=Sector.objects.get(code="fire_safety"),
        description="配电箱无防护",
        grade=grade,
        source=Source.INSPECTION,
        found_by=found_by,
        status=Status.RECTIFYING,
        issuing_unit=OrgUnit.objects.get(code=issuing),
        responsible_unit=OrgUnit.objects.get(code=responsible),
        responsible_person="李强",
        deadline=deadline,
        assigned_at=timezone.now(),
    )


def _listed(hazard, by):
    SupervisionListing.objects.create(
        hazard=hazard,
        supervising_unit=OrgUnit.objects.get(code=OFFICE),
        document_number="下安委办〔2025〕3号",
        listed_on=D - 30 * DAY,
        listed_by=by,
        plan_measures="更换配电箱",
        plan_funds=Decimal("3.5"),
        plan_responsible="李强",
        plan_time_limit=D,
        plan_contingency="设置警戒区",
    )
    return hazard


def escalated(kind, subject=None, **filters):
    rows = Reminder.objects.filter(kind=kind, **filters)
    if subject is not None:
        rows = rows.filter(subject=subject)
    return rows


def offsets(kind, subject, **filters):
    return sorted(escalated(kind, subject, **filters).values_list("offset", flat=True))


def test_an_overdue_hazard_is_escalated_on_day_n_to_the_issuing_unit_and_the_office_only(everyone):
    hazard = _hazard(found_by=everyone["office"])
    for today in days(D - 7 * DAY, D + 2 * DAY):
        sweep(today=today)
    # The responsible community was reminded all along; nobody was told of an escalation.
    assert Reminder.objects.filter(recipient=everyone["zhongbei"], kind=Subject.HAZARD_DEADLINE).exists()
    assert not escalated(Subject.HAZARD_ESCALATION).exists()
    sweep(today=D + 3 * DAY)
    rows = escalated(Subject.HAZARD_ESCALATION, f"hazard:{hazard.pk}")
    assert set(rows.values_list("recipient__username", flat=True)) == {"wulin", "office"}
    assert set(rows.values_list("offset", flat=True)) == {3}
    line = rows.get(recipient=everyone["office"])
    assert hazard.number in line.text and "已逾期 3 天" in line.text and "中北" in line.text
    assert line.url == reverse("hazard_detail", args=[hazard.pk])
    # Again every 7 days while it stays overdue, not in between.
    for today in days(D + 4 * DAY, D + 10 * DAY):
        sweep(today=today)
    assert sorted(rows.filter(recipient=everyone["office"]).values_list("offset", flat=True)) == [3, 10]
    assert not escalated(Subject.HAZARD_ESCALATION, recipient=everyone["tianshui"]).exists()
    assert not escalated(Subject.HAZARD_ESCALATION, recipient=everyone["zhongbei"]).exists()


def test_an_escalation_whose_day_had_no_sweep_is_raised_by_the_next(everyone):
    hazard = _hazard(found_by=everyone["office"])
    sweep(today=D + 5 * DAY)
    rows = escalated(Subject.HAZARD_ESCALATION, f"hazard:{hazard.pk}", recipient=everyone["office"])
    assert list(rows.values_list("offset", flat=True)) == [3]
    assert "已逾期 5 天" in rows.get().text


def test_a_hazard_the_issuing_street_cannot_open_is_not_named_to_it(everyone):
    """Tianshui issued it, but the place is Wulin's: Tianshui cannot open it and is not told."""
    hazard = _hazard(found_by=everyone["office"], issuing=TIANSHUI)
    result = sweep(today=D + 3 * DAY)
    assert result.hidden >= 1
    rows = escalated(Subject.HAZARD_ESCALATION, f"hazard:{hazard.pk}")
    assert set(rows.values_list("recipient__username", flat=True)) == {"office"}


def test_an_escalation_cannot_be_muted(everyone):
    office = everyone["office"]
    with pytest.raises(PermissionDenied):
        mute_set(by=office, kind=Subject.HAZARD_ESCALATION, muted=True)
    with pytest.raises(PermissionDenied):
        mute_set(by=everyone["leader"], kind=Subject.MAJOR_HAZARD_WEEKLY, muted=True)
    # Muting the ordinary reminders of hazards does not mute their escalation, nor does a mute
    # row left from before the rule was an escalation.
    mute_set(by=office, kind=Subject.HAZARD_DEADLINE, muted=True)
    Mute.objects.create(user=office, kind=Subject.HAZARD_ESCALATION)
    hazard = _hazard(found_by=office)
    sweep(today=D + 3 * DAY)
    assert escalated(Subject.HAZARD_ESCALATION, f"hazard:{hazard.pk}", recipient=office).exists()


def test_the_escalation_stops_when_the_hazard_is_closed_cancelled_or_its_deadline_extended(everyone):
    office, zhongbei = everyone["office"], everyone["zhongbei"]
    closed, cancelled, extended = (_hazard(found_by=office) for _i in range(3))
    # The extension is approved before day 3: the old deadline's escalation never comes.
    hazard_request_extension(hazard=extended, by=zhongbei, requested_deadline=D + 20 * DAY, reason="设备未到货")
    hazard_decide_extension(hazard=Hazard.objects.get(pk=extended.pk), by=office, approve=True)
    sweep(today=D + 3 * DAY)
    assert escalated(Subject.HAZARD_ESCALATION, f"hazard:{closed.pk}", recipient=office).exists()
    assert escalated(Subject.HAZARD_ESCALATION, f"hazard:{cancelled.pk}", recipient=office).exists()
    assert not escalated(Subject.HAZARD_ESCALATION, f"hazard:{extended.pk}").exists()
    hazard_submit(hazard=Hazard.objects.get(pk=closed.pk), by=zhongbei, rectification="已加装防护", photos=[photo()])
    hazard_close(hazard=Hazard.objects.get(pk=closed.pk), by=office)
    hazard_cancel(hazard=Hazard.objects.get(pk=cancelled.pk), by=office, reason="重复登记")
    for today in days(D + 4 * DAY, D + 17 * DAY):
        sweep(today=today)
    for hazard in (closed, cancelled):
        assert offsets(Subject.HAZARD_ESCALATION, f"hazard:{hazard.pk}", recipient=office) == [3]
    assert not escalated(Subject.HAZARD_ESCALATION, f"hazard:{extended.pk}").exists()
    # Overdue by 3 days against its new deadline, it is escalated.
    sweep(today=D + 23 * DAY)
    row = escalated(Subject.HAZARD_ESCALATION, f"hazard:{extended.pk}", recipient=office).get()
    assert (row.deadline, row.offset) == (D + 20 * DAY, 3)


def test_the_leading_group_gets_each_listed_major_hazard_overdue_once_a_week(everyone):
    office, leader = everyone["office"], everyone["leader"]
    major = _listed(_hazard(deadline=D - 10 * DAY, found_by=office, grade=Grade.MAJOR), office)
    # Not listed, or listed and not yet overdue: not in the list.
    general = _hazard(deadline=D - 10 * DAY, found_by=office)
    due_later = _listed(_hazard(deadline=D + 7 * DAY, found_by=office, grade=Grade.MAJOR), office)
    for today in days(D, D + 13 * DAY):
        sweep(today=today)
    rows = escalated(Subject.MAJOR_HAZARD_WEEKLY, recipient=leader)
    # Two Mondays, one line each; the hazard overdue from Tuesday waits for the next Monday.
    assert offsets(Subject.MAJOR_HAZARD_WEEKLY, f"hazard:{major.pk}", recipient=leader) == [10, 17]
    assert not rows.filter(subject__in=[f"hazard:{general.pk}", f"hazard:{due_later.pk}"]).exists()
    first = rows.get(subject=f"hazard:{major.pk}", offset=10)
    assert "挂牌督办" in first.text and major.number in first.text and "已逾期 10 天" in first.text
    assert "下安委办〔2025〕3号" in first.text
    assert first.url == reverse("hazard_detail", args=[major.pk])
    # It sits in the leader's one digest of that sweep, and nobody else gets the list.
    assert first.notification.recipient == leader
    assert set(escalated(Subject.MAJOR_HAZARD_WEEKLY).values_list("recipient", flat=True)) == {leader.pk}
    assert not Reminder.objects.filter(recipient=leader).exclude(kind=Subject.MAJOR_HAZARD_WEEKLY).exists()


def test_a_missed_monday_is_caught_up_that_week_and_never_twice(everyone):
    office, leader = everyone["office"], everyone["leader"]
    major = _listed(_hazard(deadline=D - 10 * DAY, found_by=office, grade=Grade.MAJOR), office)
    subject = f"hazard:{major.pk}"
    # No sweep on Monday or Tuesday: Wednesday's sends the week's line, the rest of the week nothing.
    for today in days(D + 2 * DAY, D + 6 * DAY):
        sweep(today=today)
    rows = escalated(Subject.MAJOR_HAZARD_WEEKLY, subject, recipient=leader)
    assert list(rows.values_list("offset", flat=True)) == [10]
    assert "已逾期 12 天" in rows.get().text
    # Closed before the next Monday: the list has it no more.
    hazard_cancel(hazard=Hazard.objects.get(pk=major.pk), by=office, reason="并入其他隐患")
    sweep(today=D + 7 * DAY)
    assert rows.count() == 1


def test_a_report_missing_n_days_after_its_due_date_is_raised_to_the_office(everyone, january):
    office, wulin, tianshui = everyone["office"], everyone["wulin"], everyone["tianshui"]
    due = january.due_on
    street = {code: OrgUnit.objects.get(code=code) for code in (WULIN, TIANSHUI)}
    filed = submission_start(by=wulin, unit=street[WULIN], period=january, title="一月", body="工作信息")
    submission_submit(submission=filed, by=wulin)
    for today in days(due - 7 * DAY, due + 2 * DAY):
        sweep(today=today)
    assert not escalated(Subject.REPORT_MISSING).exists()
    sweep(today=due + 3 * DAY)
    rows = escalated(Subject.REPORT_MISSING, recipient=office)
    missing = rows.get(subject=f"report:{january.pk}:{street[TIANSHUI].pk}")
    assert "天水街道" in missing.text and "已逾期 3 天" in missing.text
    assert not rows.filter(subject=f"report:{january.pk}:{street[WULIN].pk}").exists()
    # Only the office is told: the streets have their own reminders.
    assert set(escalated(Subject.REPORT_MISSING).values_list("recipient", flat=True)) == {office.pk}
    # Filed late: its escalation stops.
    late = submission_start(by=tianshui, unit=street[TIANSHUI], period=january, title="一月", body="工作信息")
    submission_submit(submission=late, by=tianshui)
    sweep(today=due + 10 * DAY)
    assert offsets(Subject.REPORT_MISSING, f"report:{january.pk}:{street[TIANSHUI].pk}", recipient=office) == [3]


def test_the_office_opens_the_reporting_calendar_the_line_links_to(client, everyone, january):
    sweep(today=january.due_on + 3 * DAY)
    tianshui = OrgUnit.objects.get(code=TIANSHUI)
    line = escalated(Subject.REPORT_MISSING, f"report:{january.pk}:{tianshui.pk}", recipient=everyone["office"]).get()
    assert line.url.startswith(reverse("report_calendar") + "?")
    force_login_verified(client, everyone["office"])
    response = client.get(line.url)
    assert response.status_code == 200 and "天水街道" in response.content.decode()


def test_the_system_administrator_changes_n(everyone, unit):
    admin = User.objects.create_user(username="sysadmin", password="pw-for-tests-only")
    membership_create(user=admin, unit=unit("330103"), role=Role.SYSTEM_ADMIN)
    admin = User.objects.get(pk=admin.pk)
    rule = ReminderRule.objects.get(subject=Subject.HAZARD_ESCALATION)
    rule_update(rule=rule, by=admin, escalate_after_days=5)
    hazard = _hazard(found_by=everyone["office"])
    for today in days(D, D + 4 * DAY):
        sweep(today=today)
    assert not escalated(Subject.HAZARD_ESCALATION).exists()
    sweep(today=D + 5 * DAY)
    assert set(escalated(Subject.HAZARD_ESCALATION, f"hazard:{hazard.pk}").values_list("offset", flat=True)) == {5}
    # An escalation is raised after the deadline, on day 1 at the earliest; an ordinary rule has none.
    with pytest.raises(ValidationError):
        rule_update(rule=rule, by=admin, escalate_after_days=0)
    with pytest.raises(ValidationError):
        rule_update(rule=rule, by=admin, days_before=[1])
    with pytest.raises(ValidationError):
        rule_update(rule=ReminderRule.objects.get(subject=Subject.KEY_TASK), by=admin, escalate_after_days=3)


def test_the_system_administrator_changes_n_in_the_back_office(client, everyone, unit):
    admin = User.objects.create_user(username="sysadmin", password="pw-for-tests-only")
    membership_create(user=admin, unit=unit("330103"), role=Role.SYSTEM_ADMIN)
    force_login_verified(client, User.objects.get(pk=admin.pk))
    rule = ReminderRule.objects.get(subject=Subject.REPORT_MISSING)
    data = {
        "enabled": "on",
        "days_before": "[]",
        "overdue_every_days": rule.overdue_every_days,
        "overdue_for_days": rule.overdue_for_days,
        "escalate_after_days": 2,
        "recipients": json.dumps(rule.recipients),
        "email": "on",
    }
    url = reverse("admin:notifications_reminderrule_change", args=[rule.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert rule.escalate_after_days == 2 and rule.escalation


def test_the_offices_digest_holds_every_overdue_hazard_even_beyond_32767_lines(everyone):
    """At volume the office is told of tens of thousands of overdue hazards in one sweep (the
    benchmark: 46,000 lines in one digest): a line's position once stopped the sweep at 32,768."""
    first = _hazard(found_by=everyone["office"])
    many = 33_000
    fields = {f.attname: getattr(first, f.attname) for f in Hazard._meta.concrete_fields if not f.primary_key}
    Hazard.objects.bulk_create(Hazard(**{**fields, "number": f"YH-V-{n:05d}"}) for n in range(many))
    sweep(today=D + 3 * DAY)
    lines = escalated(Subject.HAZARD_ESCALATION, recipient=everyone["office"])
    assert lines.count() == many + 1
    assert lines.values("notification").distinct().count() == 1  # one digest
    last = lines.order_by("-position").first()
    assert last.position > 32_767 and last.text.startswith("YH-V-") and "已逾期 3 天" in last.text
    assert sweep(today=D + 3 * DAY).reminders == 0  # and once
