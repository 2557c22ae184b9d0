"""Spreadsheet import and export of org units: what an administrator sees when they upload a file."""

import datetime

import pytest

from campaign.lib.xlsx.files import export_xlsx
from districts.models import OrgUnit, Role
from districts.resources import OrgUnitResource
from districts.tests.import_helpers import (
    UNIT_HEADERS,
    assert_tree_consistent,
    counts,
    division_rows,
    division_xlsx,
    import_units,
    xlsx,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


# ---------------------------------------------------------------- org units


def test_the_2020_division_file_imports_into_a_database_with_only_the_city(city_admin):
    content = division_xlsx()

    preview = import_units(city_admin, content, dry_run=True)
    assert preview.ok, preview.errors
    assert (preview.new, preview.updated, preview.unchanged) == (84, 0, 0)
    assert OrgUnit.objects.count() == 1, "a dry run writes nothing"

    report = import_units(city_admin, content)
    assert report.committed
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.STREET).count() == 8
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY).count() == 75
    zhongbei = OrgUnit.objects.get(code="330103002051")
    assert zhongbei.name == "中北社区"
    assert [u.name for u in zhongbei.get_ancestors()] == ["杭州市", "下城区", "武林街道"]
    assert_tree_consistent()
    assert OrgUnit.history.filter(history_user=city_admin).count() == 84


def test_the_division_file_reimports_unchanged_after_load_plan(district, unit, make_user):
    admin = make_user(Role.SYSTEM_ADMIN, unit("330100"))
    before = counts()

    report = import_units(admin, division_xlsx())

    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, 84)
    assert counts() == before


def test_chinese_headers_and_kind_labels_are_accepted(district, district_admin):
    report = import_units(
        district_admin,
        xlsx(["编码", "名称", "层级", "上级编码"], [["330103002051-01", "中北社区第一网格", "网格", "330103002051"]]),
    )
    assert report.committed, report.errors
    grid = OrgUnit.objects.get(code="330103002051-01")
    assert (grid.kind, grid.parent.code) == (OrgUnit.Kind.GRID, "330103002051")


def test_children_may_come_before_their_parents(city_admin):
    report = import_units(city_admin, division_xlsx(list(reversed(division_rows()))))

    assert report.committed, report.errors
    assert report.new == 84
    assert OrgUnit.objects.get(code="330103009001").parent.code == "330103009"
    assert_tree_consistent()


def test_errors_in_a_reordered_file_keep_their_spreadsheet_row_numbers(city_admin):
    rows = list(reversed(division_rows()))
    # Row 10 of the sheet: a community whose street code is mistyped.
    rows[8] = ["community", 330103009099, "错码社区", 330103099]
    before = counts()

    report = import_units(city_admin, division_xlsx(rows))

    assert report.error_tuples() == [(10, "上级编码", "No unit has the code “330103099”.")]
    assert not report.committed
    assert counts() == before


def test_every_kind_of_bad_unit_row_is_reported_and_nothing_is_written(district, district_admin):
    content = xlsx(
        [*UNIT_HEADERS, "成立日期"],
        [
            ["330103002051-01", "中北社区第一网格", "网格", "330103002051", None],
            ["330103002051-02", "第二网格", "网格", "330103002099", None],
            ["330103002051-01", "重复的网格", "网格", "330103002051", None],
            ["330103002051-03", None, "网格", "330103002051", None],
            ["330103002051-04", "第四网格", "小区", "330103002051", None],
            [None, None, None, None, None],
            ["330103002051-05", "第五网格", "网格", "330103002051", "去年"],
        ],
    )
    before = counts()

    report = import_units(district_admin, content)

    assert report.error_tuples() == [
        (3, "上级编码", "No unit has the code “330103002099”."),
        (4, "编码", "“330103002051-01” is also at row 2; each may appear only once in a file."),
        (5, "名称", "This cell is empty; it must be filled in."),
        (6, "类型", "“小区” is not one of: 市、区、街道、社区、网格、部门、创建办、巡查组、领导小组."),
        (8, "成立日期", "“去年” is not a date: write it as 2020-06-30."),
    ]
    assert str(report.errors[0]) == "Row 3: 上级编码: No unit has the code “330103002099”."
    assert not report.committed
    assert counts() == before


