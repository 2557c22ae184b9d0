"""The key-task services: the office sets tasks out, the lead unit and co-units report progress
with checked evidence, 100 % completes a task on the day in Shanghai, progress never goes back,
milestones are planned and reached; overdue is judged at the end of the due day in Shanghai."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import override

from campaign.lib.deadlines import deadline_today
from campaign.models.tasks import KeyTask, Milestone, TaskEvidence, TaskProgress
from campaign.services import tasks as services
from campaign.tests import key_task_world as world
from campaign.tests.key_task_world import EXE, FIRE_BRIGADE, TIANSHUI, WULIN, ZHONGBEI, evidence
from districts.models import OrgUnit, Sector

pytestmark = pytest.mark.django_db

plan, campaign, users, set_out, tasks = world.plan, world.campaign, world.users, world.set_out, world.tasks

DAY = datetime.timedelta(days=1)


def report(task, by, percent, note="按计划推进。", **kwargs):
    return services.key_task_report_progress(task=task, by=by, percent=percent, note=note, **kwargs)


def refused(call, *args, **kwargs) -> SimpleNamespace:
    """The refusal's messages, read in English."""
    with override("en"):
        with pytest.raises(ValidationError) as caught:
            call(*args, **kwargs)
        error = caught.value
        return SimpleNamespace(
            message_dict=error.message_dict if hasattr(error, "error_dict") else {}, messages=error.messages
        )


# ---------------------------------------------------------------- setting tasks out


def test_the_office_sets_a_task_out_with_its_co_units_in_one_history_row(tasks, users, unit):
    task = tasks["fire"]
    assert (task.lead_unit.code, [u.code for u in task.co_units.all()]) == (FIRE_BRIGADE, [WULIN])
    record = task.history.get()
    assert (record.history_type, record.history_user) == ("+", users["reviewer"])
    assert list(record.co_units.values_list("orgunit__code", flat=True)) == [WULIN]


@pytest.mark.parametrize("who", ["leader", "fire_department", "wulin"])
def test_only_the_office_sets_tasks_out_and_edits_them(tasks, users, campaign, unit, who):
    with pytest.raises(PermissionDenied):
        services.key_task_create(
            by=users[who],
            campaign=campaign,
            sector=Sector.objects.get(code="fire_safety"),
            code="9.9",
            title="越权设立的任务",
            lead_unit=unit(FIRE_BRIGADE),
            due_on=deadline_today(),
        )
    with pytest.raises(PermissionDenied):
        services.key_task_update(task=tasks["fire"], by=users[who], title="越权改过的标题")
    assert not KeyTask.objects.filter(code="9.9").exists()
    assert KeyTask.objects.get(pk=tasks["fire"].pk).title == "人员密集场所消防安全隐患排查治理"


def test_a_task_is_due_within_the_campaign_and_led_by_a_street_department_or_the_office(set_out, campaign, unit, tasks):
    error = refused(set_out, "9.1", "fire_safety", FIRE_BRIGADE, due_in=400)
    assert "within the campaign" in error.message_dict["due_on"][0]
    error = refused(set_out, "9.2", "fire_safety", ZHONGBEI)
    assert "street, a department or the creation office" in error.message_dict["lead_unit"][0]
    error = refused(set_out, "9.3", "fire_safety", FIRE_BRIGADE, [FIRE_BRIGADE, ZHONGBEI])
    assert len(error.message_dict["co_units"]) == 2
    error = refused(set_out, "3.1", "fire_safety", FIRE_BRIGADE)
    assert error.message_dict["__all__"] == ["The campaign already has a task numbered 3.1."]
    assert KeyTask.objects.count() == 2


def test_a_co_unit_of_another_district_is_refused(set_out, unit, tasks):
    other = OrgUnit.objects.create(code="330105", name="拱墅区", kind=OrgUnit.Kind.DISTRICT, parent=unit("330100"))
    street = OrgUnit.objects.create(code="330105001", name="米市巷街道", kind=OrgUnit.Kind.STREET, parent=other)
    error = refused(set_out, "9.4", "fire_safety", FIRE_BRIGADE, [street.code])
    assert error.message_dict["co_units"] == ["米市巷街道 is not in the campaign's district."]


def test_editing_changes_what_was_asked_and_writes_one_history_row_with_the_new_co_units(tasks, users, unit):
    task = tasks["fire"]
    services.key_task_update(task=task, by=users["reviewer"], title="新的标题", co_units=[unit(WULIN), unit(TIANSHUI)])
    task.refresh_from_db()
    assert task.title == "新的标题"
    latest = task.history.latest()
    assert task.history.count() == 2 and latest.history_user == users["reviewer"]
    assert set(latest.co_units.values_list("orgunit__code", flat=True)) == {WULIN, TIANSHUI}
    services.key_task_update(task=task, by=users["reviewer"], title="新的标题", co_units=[unit(WULIN), unit(TIANSHUI)])
    assert task.history.count() == 2, "a save that changes nothing writes no history"


