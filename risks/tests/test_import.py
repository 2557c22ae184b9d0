"""The risk list (风险清单) as a spreadsheet: what a street officer sees when they export
the register, fill rows in, and import it again."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from campaign.lib.xlsx.files import export_xlsx, read_xlsx
from campaign.lib.xlsx.runner import run_import
from districts.models import Role, Sector, Site
from districts.tests.import_helpers import xlsx
from risks.models import LEVEL_COLOURS, AccidentType, Assessment, AssessmentMethod, ControlRule, Level, RiskPoint
from risks.resources import RiskResource, level_fill
from risks.services import risk_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADERS = [
    "风险编号",
    "风险点名称",
    "所在街道",
    "所在社区/网格编码",
    "生产经营单位",
    "重点领域",
    "事故类型",
    "责任单位",
    "责任人",
    "评估方法",
    "L",
    "E",
    "C",
    "S",
]


@pytest.fixture
def wulin_staff(district, unit, make_user):
    return make_user(Role.STREET_STAFF, unit("330103002"))


@pytest.fixture
def lec(db):
    return AssessmentMethod.objects.get(code="lec")


@pytest.fixture
def matrix(db):
    return AssessmentMethod.objects.get(code="matrix")


def import_risks(user, content, *, dry_run=False):
    resource = RiskResource(user=user)
    report = run_import(resource, read_xlsx(BytesIO(content)), dry_run=dry_run)
    report.assessed = resource.assessed
    return report


def export_risks(user) -> bytes:
    resource = RiskResource(user=user)
    return export_xlsx(resource, resource.export_queryset(user), title="风险清单", fill=level_fill)


def sheet_rows(content) -> list[dict]:
    rows = list(load_workbook(BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def counts():
    return (
        RiskPoint.objects.count(),
        RiskPoint.history.count(),
        Assessment.objects.count(),
    )


def row(name="液化气钢瓶间", street="武林街道", place="330103002051", **cells):
    """A row of HEADERS: a LEC-graded fire risk in 中北社区 unless told otherwise."""
    values = {
        "风险编号": None,
        "风险点名称": name,
        "所在街道": street,
        "所在社区/网格编码": place,
        "生产经营单位": None,
        "重点领域": "消防安全",
        "事故类型": "火灾",
        "责任单位": "330103002051",
        "责任人": "张三",
        "评估方法": "LEC",
        "L": 3,
        "E": 6,
        "C": 7,
        "S": None,
    }
    values.update(cells)
    return [values[h] for h in HEADERS]


def test_a_good_file_adds_risks_graded_by_the_server_with_codes(district, unit, wulin_staff):
    content = xlsx(
        [*HEADERS, "风险值", "风险等级"],
        [
            [*row("后厨液化气钢瓶间"), 1, "低"],
            # 重大 (4 × 5 = 20): controlled by the district.
            [
                *row("商场中庭", place=None, 责任单位="330103", 评估方法="风险矩阵", L=4, S=5, E=None, C=None),
                None,
                None,
            ],
            [*row("配电房", 事故类型="触电", L=0.5, E="6", C=40), None, None],
            [*row("仓库", 评估方法=None, L=None, E=None, C=None), None, None],
        ],
    )

    report = import_risks(wulin_staff, content)

    assert report.committed, report.errors
    assert (report.new, report.updated, report.assessed) == (4, 0, 3)
    kitchen = RiskPoint.objects.get(name="后厨液化气钢瓶间")
    assert kitchen.code == "R330103002051-000001"
    assert kitchen.unit.code == "330103002051"
    assert kitchen.sector.code == "fire_safety"
    assert kitchen.accident_type == AccidentType.FIRE
    assert kitchen.history.earliest().history_user == wulin_staff
    # 3 × 6 × 7 = 126, 一般: the file's 风险值 1 and 风险等级 低 are for reading only.
    assessment = kitchen.current_assessment
    assert (assessment.score, assessment.level, assessment.stage) == (Decimal(126), Level.GENERAL, "residual")
    assert assessment.method_version == AssessmentMethod.objects.get(code="lec").current
    assert assessment.assessed_by == wulin_staff
    cadence = ControlRule.objects.get(level=Level.GENERAL).review_every_days
    assert kitchen.next_review_on == timezone.localdate() + datetime.timedelta(days=cadence)
    # Grading is in the risk's history too: its newest version points at the assessment.
    graded = kitchen.history.latest()
    assert (graded.current_assessment_id, graded.history_user) == (assessment.pk, wulin_staff)
    atrium = RiskPoint.objects.get(name="商场中庭")
    assert atrium.unit == unit("330103002"), "no community: the risk is the street's"
    assert (atrium.current_assessment.score, atrium.level) == (Decimal(20), Level.MAJOR)
    assert RiskPoint.objects.get(name="配电房").current_assessment.score == Decimal(120)
    assert RiskPoint.objects.get(name="仓库").current_assessment is None
    assert sorted(RiskPoint.objects.values_list("code", flat=True)) == [
        "R330103002-000001",
        "R330103002051-000001",
        "R330103002051-000002",
        "R330103002051-000003",
    ]


def test_english_headers_and_a_community_by_name_are_accepted(district, unit, wulin_staff):
    content = xlsx(
        [
            *("name", "street", "unit_name", "sector", "accident_type", "responsible_unit", "responsible_person"),
            *("method", "factor_l", "factor_s"),
        ],
        [["消防通道", "330103002", "仙林社区", "fire_safety", "fire", "330103002", "李四", "matrix", 2, 3]],
    )

    report = import_risks(wulin_staff, content)

    assert report.committed, report.errors
    risk = RiskPoint.objects.get()
    assert (risk.unit.name, risk.current_assessment.score) == ("仙林社区", Decimal(6))


def test_every_kind_of_bad_row_is_reported_with_its_row_and_nothing_is_written(district, wulin_staff):
    content = xlsx(
        HEADERS,
        [
            row("好的风险"),
            row("L 不在表中", L=4),
            row("S 超出", 评估方法="风险矩阵", L=3, E=None, C=None, S=6),
            row("未知街道", street="西湖街道"),
            row("未知社区", place="330103002999"),
            row("不在该街道", street="天水街道"),
            row("未知领域", 重点领域="食品安全"),
            row("未知事故", 事故类型="爆炸"),
            row(None),
            row("未知责任单位", 责任单位="330103999"),
            row("别的街道", street="天水街道", place="330103003051"),
            row("LEC 填了 S", S=3),
            row("没有方法", 评估方法=None),
            row("未知编号", 风险编号="R330103002051-009999"),
            row("缺 C", C=None),
        ],
    )
    before = counts()

    report = import_risks(wulin_staff, content)

    assert report.error_tuples() == [
        (3, "L", "4 is not an allowed value of L: choose one of 10、6、3、1、0.5、0.2、0.1."),
        (4, "S", "6 is not an allowed value of S: choose one of 5、4、3、2、1."),
        (5, "所在街道", "No street has the name or code “西湖街道”."),
        (6, "所在社区/网格编码", "No unit has the code “330103002999”."),
        (7, "所在社区/网格编码", "中北社区 is not in 天水街道."),
        (8, "重点领域", "“食品安全” is not one of the seven sectors (e.g. 消防安全)."),
        (9, "事故类型", "“爆炸” is not one of: " + "、".join(_accident_labels()) + "."),
        (10, "风险点名称", "This cell is empty; it must be filled in."),
        (11, "责任单位", "No unit has the code “330103999”."),
        (12, "所在社区/网格编码", "You may not add or change risks in 灯芯巷社区."),
        (13, "S", "LEC has no factor S: leave this cell empty."),
        (14, "评估方法", "Give the assessment method for the factor values in this row."),
        (
            15,
            "风险编号",
            "No risk has the code “R330103002051-009999”: leave the cell empty to add a new risk.",
        ),
        (16, "C", "This cell is empty; it must be filled in."),
    ]
    assert report.bad_rows == 14
    assert not report.committed
    assert counts() == before


def _accident_labels():
    from risks.resources import ACCIDENT_LABELS

    return [ACCIDENT_LABELS[value][0] for value in AccidentType.values]


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(district, wulin_staff):
    before = counts()

    report = import_risks(wulin_staff, xlsx(HEADERS, [row("甲"), row("乙")]), dry_run=True)

    assert report.ok and not report.committed
    assert (report.new, report.assessed) == (2, 2)
    assert counts() == before


@pytest.fixture
def register(district, unit, wulin_staff, lec, matrix):
    """Risks the way the screens add them: graded, ungraded, at a site, at the street, and one elsewhere."""
    fire = Sector.objects.get(code="fire_safety")
    trade = Sector.objects.get(code="commerce_tourism") if Sector.objects.filter(code="commerce_tourism") else fire
    site = Site.objects.create(name="杭州安顺餐饮店", credit_code="91330103MA27Y5JK3M", unit=unit("330103002051"))
    common = {"by": wulin_staff, "responsible_person": "张三", "accident_type": AccidentType.FIRE}
    kitchen = risk_create(
        name="后厨液化气钢瓶间",
        unit=unit("330103002051"),
        site=site,
        sector=fire,
        responsible_unit=unit("330103002051"),
        description="=钢瓶与灶具距离不足",
        management_measures="每日检查\n专人管理",
        assessments=[
            {"method": lec, "stage": "inherent", "inputs": {"L": 6, "E": 6, "C": 15}},
            {"method": lec, "stage": "residual", "inputs": {"L": 0.5, "E": 6, "C": 15}},
        ],
        **common,
    )
    atrium = risk_create(
        name="商场中庭",
        unit=unit("330103002"),
        sector=trade,
        # 重大 (4 × 5 = 20): controlled by the district (分级管控).
        responsible_unit=unit("330103"),
        assessments=[{"method": matrix, "stage": "residual", "inputs": {"L": 4, "S": 5}}],
        **common,
    )
    store = risk_create(
        name="仓库", unit=unit("330103002052"), sector=fire, responsible_unit=unit("330103002"), **common
    )
    tianshui = risk_create(
        by=_superuser(),
        name="天水的风险",
        unit=unit("330103003051"),
        sector=fire,
        responsible_unit=unit("330103"),
        responsible_person="王五",
        accident_type=AccidentType.FIRE,
        assessments=[{"method": lec, "stage": "residual", "inputs": {"L": 10, "E": 6, "C": 7}}],
    )
    return {"kitchen": kitchen, "atrium": atrium, "store": store, "tianshui": tianshui}


def _superuser():
    from districts.models import User

    return User.objects.create_superuser("root", password="pw-for-tests-only")


def test_the_export_holds_the_office_layout_and_only_what_the_user_may_see(register, wulin_staff):
    rows = sheet_rows(export_risks(wulin_staff))

    assert [r["风险点名称"] for r in rows] == ["商场中庭", "后厨液化气钢瓶间", "仓库"]
    atrium, kitchen, store = rows
    assert [r["序号"] for r in rows] == [1, 2, 3]
    assert kitchen["风险编号"] == register["kitchen"].code
    assert (kitchen["所在街道"], kitchen["所在社区/网格编码"], kitchen["所在社区/网格"]) == (
        "武林街道",
        "330103002051",
        "中北社区",
    )
    assert (atrium["所在街道"], atrium["所在社区/网格编码"]) == ("武林街道", None)
    assert kitchen["生产经营单位"] == "91330103MA27Y5JK3M"
    assert (kitchen["重点领域"], kitchen["事故类型"]) == ("消防安全", "火灾")
    assert kitchen["风险描述"] == "=钢瓶与灶具距离不足", "text, never a formula"
    # The residual assessment grades the risk: 0.5 × 6 × 15 = 45, 低.
    assert (kitchen["评估方法"], kitchen["L"], kitchen["E"], kitchen["C"], kitchen["S"]) == ("LEC", 0.5, 6, 15, None)
    assert (kitchen["风险值"], kitchen["风险等级"], kitchen["管控层级"]) == (45, "低", "企业（场所）自控")
    assert (atrium["评估方法"], atrium["L"], atrium["S"], atrium["风险值"], atrium["风险等级"]) == (
        "风险矩阵",
        4,
        5,
        20,
        "重大",
    )
    assert atrium["管控层级"] == "区级"
    assert kitchen["下次复核日期"] == RiskPoint.objects.get(pk=register["kitchen"].pk).next_review_on.isoformat()
    assert (store["评估方法"], store["风险值"], store["风险等级"]) == (None, None, None)


def test_the_level_cell_is_filled_with_the_level_colour(register, wulin_staff):
    sheet = load_workbook(BytesIO(export_risks(wulin_staff))).worksheets[0]
    headers = [c.value for c in sheet[1]]
    level_column = headers.index("风险等级")
    fills = {r[level_column].value: r[level_column].fill for r in sheet.iter_rows(min_row=2)}

    assert fills["重大"].fill_type == "solid"
    assert fills["重大"].fgColor.rgb == "FF" + LEVEL_COLOURS[Level.MAJOR].lstrip("#").upper()
    assert fills["低"].fgColor.rgb == "FF" + LEVEL_COLOURS[Level.LOW].lstrip("#").upper()
    assert fills[None].fill_type is None, "an ungraded risk has no colour"
    assert sheet[1][0].font.b, "the header row is bold"


def test_an_export_reimports_unchanged(register, wulin_staff):
    content = export_risks(wulin_staff)
    before = counts()

    report = import_risks(wulin_staff, content)

    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged, report.assessed) == (0, 0, 3, 0)
    assert counts() == before


def test_changed_factors_record_a_residual_assessment_and_changed_text_an_update(register, wulin_staff):
    workbook = load_workbook(BytesIO(export_risks(wulin_staff)))
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    kitchen_row, store_row = 3, 4
    sheet.cell(kitchen_row, headers.index("L") + 1, 6)  # 6 × 6 × 15 = 540, 重大
    sheet.cell(kitchen_row, headers.index("责任单位") + 1, "330103")  # so the district controls it
    sheet.cell(kitchen_row, headers.index("风险等级") + 1, "低")  # ignored
    sheet.cell(store_row, headers.index("责任人") + 1, "李四")
    buffer = BytesIO()
    workbook.save(buffer)
    kitchen = register["kitchen"]
    assessments_before = kitchen.assessments.count()

    report = import_risks(wulin_staff, buffer.getvalue())

    assert report.committed, report.errors
    assert (report.new, report.updated, report.unchanged, report.assessed) == (0, 2, 1, 1)
    kitchen.refresh_from_db()
    assert kitchen.assessments.count() == assessments_before + 1
    current = kitchen.current_assessment
    assert (current.stage, current.inputs, current.score, current.level) == (
        "residual",
        {"L": 6.0, "E": 6.0, "C": 15.0},
        Decimal(540),
        Level.MAJOR,
    )
    store = RiskPoint.objects.get(pk=register["store"].pk)
    assert store.responsible_person == "李四"
    assert store.current_assessment is None


def test_a_street_officer_cannot_change_a_risk_of_another_street_by_its_code(register, wulin_staff):
    other = register["tianshui"]
    content = xlsx(HEADERS, [row("改到武林", 风险编号=other.code)])

    report = import_risks(wulin_staff, content)

    assert report.error_tuples() == [(2, "风险编号", "You may not add or change risks in 灯芯巷社区.")]
    other.refresh_from_db()
    assert other.name == "天水的风险"


def test_a_risk_code_twice_in_a_file_is_reported(register, wulin_staff):
    code = register["store"].code
    report = import_risks(wulin_staff, xlsx(HEADERS, [row("一", 风险编号=code), row("二", 风险编号=code)]))

    assert report.error_tuples() == [
        (3, "风险编号", f"“{code}” is also at row 2; each may appear only once in a file.")
    ]


def test_codes_typed_full_width_find_their_unit_and_site(plan, unit, wulin_staff):
    Site.objects.create(name="杭州安顺餐饮店", credit_code="91330103MA27Y5JK3M", unit=unit("330103002051"))
    full_width = str.maketrans("0123456789AMJKY", "０１２３４５６７８９ａｍｊｋｙ")
    typed = "330103002051".translate(full_width)
    content = xlsx(
        HEADERS,
        [row(place=typed, 生产经营单位="91330103MA27Y5JK3M".translate(full_width), 责任单位=typed)],
    )

    report = import_risks(wulin_staff, content)

    assert report.committed, report.errors
    risk = RiskPoint.objects.get()
    assert (risk.unit.code, risk.responsible_unit.code, risk.site.name) == (
        "330103002051",
        "330103002051",
        "杭州安顺餐饮店",
    )


def _import_queries(user, rows: int) -> int:
    """The queries of importing `rows` new graded risks in 中北社区, then of re-importing them
    with a changed grade and text each (each import is committed)."""
    name = f"批量{rows}-"
    new = xlsx(HEADERS, [row(f"{name}{n:05d}", L=(3, 1)[n % 2]) for n in range(rows)])
    with CaptureQueriesContext(connection) as added:
        report = import_risks(user, new)
    assert report.committed and report.new == rows and report.assessed == rows, report.errors[:3]
    codes = dict(RiskPoint.objects.filter(name__startswith=name).values_list("name", "code"))
    changed = xlsx(
        HEADERS,
        [row(f"{name}{n:05d}", 风险编号=codes[f"{name}{n:05d}"], 责任人="李四", L=0.5) for n in range(rows)],
    )
    with CaptureQueriesContext(connection) as updated:
        report = import_risks(user, changed)
    assert report.committed and report.updated == rows and report.assessed == rows, report.errors[:3]
    return len(added.captured_queries) + len(updated.captured_queries)


def test_an_import_costs_the_same_queries_for_200_and_2000_rows(district, wulin_staff):
    # Units, sectors, sites, methods and the file's risks are each read once per file, and rows
    # are written a thousand at a time with their history, assessments and audit rows: a row
    # costs no query of its own. Batches of 1,000 add a few INSERTs per thousand rows, no more.
    small = _import_queries(wulin_staff, 200)
    large = _import_queries(wulin_staff, 2000)
    assert large - small <= 30, (small, large)