def test_a_child_of_a_bad_row_points_at_that_row(district, district_admin):
    report = import_units(
        district_admin,
        xlsx(
            UNIT_HEADERS,
            [
                ["330103002051-01-A", "楼道", "网格", "330103002051-01"],
                ["330103002051-01", "第一网格", "小区", "330103002051"],
            ],
        ),
    )
    assert (
        2,
        "上级编码",
        "The parent unit “330103002051-01” (row 3) could not be imported; correct that row first.",
    ) in (report.error_tuples())


def test_a_missing_column_stops_the_file(district, district_admin):
    report = import_units(district_admin, xlsx(["编码", "名称", "类型"], [["X1", "某网格", "网格"]]))

    assert [(e.row, e.column) for e in report.errors] == [(1, "上级编码")]
    assert "parent_code" in report.errors[0].message
    assert not OrgUnit.objects.filter(code="X1").exists()


def test_moving_a_unit_keeps_the_tree_valid_and_records_who_moved_it(district, district_admin):
    report = import_units(district_admin, xlsx(UNIT_HEADERS, [["330103002051", "中北社区", "社区", "330103003"]]))

    assert (report.new, report.updated, report.committed) == (0, 1, True)
    moved = OrgUnit.objects.get(code="330103002051")
    assert moved.parent.code == "330103003"
    assert moved in OrgUnit.objects.get(code="330103003").get_descendants()
    assert moved not in OrgUnit.objects.get(code="330103002").get_descendants()
    assert_tree_consistent()
    assert moved.history.latest().history_user == district_admin


def test_dates_from_excel_cells_import_and_reimport_unchanged(district, district_admin):
    content = xlsx(
        [*UNIT_HEADERS, "成立日期"],
        [["330103002051-01", "中北社区第一网格", "网格", "330103002051", datetime.datetime(2019, 3, 1)]],
    )
    assert import_units(district_admin, content).committed
    assert OrgUnit.objects.get(code="330103002051-01").established_on == datetime.date(2019, 3, 1)

    again = import_units(district_admin, content)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)


def test_org_units_round_trip_through_an_export_unchanged(district, unit, district_admin):
    OrgUnit.objects.create(
        code="330103002051-01",
        name="中北社区第一网格",
        kind=OrgUnit.Kind.GRID,
        parent=unit("330103002051"),
        established_on=datetime.date(2019, 3, 1),
    )
    resource = OrgUnitResource(user=district_admin)
    content = export_xlsx(resource, resource.export_queryset(district_admin), title="单位")
    visible = OrgUnit.objects.visible_to(district_admin).count()
    before = counts()

    report = import_units(district_admin, content)

    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, visible)
    assert counts() == before


def test_a_district_admin_cannot_add_a_unit_outside_the_district(district, district_admin):
    report = import_units(district_admin, xlsx(UNIT_HEADERS, [["330104", "江干区", "区", "330100"]]))

    assert report.error_tuples() == [(2, "上级编码", "The parent unit “杭州市” is not within your scope.")]
    assert not OrgUnit.objects.filter(code="330104").exists()


def test_unit_codes_typed_with_full_width_digits_are_read_as_ascii(plan, district_admin):
    report = import_units(
        district_admin,
        xlsx(
            UNIT_HEADERS,
            [
                ["３３０１０３００２０５１－０１", "中北社区第一网格", "网格", "３３０１０３００２０５１"],
                ["330103002051-01", "同一个网格", "网格", "330103002051"],
            ],
        ),
    )
    assert report.error_tuples() == [
        (3, "编码", "“330103002051-01” is also at row 2; each may appear only once in a file.")
    ]
    report = import_units(
        district_admin,
        xlsx(UNIT_HEADERS, [["３３０１０３００２０５１－０１", "第一网格", "网格", "３３０１０３００２０５１"]]),
    )
    assert report.committed, report.errors
    assert OrgUnit.objects.get(code="330103002051-01").parent.code == "330103002051"
