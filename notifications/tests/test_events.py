"""Event notices: a report returned, a hazard assigned, a rectification awaiting verification, a
rectification returned — each told once to the people who act next, read from the records' own
event rows after a cursor (a bulk write too, and an event committed after a later one), in the
same digest as the reminders, never naming what its recipient cannot open, and mutable."""

import datetime
import threading
import time

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from campaign.tests.images import photo
from districts.models import OrgUnit, Role, Sector
from hazards.models import Action, Hazard, HazardEvent, Source, Status
from hazards.services import hazard_assign, hazard_return, hazard_submit
from notifications import events
from notifications.models import EmailOutbox, EventCursor, Notice, Notification, Reminder, Subject
from notifications.outbox import outbox_send
from notifications.services import mutable_kinds, mute_set
from notifications.sweep import sweep
from notifications.tests.conftest import OFFICE, WULIN, ZHONGBEI
from reporting.services import submission_return, submission_start, submission_submit

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
EMERGENCY = "330103-YJJ"  # 区应急管理局, leads hazardous chemicals


def notices(user, kind=None):
    rows = Reminder.objects.filter(recipient=user, rule__isnull=True)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("id"))


def _hazard(*, by, status=Status.REPORTED, deadline=None, sector="fire_safety", issuing=None):
    """A hazard in Zhongbei written directly (the steps under test go through the services)."""
    assigned = status != Status.REPORTED
    hazard = Hazard.objects.create(
        number=f"T-{Hazard.objects.count() + 1:06d}",
        title="疏散通道堆放杂物",
        unit=OrgUnit.objects.get(code=ZHONGBEI),
        sector=Sector.objects.get(code=sector),
        description="疏散通道堆放杂物",
        source=Source.INSPECTION,
        found_by=by,
        status=status,
        issuing_unit=OrgUnit.objects.get(code=issuing or OFFICE) if assigned else None,
        responsible_unit=OrgUnit.objects.get(code=WULIN) if assigned else None,
        responsible_person="王芳" if assigned else "",
        deadline=(deadline or timezone.localdate() + 10 * DAY) if assigned else None,
        assigned_at=timezone.now() if assigned else None,
    )
    HazardEvent.objects.create(hazard=hazard, action=Action.REPORT, to_status=Status.REPORTED, by=by)
    return hazard


def _assign(hazard, office):
    return hazard_assign(
        hazard=hazard,
        by=office,
        responsible_unit=OrgUnit.objects.get(code=WULIN),
        responsible_person="王芳",
        deadline=timezone.localdate() + 10 * DAY,
    )


def _submit(hazard, by):
    return hazard_submit(hazard=Hazard.objects.get(pk=hazard.pk), by=by, rectification="已清理", photos=[photo()])


@pytest.fixture
def started(people):
    """The first sweep: it starts the cursors at the newest event and tells nothing."""
    result = sweep()
    assert result.events == 0
    assert set(EventCursor.objects.values_list("source", flat=True)) == {"hazard_events", "submission_events"}
    return people


def test_the_first_sweep_starts_at_the_newest_event_and_tells_no_history(people):
    office, wulin = people["office"], people["wulin"]
    old = _hazard(by=office)
    _assign(old, office)
    sweep()
    assert notices(wulin) == []
    assert EventCursor.objects.get(source="hazard_events").last_id == HazardEvent.objects.latest("id").pk
    new = _hazard(by=office)
    _assign(new, office)
    sweep()
    assert [n.url for n in notices(wulin, Notice.HAZARD_ASSIGNED)] == [reverse("hazard_detail", args=[new.pk])]


def test_a_returned_report_tells_its_filers_once_with_the_reason(started, january):
    wulin, tianshui, office = started["wulin"], started["tianshui"], started["office"]
    submission = submission_start(
        by=wulin, unit=OrgUnit.objects.get(code=WULIN), period=january, title="一月", body="工作信息"
    )
    submission_submit(submission=submission, by=wulin)
    submission_return(submission=submission, by=office, comment="请补充隐患整改数据")
    first = sweep()
    [line] = notices(wulin)
    assert line.kind == Notice.REPORT_RETURNED
    assert "请补充隐患整改数据" in line.text and "武林街道" in line.text
    assert line.url == reverse("submission_detail", args=[submission.pk])
    assert notices(tianshui) == notices(office) == []
    assert (first.notices, first.people) == (1, 1)
    # Swept again: nothing more.
    again = sweep()
    assert (again.notices, again.people) == (0, 0)
    assert len(notices(wulin)) == 1 and Notification.objects.filter(recipient=wulin).count() == 1


