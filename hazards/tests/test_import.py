"""The hazard ledger as a spreadsheet: an export re-imports unchanged; a file of new hazards
is previewed, then logged (and assigned where it says so) all together; a file with a bad
row is reported row by row in Chinese and nothing of it is saved."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.translation import override

from campaign.lib.xlsx.files import read_xlsx
from campaign.lib.xlsx.runner import run_import
from districts.second_factor import force_login_verified
from districts.tests.import_helpers import xlsx
from hazards import services
from hazards.models import Action, Hazard, HazardEvent, Status, deadline_today
from hazards.resources import HazardResource
from hazards.tests.conftest import WULIN, ZHONGBEI

pytestmark = pytest.mark.django_db

HEADERS = ["隐患名称", "所在街道", "所在社区/网格", "重点领域", "隐患等级", "隐患来源", "隐患描述", "发现时间",
           "责任单位编码", "责任人", "整改期限"]  # fmt: skip


@pytest.fixture
def district(district_for_module, db):
    return district_for_module


def workbook(rows, headers=HEADERS) -> io.BytesIO:
    return io.BytesIO(xlsx(headers, rows))


def export(user, **params) -> bytes:
    client = Client()
    force_login_verified(client, user)
    response = client.get(reverse("export_hazards"), params)
    assert response.status_code == 200
    return response.content


def test_an_export_imports_back_unchanged(users, build):
    for state in Status:
        build(state)
    build(Status.RECTIFYING, grade="major")
    content = export(users["street"])
    report = run_import(HazardResource(user=users["street"]), read_xlsx(io.BytesIO(content)), dry_run=False)
    assert report.ok, report.error_tuples()
    assert (report.new, report.updated, report.unchanged) == (0, 0, 6)
    assert HazardEvent.objects.filter(action=Action.EDIT).count() == 0


def test_a_row_that_only_moves_a_hazard_moves_it(users, build):
    """The place is no plain field of the row: a row that changes only it is a change."""
    hazard = build(Status.REPORTED)
    dataset = read_xlsx(io.BytesIO(export(users["street"])))
    row = list(dataset[0])
    row[dataset.headers.index("所在社区/网格编码")] = "330103002052"
    row[dataset.headers.index("所在社区/网格")] = ""
    dataset[0] = row
    report = run_import(HazardResource(user=users["street"]), dataset, dry_run=False)
    assert (report.updated, report.unchanged) == (1, 0), report.error_tuples()
    assert Hazard.objects.get(pk=hazard.pk).unit.code == "330103002052"


def test_new_hazards_are_previewed_then_logged_and_assigned_together(users, unit):
    due = (deadline_today() + datetime.timedelta(days=20)).isoformat()
    rows = [
        ["楼道堆放杂物", "武林街道", "中北社区", "消防安全", "一般", "网格巡查", "三楼楼道堆放纸箱", "2026-01-05 09:30",
         "", "", ""],
        ["配电房门锁损坏", "武林街道", "中北社区", "城市运行", "一般", "监督检查", "配电房无人值守且门锁损坏", "",
         WULIN, "王芳", due],
    ]  # fmt: skip
    user = users["inspector"]
    preview = run_import(HazardResource(user=user), read_xlsx(workbook(rows)), dry_run=True)
    assert preview.ok, preview.error_tuples()
    assert preview.new == 2 and not Hazard.objects.exists()
    resource = HazardResource(user=user)
    done = run_import(resource, read_xlsx(workbook(rows)), dry_run=False)
    assert done.committed and resource.assigned == 1
    logged = {h.title: h for h in Hazard.objects.all()}
    assert logged["楼道堆放杂物"].status == Status.REPORTED
    assert logged["楼道堆放杂物"].unit == unit(ZHONGBEI)
    assigned = logged["配电房门锁损坏"]
    assert (assigned.status, assigned.responsible_unit, assigned.deadline.isoformat()) == (
        Status.RECTIFYING,
        unit(WULIN),
        due,
    )
    assert list(assigned.events.values_list("action", flat=True)) == [Action.REPORT, Action.ASSIGN]
    assert all(h.number.startswith("YH330103-") for h in logged.values())


def test_a_file_with_bad_rows_is_reported_in_chinese_and_nothing_is_saved(users):
    past = (deadline_today() - datetime.timedelta(days=1)).isoformat()
    rows = [
        ["楼道堆放杂物", "武林街道", "中北社区", "消防安全", "一般", "网格巡查", "描述", "", "", "", ""],
        ["", "武林街道", "中北社区", "消防安全", "一般", "网格巡查", "描述", "", "", "", ""],
        ["塔吊基础积水", "天水街道", "灯芯巷社区", "建设施工", "一般", "监督检查", "描述", "", "", "", ""],
        ["重大隐患直接交办", "武林街道", "中北社区", "消防安全", "重大", "监督检查", "描述", "", WULIN, "王芳", past],
        ["等级不对", "武林街道", "中北社区", "消防安全", "特大", "监督检查", "描述", "", "", "", ""],
    ]
    with override("zh-hans"):
        report = run_import(HazardResource(user=users["street"]), read_xlsx(workbook(rows)), dry_run=False)
    assert not report.committed
    by_row = {}
    for row, column, message in report.error_tuples():
        by_row.setdefault(row, []).append((column, message))
    assert set(by_row) == {3, 4, 5, 6}
    assert "隐患名称" in dict(by_row[3])
    assert "无权" in " ".join(m for _c, m in by_row[4])  # Tianshui is not Wulin's
    assert "重大隐患须先挂牌督办" in " ".join(m for _c, m in by_row[5])
    assert "隐患等级" in dict(by_row[6])
    assert not Hazard.objects.exists()


def test_an_exported_assigned_hazard_cannot_have_its_deadline_moved_by_a_file(users, build):
    hazard = build(Status.RECTIFYING)
    dataset = read_xlsx(io.BytesIO(export(users["street"])))
    column = dataset.headers.index("整改期限")
    row = list(dataset[0])
    row[column] = (hazard.deadline + datetime.timedelta(days=30)).isoformat()
    dataset[0] = row
    with override("en"):
        report = run_import(HazardResource(user=users["street"]), dataset, dry_run=False)
    assert not report.committed
    assert any("only through its page" in message for _r, _c, message in report.error_tuples())
    assert Hazard.objects.get(pk=hazard.pk).deadline == hazard.deadline


@pytest.mark.parametrize(
    ("responsible", "days", "column", "message"),
    [
        ("330103003", 20, "责任单位编码", "The responsible unit is the hazard's community or street"),  # Tianshui
        (WULIN, -1, "整改期限", "The deadline cannot be in the past."),
    ],
    ids=["unit-outside-the-hazards-place", "deadline-in-the-past"],
)
def test_a_file_assigns_by_the_same_rules_as_the_assign_page(users, unit, build, responsible, days, column, message):
    """The import assigns through hazard_assign: what the page refuses, the file is refused too,
    in the same words, and nothing is saved."""
    due = deadline_today() + datetime.timedelta(days=days)
    user = users["inspector"]
    on_page = build(Status.REPORTED)
    with override("en"), pytest.raises(ValidationError) as refused:
        services.hazard_assign(
            hazard=on_page, by=user, responsible_unit=unit(responsible), responsible_person="王芳", deadline=due
        )
    assert any(message in m for m in refused.value.messages)
    rows = [["配电房门锁损坏", "武林街道", "中北社区", "消防安全", "一般", "监督检查", "门锁损坏", "",
             responsible, "王芳", due.isoformat()]]  # fmt: skip
    with override("en"):
        report = run_import(HazardResource(user=user), read_xlsx(workbook(rows)), dry_run=False)
    assert not report.committed
    errors = [(c, m) for _row, c, m in report.error_tuples()]
    assert any(c == column and message in m for c, m in errors), errors
    assert Hazard.objects.filter(title="配电房门锁损坏").count() == 0


def test_an_assignment_by_file_leaves_what_the_assign_page_leaves(users, unit):
    due = deadline_today() + datetime.timedelta(days=20)
    rows = [["配电房门锁损坏", "武林街道", "中北社区", "消防安全", "一般", "监督检查", "门锁损坏", "",
             WULIN, " 王芳 ", due.isoformat()]]  # fmt: skip
    report = run_import(HazardResource(user=users["inspector"]), read_xlsx(workbook(rows)), dry_run=False)
    assert report.committed, report.error_tuples()
    hazard = Hazard.objects.get(title="配电房门锁损坏")
    # The service's own touches: the person trimmed, the issuing unit (the inspection team), the time.
    assert hazard.responsible_person == "王芳"
    assert hazard.issuing_unit.code == "TEAM-WULIN"
    assert hazard.assigned_at is not None
    assign = hazard.events.get(action=Action.ASSIGN)
    assert (assign.from_status, assign.to_status, assign.deadline) == (Status.REPORTED, Status.RECTIFYING, due)
