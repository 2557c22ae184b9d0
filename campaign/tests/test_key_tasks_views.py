"""The key-task screens through the pages people open. Nobody reaches a task outside their scope:
its page, its progress form, its evidence and its milestones answer 404 by URL and a POST there
changes nothing. In scope but not theirs to change (a leader, a sector's lead department that
neither leads nor shares the task), a write answers 403 and changes nothing."""

import datetime

import pytest
from django.urls import reverse

from campaign.lib.deadlines import deadline_today
from campaign.models.tasks import KeyTask, Milestone, TaskEvidence, TaskProgress
from campaign.services import tasks as services
from campaign.tests import key_task_world as world
from campaign.tests.key_task_world import EXE, FIRE_BRIGADE, PDF, TIANSHUI, WULIN, evidence
from campaign.tests.test_home import assert_links_show_the_counts, items_on

pytestmark = pytest.mark.django_db

plan, campaign, users, set_out, tasks = world.plan, world.campaign, world.users, world.set_out, world.tasks

REQUEST_START = 2  # the session; the user
REQUEST_END = 0  # no session write: a session is written when it changes, its last request time once a minute
SECOND_FACTOR = 1  # a reviewer's second factor: the device the session was verified with


@pytest.fixture
def world_with_evidence(tasks, users):
    """Each task with a milestone and an update carrying a PDF."""
    for key, lead in (("fire", "fire_department"), ("construction", "construction_department")):
        task = tasks[key]
        services.milestone_add(task=task, by=users["reviewer"], title=f"{task.code}节点", due_on=task.due_on)
        services.key_task_report_progress(task=task, by=users[lead], percent=20, note="已启动。", files=[evidence()])
    return tasks


COLUMNS = ["fire", "construction"]
# Who sees each task: fire (fire brigade leads, Wulin shares), construction (the bureau leads, Tianshui shares).
SEES = {
    "reviewer": (True, True),
    "leader": (True, True),
    "fire_department": (True, False),  # leads it, and leads the sector
    "construction_department": (False, True),
    "other_department": (False, False),  # leads hazardous chemicals: neither task
    "wulin": (True, False),  # a co-unit of the fire task
    "tianshui": (False, True),
    "other_street": (False, False),
    "community": (False, False),  # in Wulin, but a community is no co-unit
}
# Who reports on each task (the lead unit's and co-units' staff).
REPORTS = {
    "fire_department": (True, False),
    "construction_department": (False, True),
    "wulin": (True, False),
    "tianshui": (False, True),
}
CASES = [
    pytest.param(who, key, sees, id=f"{who}-{key}")
    for who, row in SEES.items()
    for key, sees in zip(COLUMNS, row, strict=True)
]


def _state():
    return (
        TaskProgress.objects.count(),
        TaskEvidence.objects.count(),
        list(KeyTask.objects.order_by("pk").values_list("title", "progress")),
        list(Milestone.objects.order_by("pk").values_list("title", "done_on")),
    )


@pytest.mark.parametrize(("who", "key", "sees"), CASES)
def test_a_task_answers_only_within_scope_and_only_its_units_report_on_it(
    client, sign_in, users, world_with_evidence, who, key, sees
):
    task = world_with_evidence[key]
    sign_in(client, users[who])
    file = TaskEvidence.objects.get(update__task=task)
    milestone = task.milestones.get()
    assert client.get(reverse("key_task_detail", args=[task.pk])).status_code == (200 if sees else 404)
    assert client.get(reverse("key_task_evidence", args=[file.pk])).status_code == (200 if sees else 404)
    listed = client.get(reverse("key_task_list")).context["page"].paginator.object_list
    assert (task in listed) is sees

    reports = REPORTS.get(who, (False, False))[COLUMNS.index(key)]
    expected = 200 if reports else 403 if sees else 404
    assert client.get(reverse("key_task_report", args=[task.pk])).status_code == expected
    before = _state()
    posted = client.post(reverse("key_task_report", args=[task.pk]), {"percent": "50", "note": "越权报送"})
    assert posted.status_code == (302 if reports else expected)
    done = client.post(reverse("key_task_milestone_done", args=[milestone.pk]))
    assert done.status_code == (302 if reports else expected)
    if not reports:
        assert _state() == before, "a refused write changes nothing"
    else:
        assert KeyTask.objects.get(pk=task.pk).progress == 50
        assert Milestone.objects.get(pk=milestone.pk).done_on == deadline_today()


