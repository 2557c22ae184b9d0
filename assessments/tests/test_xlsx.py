"""A template as a spreadsheet: exported, imported back as a new version through the services,
all or nothing, with row problems in Chinese."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils.translation import override

from assessments import services
from assessments.models import Item, Template
from assessments.resources import SHEET, TemplateItemResource, parse_rule_line, rule_line
from campaign.lib.xlsx.files import export_xlsx, read_xlsx
from campaign.lib.xlsx.runner import run_import
from districts.models import Sector
from districts.tests.import_helpers import xlsx

pytestmark = pytest.mark.django_db

HEADERS = [
    "模板编号", "模板名称", "编号", "名称", "分值", "类型",
    "考核内容", "扣分规则", "佐证材料", "适用单位", "适用领域", "待核实",
]  # fmt: skip


def run(user, content: bytes, *, dry_run=False):
    with override("zh-hans"):
        return run_import(TemplateItemResource(user=user), read_xlsx(io.BytesIO(content)), dry_run=dry_run)


def export(template) -> bytes:
    resource = TemplateItemResource()
    return export_xlsx(resource, resource.export_queryset(template), title=SHEET)


def tree_of(template):
    return [
        (i.code, i.name, i.max_points, i.kind, i.content, i.evidence_hint, i.unit_kinds, i.unverified,
         sorted(s.name for s in i.sectors.all()),
         [(r.kind, r.params, r.text) for r in i.rules.order_by("order", "pk")])
        for i in Item.objects.filter(template=template).order_by("order")
    ]


@pytest.mark.parametrize(
    ("kind", "params", "text"),
    [
        ("per_finding", {"points": "0.5", "cap": "2"}, "每发现一处扣0.5分,2分扣完为止"),
        ("per_missing", {"points": "0.2", "of": 9, "cap": "1"}, ""),
        ("threshold", {"op": "<=", "value": "80", "points": "1", "unit": "%"}, "老旧管网改造率≤80%的,扣1分"),
        ("tiered", {"tiers": [{"to": "60", "points": "2"}, {"from": "60", "to": "80", "points": "1"}]}, ""),
        ("per_incident", {"points": "1", "resolved_points": "0.5", "cap": "3"}, "每发生一起扣1分"),
        ("veto", {"condition": "发生较大及以上生产安全事故"}, "取消评选资格"),
        ("exemption", {"condition": "获评国家示范城市"}, ""),
    ],
)
def test_a_rule_reads_back_from_its_line(kind, params, text):
    from assessments import rules

    line = rule_line(kind, params, text)
    read_kind, read_params, read_text = parse_rule_line(line)
    assert (read_kind, rules.validate(read_kind, read_params, Decimal(5)), read_text) == (kind, params, text)


def test_an_exported_template_imports_back_as_a_new_version_with_the_same_tree(office, small_template):
    item = small_template.items.get(code="1.2")
    services.item_edit(by=office, item=item, unit_kinds=["street"], evidence_hint="改造台账",
                       sectors=list(Sector.objects.all()[:2]), unverified=True)
    done = run(office, export(small_template))
    assert done.committed, done.error_tuples()
    assert done.new == 4
    new = Template.objects.get(code="district", version=2)
    assert new.based_on == small_template
    assert tree_of(new) == tree_of(small_template)
    assert Item.objects.get(template=new, code="1.1").history.first().history_user == office


def test_a_preview_writes_nothing(office, small_template):
    preview = run(office, export(small_template), dry_run=True)
    assert preview.ok and preview.new == 4
    assert Template.objects.filter(code="district").count() == 1


def test_a_file_with_bad_rows_is_not_imported_and_each_problem_is_told_by_row_in_chinese(office):
    rows = [
        ["new", "新模板", "1", "源头治理", "4", "基本项", "", "", "", "", "", ""],
        ["new", "", "1.1", "规划", "２", "", "", "", "", "", "", ""],
        ["new", "", "1.2", "管网", "2", "", "", "按处扣分：每处=0.5，上限=3", "", "", "", ""],
        ["new", "", "2.1", "孤儿", "1", "", "", "", "", "镇", "", ""],
        ["new", "", "1.3", "x", "1", "", "", "扣光：全部", "", "", "消防", ""],
    ]
    report = run(office, xlsx(HEADERS, rows))
    assert not report.committed
    problems = {(row, column): message for row, column, message in report.error_tuples()}
    assert "0–9" in problems[(3, "分值")]
    assert "上限" in problems[(4, "扣分规则")] or "最高分" in problems[(4, "扣分规则")], problems
    assert "2" in problems[(5, "编号")]  # its parent 2 is not in the file
    assert (5, "适用单位") in problems
    assert (6, "扣分规则") in problems and (6, "适用领域") in problems
    assert not Template.objects.filter(code="new").exists()


def test_street_staff_may_not_import_a_template(street_staff, small_template):
    report = run(street_staff, export(small_template))
    assert not report.committed
    assert report.errors and not Template.objects.filter(version=2).exists()


def test_a_file_of_two_templates_is_refused(office):
    rows = [
        ["a", "甲", "1", "x", "1", "", "", "", "", "", "", ""],
        ["b", "乙", "2", "y", "1", "", "", "", "", "", "", ""],
    ]
    report = run(office, xlsx(HEADERS, rows))
    assert not report.committed
    assert [column for _row, column, _m in report.error_tuples()] == ["模板编号"]