def test_an_assigned_hazard_tells_the_responsible_unit_and_nobody_else(started, make_user, unit):
    wulin, tianshui, office = started["wulin"], started["tianshui"], started["office"]
    community = make_user(Role.COMMUNITY_STAFF, unit(ZHONGBEI), "zhongbei")
    hazard = _hazard(by=office)
    _assign(hazard, office)
    sweep()
    [line] = notices(wulin)
    assert line.kind == Notice.HAZARD_ASSIGNED
    assert hazard.number in line.text and "武林街道" in line.text
    assert (timezone.localdate() + 10 * DAY).isoformat() in line.text
    # The hazard's community is not the responsible unit, nor the office that assigned it.
    assert notices(tianshui) == notices(office) == notices(community) == []
    sweep()
    assert len(notices(wulin)) == 1
    # A street that assigns a hazard to itself: its other staff are told, not the one who did it.
    colleague = make_user(Role.STREET_STAFF, unit(WULIN), "colleague")
    own = _hazard(by=office)
    _assign(own, wulin)
    sweep()
    assert [n.url for n in notices(colleague)] == [reverse("hazard_detail", args=[own.pk])]
    assert len(notices(wulin)) == 1


def test_a_rectification_reported_tells_the_verifying_side(started, make_user, unit):
    wulin, tianshui, office = started["wulin"], started["tianshui"], started["office"]
    colleague = make_user(Role.STREET_STAFF, unit(WULIN), "colleague")
    hazard = _hazard(by=office)
    _assign(hazard, office)
    sweep()
    _submit(hazard, colleague)
    sweep()
    # The office assigned it (the issuing unit) and verifies it.
    [line] = notices(office)
    assert line.kind == Notice.RECTIFICATION_SUBMITTED and hazard.number in line.text
    assert line.url == reverse("hazard_detail", args=[hazard.pk])
    # Not the unit that reported it rectified, nor anyone else.
    assert notices(wulin, Notice.RECTIFICATION_SUBMITTED) == notices(tianshui) == []
    sweep()
    assert len(notices(office)) == 1


def test_a_returned_rectification_tells_the_responsible_unit_with_the_reason(started):
    wulin, tianshui, office = started["wulin"], started["tianshui"], started["office"]
    hazard = _hazard(by=office)
    _assign(hazard, office)
    _submit(hazard, wulin)
    sweep()
    hazard_return(hazard=Hazard.objects.get(pk=hazard.pk), by=office, reason="现场仍有杂物堆放")
    sweep()
    [line] = notices(wulin, Notice.RECTIFICATION_RETURNED)
    assert "现场仍有杂物堆放" in line.text and hazard.number in line.text
    assert notices(office, Notice.RECTIFICATION_RETURNED) == notices(tianshui) == []
    sweep()
    assert len(notices(wulin, Notice.RECTIFICATION_RETURNED)) == 1


def test_a_sweep_that_died_before_moving_the_cursor_tells_nothing_twice(started, monkeypatch):
    wulin, office = started["wulin"], started["office"]
    _assign(_hazard(by=office), office)
    with monkeypatch.context() as patched:
        patched.setattr(events, "advance", lambda reads: None)  # the digests committed, the cursor not moved
        assert sweep().notices == 1
    again = sweep()
    assert again.events == 1 and again.notices == 0
    assert len(notices(wulin)) == 1 and Notification.objects.filter(recipient=wulin).count() == 1


def test_a_bulk_write_of_events_is_told(started):
    wulin, office = started["wulin"], started["office"]
    hazards = [_hazard(by=office, status=Status.RECTIFYING) for _n in range(3)]
    HazardEvent.objects.bulk_create(
        HazardEvent(
            hazard=h,
            action=Action.ASSIGN,
            from_status=Status.REPORTED,
            to_status=Status.RECTIFYING,
            by=office,
            deadline=h.deadline,
        )
        for h in hazards
    )
    result = sweep()
    assert result.notices == 3
    assert sorted(n.url for n in notices(wulin, Notice.HAZARD_ASSIGNED)) == sorted(
        reverse("hazard_detail", args=[h.pk]) for h in hazards
    )
    # One digest for the three.
    assert Notification.objects.filter(recipient=wulin).count() == 1


def test_a_notice_never_names_what_its_recipient_cannot_open(started, make_user, unit):
    """Both hazards were assigned in the emergency bureau's name; it leads hazardous chemicals,
    not fire safety: its staff may open the chemicals hazard only, and are told of that one only."""
    wulin, office = started["wulin"], started["office"]
    bureau = make_user(Role.DEPARTMENT_STAFF, unit(EMERGENCY), "emergency")
    fire = _hazard(by=office, status=Status.RECTIFYING, issuing=EMERGENCY)
    chemicals = _hazard(by=office, status=Status.RECTIFYING, issuing=EMERGENCY, sector="hazardous_chemicals")
    visible = set(Hazard.objects.visible_to(bureau).values_list("pk", flat=True))
    assert chemicals.pk in visible and fire.pk not in visible
    _submit(fire, wulin)
    _submit(chemicals, wulin)
    result = sweep()
    assert [n.url for n in notices(bureau)] == [reverse("hazard_detail", args=[chemicals.pk])]
    assert result.hidden >= 1