@pytest.mark.parametrize("who", [w for w in SEES if w != "reviewer"])
def test_only_the_office_sets_out_and_edits_a_task_through_the_pages(client, sign_in, users, tasks, who):
    task = tasks["fire"]
    sign_in(client, users[who])
    before = _state()
    form = {
        "code": "9.9",
        "sector": task.sector_id,
        "title": "越权设立",
        "lead_unit": task.lead_unit_id,
        "due_on": task.due_on.isoformat(),
    }
    assert client.get(reverse("key_task_create")).status_code == 403
    assert client.post(reverse("key_task_create"), form).status_code == 403
    edit = client.post(reverse("key_task_edit", args=[task.pk]), {**form, "code": task.code})
    assert edit.status_code == (403 if SEES[who][0] else 404)
    planned = client.post(
        reverse("key_task_milestone_add", args=[task.pk]), {"title": "越权节点", "due_on": task.due_on}
    )
    may_plan = who == "fire_department"  # the lead unit plans its milestones too
    assert planned.status_code == (302 if may_plan else 403 if SEES[who][0] else 404)
    if not may_plan:
        assert _state() == before


def test_the_office_sets_a_task_out_and_edits_it(client, sign_in, users, campaign, unit, tasks):
    sign_in(client, users["reviewer"])
    fire = tasks["fire"]
    due = (deadline_today() + datetime.timedelta(days=40)).isoformat()
    response = client.post(
        reverse("key_task_create"),
        {
            "code": "3.3",
            "sector": fire.sector_id,
            "title": "推广独立式感烟火灾探测报警器",
            "description": "老旧小区全覆盖。",
            "lead_unit": unit(FIRE_BRIGADE).pk,
            "co_units": [unit(WULIN).pk, unit(TIANSHUI).pk],
            "due_on": due,
        },
    )
    task = KeyTask.objects.get(code="3.3")
    assert response.status_code == 302 and response["Location"] == reverse("key_task_detail", args=[task.pk])
    assert {u.code for u in task.co_units.all()} == {WULIN, TIANSHUI}
    page = client.get(response["Location"]).content.decode()
    assert "推广独立式感烟火灾探测报警器" in page and "设立任务" in page  # its history, in Chinese
    response = client.post(
        reverse("key_task_edit", args=[task.pk]),
        {"code": "3.3", "sector": fire.sector_id, "title": "推广烟感报警器", "lead_unit": unit(FIRE_BRIGADE).pk,
         "co_units": [unit(WULIN).pk], "due_on": due},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "推广独立式感烟火灾探测报警器 → 推广烟感报警器" in page
    assert "天水街道、武林街道 → 武林街道" in page


def test_a_task_due_after_the_campaign_is_refused_in_chinese_and_nothing_typed_is_lost(
    client, sign_in, users, campaign, unit, tasks
):
    sign_in(client, users["reviewer"])
    late = (campaign.ends_on + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("key_task_create"),
        {
            "code": "3.4",
            "sector": tasks["fire"].sector_id,
            "title": "超出创建期的任务",
            "lead_unit": unit(FIRE_BRIGADE).pk,
            "due_on": late,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "完成时限须在创建期内" in page
    assert 'value="超出创建期的任务"' in page and f'value="{late}"' in page
    assert not KeyTask.objects.filter(code="3.4").exists()


@pytest.mark.parametrize("typed", ["６０", "٦٠", "60%", "1e2"])
def test_a_percent_in_other_digits_is_refused_clearly_and_the_note_is_kept(client, sign_in, users, tasks, typed):
    sign_in(client, users["fire_department"])
    response = client.post(reverse("key_task_report", args=[tasks["fire"].pk]), {"percent": typed, "note": "完成检查"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "请用数字 0-9 填写 0 到 100 之间的整数，例如 60。" in page
    assert "完成检查" in page and f'value="{typed}"' in page
    assert not TaskProgress.objects.exists()


def test_an_executable_named_pdf_is_refused_on_the_form_and_a_real_pdf_downloads(client, sign_in, users, tasks):
    sign_in(client, users["wulin"])
    url = reverse("key_task_report", args=[tasks["fire"].pk])
    forged = client.post(url, {"percent": "30", "note": "上传整改报告", "files": [evidence("整改报告.pdf", EXE)]})
    assert forged.status_code == 200
    assert "文件 整改报告.pdf 不是 PDF、Word、Excel、PowerPoint、文本或图片文件" in forged.content.decode()
    assert not TaskProgress.objects.exists() and not TaskEvidence.objects.exists()

    done = client.post(url, {"percent": "30", "note": "上传整改报告", "files": [evidence("整改报告.pdf")]})
    assert done.status_code == 302
    stored = TaskEvidence.objects.get()
    response = client.get(reverse("key_task_evidence", args=[stored.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    page = client.get(reverse("key_task_detail", args=[tasks["fire"].pk])).content.decode()
    assert reverse("key_task_evidence", args=[stored.pk]) in page and "30%" in page


def test_the_lead_unit_completes_a_task_from_its_page(client, sign_in, users, tasks):
    sign_in(client, users["fire_department"])
    task = tasks["fire"]
    response = client.post(reverse("key_task_report", args=[task.pk]), {"percent": "100", "note": "全部完成"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in page and deadline_today().isoformat() in page
    assert 'data-testid="report-progress"' not in page  # a completed task takes no more updates


def test_the_list_filters_by_sector_lead_unit_and_status_and_marks_overdue_tasks(
    client, sign_in, users, set_out, tasks, unit
):
    overdue = set_out("3.9", "fire_safety", FIRE_BRIGADE, due_in=-1)
    done = set_out("3.8", "fire_safety", FIRE_BRIGADE, due_in=-5)
    services.key_task_report_progress(task=done, by=users["fire_department"], percent=100, note="完成")
    sign_in(client, users["reviewer"])

    def codes(**params):
        response = client.get(reverse("key_task_list"), params)
        assert response.status_code == 200
        return sorted(t.code for t in response.context["page"].object_list)

    assert codes() == ["1.2", "3.1", "3.8", "3.9"]
    assert codes(sector=tasks["construction"].sector_id) == ["1.2"]
    assert codes(lead_unit=unit(FIRE_BRIGADE).pk) == ["3.1", "3.8", "3.9"]
    assert codes(status="overdue") == ["3.9"]
    assert codes(status="done") == ["3.8"]
    assert codes(status="in_progress") == ["1.2", "3.1"]
    assert codes(status="due_soon") == []
    assert codes(lead_unit="٣", status="bogus") == ["1.2", "3.1", "3.8", "3.9"]  # an unknown choice filters nothing
    page = client.get(reverse("key_task_list")).content.decode()
    assert f'data-task="{overdue.code}"' in page and 'class="table-danger" data-task="3.9"' in page
    assert page.count('scope="rowgroup"') == 2  # grouped by sector: construction, fire safety


def test_the_home_page_lists_overdue_and_due_soon_tasks_whose_links_show_them(client, sign_in, users, set_out, tasks):
    set_out("3.7", "fire_safety", FIRE_BRIGADE, [WULIN], due_in=-2)
    set_out("3.6", "fire_safety", FIRE_BRIGADE, due_in=3)
    set_out("1.9", "construction", world.CONSTRUCTION_BUREAU, [TIANSHUI], due_in=-4)

    expected = {
        "reviewer": {"key_tasks_overdue": 2, "key_tasks_due_soon": 1},  # the district's
        "fire_department": {"key_tasks_overdue": 1, "key_tasks_due_soon": 1},  # its own
        "wulin": {"key_tasks_overdue": 1},  # shares 3.7; not 3.6
        "tianshui": {"key_tasks_overdue": 1},
        "other_street": {},
        "community": {},  # reports on no task
    }
    for who, counts in expected.items():
        sign_in(client, users[who])
        items = {k: v for k, v in items_on(client.get(reverse("home"))).items() if k.startswith("key_tasks")}
        assert {k: c for k, (c, _url) in items.items()} == counts, who
        assert_links_show_the_counts(client, items)
    sign_in(client, users["leader"])
    overview = {k: v for k, v in items_on(client.get(reverse("home"))).items() if k.startswith("key_tasks")}
    assert {k: c for k, (c, _url) in overview.items()} == {"key_tasks_overdue": 2, "key_tasks_due_soon": 1}
    assert_links_show_the_counts(client, overview)


@pytest.mark.parametrize("many", [False, True])
def test_the_list_costs_a_fixed_number_of_queries(
    client, sign_in, users, set_out, tasks, many, django_assert_num_queries
):
    if many:
        for n in range(20):
            set_out(f"5.{n}", "special_equipment", "330103-SJJ", [WULIN, TIANSHUI])
    sign_in(client, users["reviewer"])
    with django_assert_num_queries(
        REQUEST_START
        + SECOND_FACTOR
        + 1  # the user's memberships → the scope and the menu
        + 1  # the ids of the units in that scope, once per request (a row's unit is one of them)
        + 1  # the current campaign
        + 1  # the lead units the filter offers (the form is built)
        + 1  # the campaign asked for (or the current one), as the filter checks it
        + 1  # the campaigns the filter offers, with their districts
        + 1  # the count for the pager
        + 1  # the page of tasks, with sector, lead unit and campaign
        + 1  # their co-units
        + 1  # the sectors the filter offers
        + REQUEST_END
    ):
        response = client.get(reverse("key_task_list"))
    assert response.context["page"].paginator.count == (22 if many else 2)


def test_the_detail_page_costs_a_fixed_number_of_queries(
    client, sign_in, users, world_with_evidence, django_assert_num_queries
):
    task = world_with_evidence["fire"]
    sign_in(client, users["wulin"])
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the user's memberships
        + 1  # the ids of the units in that scope, once per request (a row's unit is one of them)
        + 1  # the task, with sector, lead unit, campaign and district
        + 1  # its co-units
        + 1  # its milestones
        + 1  # its updates, with who made them
        + 1  # their evidence
        + 1  # history: the task's rows, with their users
        + 1  # history: the co-units of each row
        + 1  # history: the units' names
        + 1  # history: the sectors
        + 1  # history: the milestones' rows
        + REQUEST_END
    ):
        response = client.get(reverse("key_task_detail", args=[task.pk]))
    assert response.status_code == 200