def test_a_field_the_service_does_not_set_is_refused(tasks, users):
    with pytest.raises(TypeError, match="progress"):
        services.key_task_update(task=tasks["fire"], by=users["reviewer"], progress=100)
    assert KeyTask.objects.get(pk=tasks["fire"].pk).progress == 0


# ---------------------------------------------------------------- progress


def test_the_lead_unit_and_a_co_unit_report_progress_with_evidence(tasks, users):
    task = tasks["fire"]
    report(task, users["fire_department"], 30, files=[evidence()])
    update = report(task, users["wulin"], 45, note="武林街道完成辖区商场检查。")
    task.refresh_from_db()
    assert (task.progress, task.completed_on) == (45, None)
    assert list(task.updates.values_list("percent", "by__username")) == [(30, "fire_department"), (45, "wulin")]
    stored = TaskEvidence.objects.get()
    assert (stored.original_name, stored.mime, stored.kind) == ("检查记录.pdf", "application/pdf", "pdf")
    assert stored.file.name.startswith("tasks/") and "检查记录" not in stored.file.name
    assert task.history.latest().history_user == users["wulin"] and update.note == "武林街道完成辖区商场检查。"


@pytest.mark.parametrize("who", ["reviewer", "leader", "tianshui", "other_department", "community"])
def test_no_one_else_reports_progress(tasks, users, who):
    with pytest.raises(PermissionDenied):
        report(tasks["fire"], users[who], 50)
    assert not TaskProgress.objects.exists()


def test_progress_never_goes_back(tasks, users):
    task = tasks["fire"]
    report(task, users["fire_department"], 60)
    error = refused(report, task, users["wulin"], 40)
    assert error.message_dict["percent"] == ["The task has reached 60%; an update cannot report less."]
    report(task, users["wulin"], 60, note="本周无新进展，继续排查。")  # the same percent, with news
    assert list(task.updates.values_list("percent", flat=True)) == [60, 60]


@pytest.mark.parametrize("typed", ["６０", "٦٠", "60.5", "²", "-5", "101", "", "六十", True, 101])
def test_a_percent_not_in_the_digits_0_to_9_from_0_to_100_is_refused(tasks, users, typed):
    error = refused(report, tasks["fire"], users["fire_department"], typed)
    assert error.message_dict["percent"] == [
        "Write the progress as a whole number from 0 to 100 in the digits 0-9, e.g. 60."
    ]
    assert not TaskProgress.objects.exists()


def test_a_note_is_required(tasks, users):
    error = refused(report, tasks["fire"], users["fire_department"], 10, note="  ")
    assert "note" in error.message_dict


def test_an_executable_named_pdf_is_refused_and_nothing_is_kept(tasks, users, settings):
    forged = evidence("整改报告.pdf", EXE)
    error = refused(report, tasks["fire"], users["fire_department"], 50, files=[evidence(), forged])
    assert "整改报告.pdf is not a PDF, Word, Excel, PowerPoint, text or image file" in error.message_dict["files"][0]
    assert not TaskProgress.objects.exists() and not TaskEvidence.objects.exists()
    media = settings.MEDIA_ROOT / "tasks"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    assert KeyTask.objects.get(pk=tasks["fire"].pk).progress == 0


def test_one_hundred_percent_completes_the_task_on_that_day_in_shanghai(tasks, users, settings, monkeypatch):
    settings.TIME_ZONE = "UTC"
    # 01:00 in Shanghai on the next day: the task was completed then, whatever the server's zone.
    utc = timezone.now().replace(hour=17, minute=0, second=0, microsecond=0) + DAY
    monkeypatch.setattr(timezone, "now", lambda: utc)
    task = tasks["fire"]
    report(task, users["fire_department"], 100, note="全部完成。")
    task.refresh_from_db()
    assert (task.progress, task.completed_on) == (100, utc.date() + DAY)
    assert task.history.latest().completed_on == utc.date() + DAY


def test_only_the_lead_unit_reports_a_task_complete(tasks, users):
    error = refused(report, tasks["fire"], users["wulin"], 100)
    assert error.message_dict["percent"] == ["Only the lead unit 区消防救援大队 reports the task complete."]
    assert KeyTask.objects.get(pk=tasks["fire"].pk).completed_on is None


