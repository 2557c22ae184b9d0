"""The key-task list as a spreadsheet: a file of the plan's tasks is previewed, then set out all
together through the services; a file with bad rows is reported row by row in Chinese and
nothing of it is saved; only the creation office imports; an export re-imports unchanged."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils.translation import override

from campaign.lib.deadlines import deadline_today
from campaign.lib.xlsx.files import read_xlsx
from campaign.lib.xlsx.runner import run_import
from campaign.models.tasks import KeyTask
from campaign.services import tasks as services
from campaign.task_resources import KeyTaskResource
from campaign.tests import key_task_world as world
from campaign.tests.key_task_world import CONSTRUCTION_BUREAU, FIRE_BRIGADE, TIANSHUI, WULIN
from districts.tests.import_helpers import xlsx
from jobs.models import Job

pytestmark = pytest.mark.django_db

plan, campaign, users, set_out, tasks = world.plan, world.campaign, world.users, world.set_out, world.tasks

HEADERS = ["任务编号", "重点领域", "任务", "工作内容", "牵头单位", "配合单位", "完成时限"]


def workbook(rows, headers=HEADERS) -> bytes:
    return xlsx(headers, rows)


def run(user, content: bytes, *, dry_run=False):
    with override("zh-hans"):
        return run_import(KeyTaskResource(user=user), read_xlsx(io.BytesIO(content)), dry_run=dry_run)


def due(days: int) -> str:
    return (deadline_today() + datetime.timedelta(days=days)).isoformat()


def by_row(report) -> dict[int, list[tuple[str, str]]]:
    rows: dict[int, list[tuple[str, str]]] = {}
    for row, column, message in report.error_tuples():
        rows.setdefault(row, []).append((column, message))
    return rows


GOOD = [
    ["2.1", "危险化学品", "建立危化品安全风险数据库", "摸排全链条风险。", "区应急管理局", "区商务局", due(60)],
    ["3.2", "消防安全", "“三合一”场所和出租房屋消防整治", "", FIRE_BRIGADE, f"{WULIN}、天水街道,东新街道", due(90)],
]  # fmt: skip


def test_a_task_list_is_previewed_then_set_out_through_the_services(users, campaign):
    preview = run(users["reviewer"], workbook(GOOD), dry_run=True)
    assert preview.ok, preview.error_tuples()
    assert (preview.new, preview.updated) == (2, 0) and not KeyTask.objects.exists()

    done = run(users["reviewer"], workbook(GOOD))
    assert done.committed and done.new == 2
    fire = KeyTask.objects.get(code="3.2")
    assert (fire.campaign, fire.lead_unit.code, fire.due_on.isoformat()) == (campaign, FIRE_BRIGADE, due(90))
    assert {u.name for u in fire.co_units.all()} == {"武林街道", "天水街道", "东新街道"}
    record = fire.history.get()
    assert record.history_user == users["reviewer"]
    assert record.co_units.count() == 3  # the co-units are in the task's first history row
    assert KeyTask.objects.get(code="2.1").lead_unit.code == "330103-YJJ"  # found by its name


def test_a_file_with_bad_rows_names_each_row_and_saves_nothing(users, campaign, tasks):
    late = (campaign.ends_on + datetime.timedelta(days=1)).isoformat()
    rows = [
        GOOD[0],
        ["4.1", "道路桥梁", "危险路段整治", "", "区交警大队", "", due(30)],  # 3: no such sector
        ["4.2", "道路交通", "落实运输企业主体责任", "", "中北社区", "", due(30)],  # 4: a community leads nothing
        ["4.3", "道路交通", "道路交通安全宣传", "", "区交警大队", "武林街道、火星街道", due(30)],  # 5: no such co-unit
        ["4.4", "道路交通", "超期的任务", "", "区交警大队", "", late],  # 6: after the campaign
        ["2.1", "危险化学品", "重复的编号", "", "区应急管理局", "", due(30)],  # 7: 2.1 again
        ["4.5", "道路交通", "", "", "区交警大队", "", "明年"],  # 8: no title, no date
        ["4.6", "道路交通", "牵头单位也配合", "", "区交警大队", "区交警大队", due(30)],  # 9
    ]  # fmt: skip
    report = run(users["reviewer"], workbook(rows))
    assert not report.committed
    errors = by_row(report)
    assert set(errors) == {3, 4, 5, 6, 7, 8, 9}
    assert dict(errors[3])["重点领域"].startswith("“道路桥梁”不是七大重点领域之一")
    assert "“中北社区”不是本区的街道、部门或区创建办" in dict(errors[4])["牵头单位"]
    assert "“火星街道”不是本区的街道、部门或区创建办" in dict(errors[5])["配合单位"]
    assert "完成时限须在创建期内" in dict(errors[6])["完成时限"]
    assert "在第 2 行也出现了" in dict(errors[7])["任务编号"]
    assert {c for c, _m in errors[8]} == {"任务", "完成时限"}
    assert "区交警大队是牵头单位，不能同时作为配合单位" in dict(errors[9])["配合单位"]
    assert KeyTask.objects.count() == 2  # only the world's two: nothing of the file


@pytest.mark.parametrize("who", ["leader", "fire_department", "wulin"])
def test_only_the_office_imports_tasks(client, sign_in, users, campaign, who):
    report = run(users[who], workbook(GOOD))
    assert not report.committed and set(by_row(report)) == {2, 3}
    assert all("只有区创建办可以设立和修改" in m for _r, _c, m in report.error_tuples())
    sign_in(client, users[who])
    assert client.get(reverse("import_key_tasks")).status_code == 403
    assert client.get(reverse("import_key_tasks_template")).status_code == 403
    assert not KeyTask.objects.exists()


def test_an_export_imports_back_unchanged(client, sign_in, users, tasks, unit):
    fire = tasks["fire"]
    services.key_task_report_progress(task=fire, by=users["fire_department"], percent=40, note="推进中")
    services.key_task_update(task=tasks["construction"], by=users["reviewer"], co_units=[unit(TIANSHUI), unit(WULIN)])
    history = KeyTask.history.count()
    sign_in(client, users["reviewer"])
    response = client.get(reverse("export_key_tasks"))
    assert response.status_code == 200
    dataset = read_xlsx(io.BytesIO(response.content))
    assert dataset.headers[:7] == HEADERS and dataset.headers[7:10] == ["进度（%）", "完成日期", "状态"]
    exported = {row[0]: row for row in dataset}
    assert exported["3.1"][4:7] == ("区消防救援大队", "武林街道", fire.due_on.isoformat())
    assert exported["1.2"][5] == "武林街道、天水街道"  # streets in code order
    assert exported["3.1"][7:10] == (40, None, "进行中")  # no date of completion yet

    report = run(users["reviewer"], response.content)
    assert report.ok, report.error_tuples()
    assert (report.new, report.updated, report.unchanged) == (0, 0, 2)
    assert KeyTask.history.count() == history


def test_a_file_updates_a_task_by_its_number_through_the_service(users, tasks):
    rows = [["1.2", "建设施工", "深基坑风险排查", "新的工作内容", CONSTRUCTION_BUREAU, "天水街道、东新街道", due(45)]]
    report = run(users["reviewer"], workbook(rows))
    assert report.committed and (report.new, report.updated) == (0, 1), report.error_tuples()
    task = KeyTask.objects.get(code="1.2")
    assert (task.title, task.due_on.isoformat()) == ("深基坑风险排查", due(45))
    assert {u.name for u in task.co_units.all()} == {"天水街道", "东新街道"}
    latest = task.history.latest()
    assert latest.history_user == users["reviewer"] and latest.co_units.count() == 2


def test_the_import_runs_as_a_job_previewed_then_confirmed(
    client, sign_in, users, campaign, eager, django_capture_on_commit_callbacks
):
    sign_in(client, users["reviewer"])
    upload = io.BytesIO(workbook(GOOD))
    upload.name = "重点任务.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import_key_tasks"), {"file": upload})
    preview = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[preview.pk])
    assert (preview.kind, preview.state, preview.report["new"]) == ("key_tasks", "done", 2)
    page = client.get(response["Location"]).content.decode()
    assert "建立危化品安全风险数据库" in page and 'data-testid="confirm-import"' in page
    assert not KeyTask.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_key_tasks_confirm", args=[preview.pk]))
    job = Job.objects.exclude(pk=preview.pk).get()
    assert (job.state, job.report["committed"], job.report["new"]) == ("done", True, 2)
    assert KeyTask.objects.filter(campaign=campaign).count() == 2