def test_a_muted_kind_of_notice_is_not_sent(started, make_user, unit, client, sign_in):
    wulin, office = started["wulin"], started["office"]
    colleague = make_user(Role.STREET_STAFF, unit(WULIN), "colleague")
    # Every kind of notice can be muted, and the centre's settings list them.
    assert set(Notice.values) <= set(mutable_kinds())
    page = sign_in(client, wulin).get(reverse("notification_settings")).content.decode()
    for kind in Notice:
        assert f'data-kind="{kind.value}"' in page
    client.post(reverse("notification_settings"), {"kind": Notice.HAZARD_ASSIGNED, "muted": "1"})
    _assign(_hazard(by=office), office)
    sweep()
    assert notices(wulin) == []
    assert len(notices(colleague, Notice.HAZARD_ASSIGNED)) == 1
    # Unmuted, the kind comes again; the kind muted now does not.
    mute_set(by=wulin, kind=Notice.HAZARD_ASSIGNED, muted=False)
    mute_set(by=wulin, kind=Notice.RECTIFICATION_RETURNED, muted=True)
    hazard = Hazard.objects.latest("id")
    _submit(hazard, colleague)
    hazard_return(hazard=Hazard.objects.get(pk=hazard.pk), by=office, reason="现场仍有杂物堆放")
    _assign(_hazard(by=office), office)
    sweep()
    assert [n.kind for n in notices(wulin)] == [Notice.HAZARD_ASSIGNED]
    assert len(notices(colleague, Notice.RECTIFICATION_RETURNED)) == 1


def test_one_digest_per_person_holds_the_reminders_and_the_notices(settings, started):
    settings.REMINDER_EMAIL = True
    wulin, office = started["wulin"], started["office"]
    today = timezone.localdate()
    due = _hazard(by=office, status=Status.RECTIFYING, deadline=today + 3 * DAY)
    assigned = _hazard(by=office)
    _assign(assigned, office)
    mail.outbox.clear()
    result = sweep(today=today)
    assert result.reminders >= 1 and result.notices == 1
    [note] = Notification.objects.filter(recipient=wulin)
    lines = list(note.reminders.order_by("position"))
    kinds = [line.kind for line in lines]
    # Grouped by kind, what just happened first.
    assert kinds == [Notice.HAZARD_ASSIGNED, Subject.HAZARD_DEADLINE]
    assert [line.url for line in lines] == [
        reverse("hazard_detail", args=[assigned.pk]),
        reverse("hazard_detail", args=[due.pk]),
    ]
    assert note.title == f"{today.isoformat()} 新消息与到期提醒"
    assert EmailOutbox.objects.filter(notification__recipient=wulin).count() == 1
    outbox_send()
    [email] = [m for m in mail.outbox if m.to == [wulin.email]]
    assert "【隐患交办整改】" in email.body and "【隐患整改期限】" in email.body
    for line in lines:
        assert f"{settings.SITE_URL}{line.url}" in email.body


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_tell_each_event_once(plan, people):
    wulin, office = people["wulin"], people["office"]
    sweep()
    _assign(_hazard(by=office), office)
    results, swept, errors = {}, threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                results["first"] = sweep()
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
                results["second"] = sweep()
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
    assert results["first"].notices == 1 and results["second"].notices == 0
    assert results["second"].events == 1  # it read the event too
    assert len(notices(wulin)) == 1 and Notification.objects.filter(recipient=wulin).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_event_committed_after_a_later_one_is_not_missed(plan, people):
    """A transaction takes the lower id, another takes the next one and commits first; a sweep
    reads past the gap. The lower id commits afterwards: the next sweep tells it."""
    wulin, office = people["wulin"], people["office"]
    early, late = (_hazard(by=office, status=Status.RECTIFYING) for _n in range(2))
    sweep()
    taken, release, errors = threading.Event(), threading.Event(), []

    def slow_writer():
        try:
            with transaction.atomic():
                HazardEvent.objects.create(
                    hazard=early,
                    action=Action.ASSIGN,
                    from_status=Status.REPORTED,
                    to_status=Status.RECTIFYING,
                    by=office,
                )
                taken.set()
                release.wait(30)
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
            taken.set()
        finally:
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert taken.wait(30)
    later = HazardEvent.objects.create(
        hazard=late, action=Action.ASSIGN, from_status=Status.REPORTED, to_status=Status.RECTIFYING, by=office
    )
    sweep()
    assert [n.url for n in notices(wulin)] == [reverse("hazard_detail", args=[late.pk])]
    cursor = EventCursor.objects.get(source="hazard_events")
    assert cursor.last_id == later.pk and [gap[:2] for gap in cursor.pending] == [[later.pk - 1, later.pk - 1]]
    release.set()
    writer.join(30)
    assert not errors
    sweep()
    assert sorted(n.url for n in notices(wulin)) == sorted(reverse("hazard_detail", args=[h.pk]) for h in (early, late))
    # Found: no longer waited for.
    assert EventCursor.objects.get(source="hazard_events").pending == []
    sweep()
    assert len(notices(wulin)) == 2
