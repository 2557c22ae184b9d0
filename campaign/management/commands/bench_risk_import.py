"""Time the spreadsheet import of the risk list at volume: build an .xlsx of N
risk rows (each graded by LEC or the risk matrix), dry-run it, import it,
export the register and re-import the export (every row unchanged), and the
floor: bulk_create of the same risk rows alone. Each timed step runs --repeat
times and the median is printed. Everything is rolled back unless --keep is given."""

import statistics
import time
import uuid
from decimal import Decimal
from io import BytesIO

from django.core.management.base import CommandError
from django.db import transaction
from openpyxl import Workbook

from campaign.lib.bench import BenchCommand
from campaign.lib.xlsx.files import export_xlsx, read_xlsx
from campaign.lib.xlsx.runner import run_import
from campaign.plan import load_plan
from districts.models import OrgUnit, Sector, User
from risks.defaults import install
from risks.models import AssessmentMethod, ControlRule, MethodVersion, RiskPoint, below_control_level
from risks.resources import ACCIDENT_LABELS, RiskResource, level_fill

HEADERS = [
    "风险点名称",
    "所在街道",
    "所在社区/网格编码",
    "重点领域",
    "事故类型",
    "风险描述",
    "危险因素",
    "工程技术措施",
    "管理措施",
    "培训教育措施",
    "个体防护措施",
    "应急处置措施",
    "责任单位",
    "责任人",
    "评估方法",
    "L",
    "E",
    "C",
    "S",
]
LEC_L, LEC_E, LEC_C = (10, 6, 3, 1, 0.5), (10, 6, 3, 2, 1), (40, 15, 7, 3, 1)


def _code_cell(code: str) -> int | str:
    """A unit code as units type it: a number when it is all digits (Excel keeps it as one),
    else text (load_demo --scale's grids are coded like 330103001X104)."""
    return int(code) if code.isdigit() and not code.startswith("0") else code