def test_a_completed_task_takes_no_more_updates_or_milestones(tasks, users):
    task = tasks["fire"]
    report(task, users["fire_department"], 100)
    error = refused(report, task, users["fire_department"], 100)
    assert "was completed on" in error.messages[0]
    refused(services.milestone_add, task=task, by=users["reviewer"], title="补充的节点", due_on=deadline_today())
    assert task.updates.count() == 1 and not task.milestones.exists()


def test_an_update_is_not_dated_in_the_future_nor_before_the_last(tasks, users):
    task = tasks["fire"]
    KeyTask.objects.filter(pk=task.pk).update(created_at=timezone.now() - 10 * DAY)
    before = refused(report, task, users["fire_department"], 20, at=timezone.now() - 11 * DAY)
    assert before.message_dict["at"] == ["An update cannot be dated before the task was set out."]
    report(task, users["fire_department"], 10, at=timezone.now() - 3 * DAY)
    future = refused(report, task, users["fire_department"], 20, at=timezone.now() + DAY)
    assert future.message_dict["at"] == ["An update cannot be dated in the future."]
    earlier = refused(report, task, users["fire_department"], 20, at=timezone.now() - 5 * DAY)
    assert earlier.message_dict["at"] == ["An update cannot be dated before the last one."]


# ---------------------------------------------------------------- milestones


def test_milestones_are_planned_by_the_office_or_lead_unit_and_reached_by_the_task_units(tasks, users):
    task = tasks["fire"]
    first = services.milestone_add(task=task, by=users["reviewer"], title="完成底数摸排", due_on=deadline_today())
    second = services.milestone_add(task=task, by=users["fire_department"], title="完成整改复查", due_on=task.due_on)
    with pytest.raises(PermissionDenied):
        services.milestone_add(task=task, by=users["wulin"], title="配合单位不规划节点", due_on=task.due_on)
    with pytest.raises(PermissionDenied):
        services.milestone_done(milestone=first, by=users["leader"])
    services.milestone_done(milestone=first, by=users["wulin"])
    assert Milestone.objects.get(pk=first.pk).done_on == deadline_today()
    assert "already" in refused(services.milestone_done, milestone=first, by=users["fire_department"]).messages[0]
    # The task is complete only once every milestone is reached.
    error = refused(report, task, users["fire_department"], 100)
    assert error.message_dict["percent"] == ["Reach every milestone first; still open: 完成整改复查."]
    services.milestone_done(milestone=second, by=users["fire_department"])
    report(task, users["fire_department"], 100)
    assert KeyTask.objects.get(pk=task.pk).completed_on == deadline_today()
    assert Milestone.history.filter(id=first.pk).count() == 2


def test_a_milestone_falls_due_on_or_before_its_task(tasks, users):
    task = tasks["fire"]
    error = refused(
        services.milestone_add, task=task, by=users["reviewer"], title="过晚的节点", due_on=task.due_on + DAY
    )
    assert error.message_dict["due_on"] == [f"A milestone falls due on or before its task ({task.due_on})."]


# ---------------------------------------------------------------- overdue


def test_overdue_is_past_the_end_of_the_due_day_in_shanghai(set_out, users, settings, monkeypatch):
    settings.TIME_ZONE = "UTC"
    today = deadline_today()
    late = set_out("8.1", "fire_safety", FIRE_BRIGADE, due_in=0)
    done = set_out("8.2", "fire_safety", FIRE_BRIGADE, due_in=0)
    report(done, users["fire_department"], 100)
    due = datetime.datetime.combine(today, datetime.time(15, 59), tzinfo=datetime.UTC)  # 23:59 in Shanghai

    def overdue_at(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        late.refresh_from_db()
        return set(KeyTask.objects.overdue().values_list("code", flat=True)), late.is_overdue(), late.status()

    assert overdue_at(due) == (set(), False, "due_soon")
    assert overdue_at(due + datetime.timedelta(minutes=1)) == ({"8.1"}, True, "overdue")  # 00:00 the next day


def test_due_soon_is_today_to_seven_days_ahead(set_out, tasks):
    for n, days in enumerate([0, 7, 8, -1]):
        set_out(f"7.{n}", "fire_safety", FIRE_BRIGADE, due_in=days)
    assert set(KeyTask.objects.due_soon().values_list("code", flat=True)) == {"7.0", "7.1"}


def test_the_co_unit_sees_the_task_and_a_street_beside_it_does_not(tasks, users):
    assert KeyTask.objects.visible_to(users["wulin"]).get() == tasks["fire"]
    assert KeyTask.objects.visible_to(users["tianshui"]).get() == tasks["construction"]
    for who in ("other_street", "community", "other_department"):
        assert not KeyTask.objects.visible_to(users[who]).exists(), who
    assert KeyTask.objects.visible_to(users["leader"]).count() == 2