def _rows(rows: int, communities) -> list[dict]:
    """What each row of the file says: its place, sector, accident, method and factors, and a
    responsible unit at the level its grade must be controlled at (the community, else its
    street, else the district)."""
    sectors = list(Sector.objects.order_by("order"))
    accidents = list(ACCIDENT_LABELS)
    rules = dict(ControlRule.objects.values_list("level", "control_level"))
    versions = {m.code: m.current for m in AssessmentMethod.objects.filter(code__in=("lec", "matrix"))}
    district = OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT).order_by("code").first()
    out = []
    for n in range(rows):
        unit = communities[n % len(communities)]
        if n % 3 == 2:
            method, factors = "matrix", {"L": n % 5 + 1, "S": (n // 5) % 5 + 1}
        else:
            method, factors = "lec", {"L": LEC_L[n % 5], "E": LEC_E[(n // 5) % 5], "C": LEC_C[(n // 25) % 5]}
        version = versions[method]
        level = version.level_of(version.score({k: Decimal(str(v)) for k, v in factors.items()}))
        responsible = next(
            (u for u in (unit, unit.parent, district) if not below_control_level(u.kind, rules.get(level))), district
        )
        out.append(
            {
                "n": n,
                "unit": unit,
                "sector": sectors[n % len(sectors)],
                "accident": accidents[n % len(accidents)],
                "responsible": responsible,
                "method": method,
                "factors": factors,
            }
        )
    return out


def _workbook(rows: list[dict]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("风险清单")
    sheet.append(HEADERS)
    for row in rows:
        n, factors = row["n"], row["factors"]
        if row["method"] == "matrix":
            method = ["风险矩阵", factors["L"], None, None, factors["S"]]
        else:
            method = ["LEC", factors["L"], factors["E"], factors["C"], None]
        sheet.append(
            [
                f"测试风险点{n + 1:05d}",
                row["unit"].parent.name,
                _code_cell(row["unit"].code),
                row["sector"].name,
                ACCIDENT_LABELS[row["accident"]][0],
                *MEASURES,
                _code_cell(row["responsible"].code),
                f"责任人{n % 97}",
                *method,
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


MEASURES = (
    "液化气钢瓶与灶具距离不足，软管老化",
    "明火、可燃气体泄漏",
    "安装可燃气体报警器和紧急切断阀",
    "每日检查，专人管理",
    "每季度开展一次消防培训",
    "配备防护手套",
    "关阀、断电、疏散、报警",
)


class _Undo(Exception):
    """Raised to roll back one timed run's writes (its savepoint), so the next starts alike."""


class Command(BenchCommand):
    help = (
        "Time dry run, import and re-import of N generated risk rows from .xlsx, and bulk_create of the "
        "same rows (the floor); medians of --repeat runs, all rolled back unless --keep."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--repeat", type=int, default=3, help="Runs of each timed step (the median is printed).")
        parser.add_argument("--keep", action="store_true", help="Keep the imported risks (of the last import run).")

    def _timed(self, name, rows, fn, *, repeat=1, undo=False, keep_last=False):
        """Run fn `repeat` times, each rolled back if `undo` (but the last if `keep_last`); print the
        median as rows/s; return fn's last result."""
        seconds, result = [], None
        for n in range(repeat):
            started = time.perf_counter()
            try:
                with transaction.atomic():
                    result = fn()
                    seconds.append(time.perf_counter() - started)
                    if undo and not (keep_last and n == repeat - 1):
                        raise _Undo
            except _Undo:
                pass
        median = statistics.median(seconds)
        self.figure(name, round(rows / median), "rows/s")
        self.note(f"{name}: median {median:.2f} s of {', '.join(f'{s:.2f}' for s in seconds)}")
        return result

    def _run(self, user, dataset, *, dry_run, new=0, unchanged=0, assessed=0):
        resource = RiskResource(user=user)
        report = run_import(resource, dataset, dry_run=dry_run)
        report.assessed = resource.assessed
        self._check(report, new=new, unchanged=unchanged, assessed=assessed)
        return report

    def _floor(self, rows: list[dict]) -> None:
        """bulk_create of the same risk rows: no file, no checks, no history, no assessments."""
        RiskPoint.objects.bulk_create(
            [
                RiskPoint(
                    code=f"RBENCH-{row['n']:06d}",
                    name=f"测试风险点{row['n'] + 1:05d}",
                    unit=row["unit"],
                    sector=row["sector"],
                    accident_type=row["accident"],
                    description=MEASURES[0],
                    hazard_factors=MEASURES[1],
                    engineering_measures=MEASURES[2],
                    management_measures=MEASURES[3],
                    training_measures=MEASURES[4],
                    protection_measures=MEASURES[5],
                    emergency_measures=MEASURES[6],
                    responsible_unit=row["responsible"],
                    responsible_person=f"责任人{row['n'] % 97}",
                )
                for row in rows
            ],
            batch_size=1000,
        )

    def handle(self, *args, rows, repeat, keep, **options):
        self.begin()
        self.note(f"{rows:,} risk rows; medians of {repeat} runs")
        with transaction.atomic():
            load_plan()
            install(AssessmentMethod, MethodVersion, ControlRule)
            user = User.objects.create_user(username=f"bench-{uuid.uuid4().hex[:8]}", is_superuser=True)
            communities = list(
                OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY, code__startswith="330103")
                .select_related("parent")
                .order_by("code")
            )
            specs = _rows(rows, communities)
            before = RiskPoint.objects.count()

            content = self._timed("risk_import_build_xlsx_rows_per_second", rows, lambda: _workbook(specs))
            self.note(f"file size {len(content) / 1024:,.0f} KiB")
            dataset = self._timed("risk_import_read_xlsx_rows_per_second", rows, lambda: read_xlsx(BytesIO(content)))
            self._timed(
                "risk_import_dry_run_rows_per_second",
                rows,
                lambda: self._run(user, dataset, dry_run=True, new=rows, assessed=rows),
                repeat=repeat,
            )
            # Each run but the last is rolled back; the last is kept for the export and the re-import.
            self._timed(
                "risk_import_rows_per_second",
                rows,
                lambda: self._run(user, dataset, dry_run=False, new=rows, assessed=rows),
                repeat=repeat,
                undo=True,
                keep_last=True,
            )
            if RiskPoint.objects.count() != before + rows:
                raise CommandError("the import did not write every row")
            self._timed(
                "risk_import_bulk_create_floor_rows_per_second",
                rows,
                lambda: self._floor(specs),
                repeat=repeat,
                undo=True,
            )
            resource = RiskResource(user=user)
            queryset = RiskResource.export_queryset(user).filter(name__startswith="测试风险点")
            exported = self._timed(
                "risk_export_rows_per_second",
                rows,
                lambda: export_xlsx(resource, queryset, title="风险清单", fill=level_fill),
            )
            again = read_xlsx(BytesIO(exported))
            self._timed(
                "risk_reimport_unchanged_dry_run_rows_per_second",
                rows,
                lambda: self._run(user, again, dry_run=True, unchanged=rows),
                repeat=repeat,
            )
            if not keep:
                transaction.set_rollback(True)
        self.note("kept" if keep else "rolled back")

    def _check(self, report, new=0, updated=0, unchanged=0, assessed=0):
        if report.errors:
            raise CommandError(f"unexpected errors, first: {report.errors[0]}")
        counts = (report.new, report.updated, report.unchanged, report.assessed)
        if counts != (new, updated, unchanged, assessed):
            raise CommandError(f"unexpected counts (new, updated, unchanged, assessed): {counts}")
