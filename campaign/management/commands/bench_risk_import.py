"""Time the spreadsheet import of the risk list at volume: build an .xlsx of N
risk rows (each graded by LEC or the risk matrix), dry-run it, import it,
export the register and re-import the export (every row unchanged).
Everything is rolled back unless --keep is given."""

import time
import uuid
from io import BytesIO

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from openpyxl import Workbook

from campaign.lib.xlsx.files import export_xlsx, read_xlsx
from campaign.lib.xlsx.runner import run_import
from campaign.plan import load_plan
from districts.models import OrgUnit, Sector, User
from risks.defaults import install
from risks.models import AssessmentMethod, ControlRule, MethodVersion, RiskPoint
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


def _workbook(rows: int, communities) -> bytes:
    sectors = list(Sector.objects.order_by("order"))
    accidents = [labels[0] for labels in ACCIDENT_LABELS.values()]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("风险清单")
    sheet.append(HEADERS)
    for n in range(rows):
        unit = communities[n % len(communities)]
        if n % 3 == 2:
            method = ["风险矩阵", n % 5 + 1, None, None, (n // 5) % 5 + 1]
        else:
            method = ["LEC", LEC_L[n % 5], LEC_E[(n // 5) % 5], LEC_C[(n // 25) % 5], None]
        sheet.append(
            [
                f"测试风险点{n + 1:05d}",
                unit.parent.name,
                int(unit.code),
                sectors[n % len(sectors)].name,
                accidents[n % len(accidents)],
                "液化气钢瓶与灶具距离不足，软管老化",
                "明火、可燃气体泄漏",
                "安装可燃气体报警器和紧急切断阀",
                "每日检查，专人管理",
                "每季度开展一次消防培训",
                "配备防护手套",
                "关阀、断电、疏散、报警",
                int(unit.code),
                f"责任人{n % 97}",
                *method,
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Time dry run, import and re-import of N generated risk rows from .xlsx (rolled back unless --keep)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--keep", action="store_true", help="Keep the imported risks.")

    def _timed(self, label, rows, fn):
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
        self.stdout.write(f"{label:<34} {seconds:7.2f} s  {rows / seconds:9,.0f} rows/s")
        return result

    def _run(self, user, dataset, *, dry_run):
        resource = RiskResource(user=user)
        report = run_import(resource, dataset, dry_run=dry_run)
        report.assessed = resource.assessed
        return report

    def handle(self, *args, rows, keep, **options):
        self.stdout.write(f"{rows:,} risk rows on {connection.vendor} ({connection.settings_dict['NAME']})")
        with transaction.atomic():
            load_plan()
            install(AssessmentMethod, MethodVersion, ControlRule)
            user = User.objects.create_user(username=f"bench-{uuid.uuid4().hex[:8]}", is_superuser=True)
            communities = list(
                OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY, code__startswith="330103")
                .select_related("parent")
                .order_by("code")
            )
            before = RiskPoint.objects.count()

            content = self._timed("build .xlsx (openpyxl)", rows, lambda: _workbook(rows, communities))
            self.stdout.write(f"  file size {len(content) / 1024:,.0f} KiB")
            dataset = self._timed("read .xlsx", rows, lambda: read_xlsx(BytesIO(content)))
            dry = self._timed("dry run", rows, lambda: self._run(user, dataset, dry_run=True))
            self._check(dry, new=rows, assessed=rows)
            real = self._timed("import (+ one assessment a row)", rows, lambda: self._run(user, dataset, dry_run=False))
            self._check(real, new=rows, assessed=rows)
            if RiskPoint.objects.count() != before + rows:
                raise CommandError("the import did not write every row")
            resource = RiskResource(user=user)
            queryset = RiskResource.export_queryset(user).filter(name__startswith="测试风险点")
            exported = self._timed(
                "export .xlsx", rows, lambda: export_xlsx(resource, queryset, title="风险清单", fill=level_fill)
            )
            again = read_xlsx(BytesIO(exported))
            unchanged = self._timed(
                "re-import export (all unchanged)", rows, lambda: self._run(user, again, dry_run=True)
            )
            self._check(unchanged, unchanged=rows)
            if not keep:
                transaction.set_rollback(True)
        self.stdout.write("kept" if keep else "rolled back")

    def _check(self, report, new=0, updated=0, unchanged=0, assessed=0):
        if report.errors:
            raise CommandError(f"unexpected errors, first: {report.errors[0]}")
        counts = (report.new, report.updated, report.unchanged, report.assessed)
        if counts != (new, updated, unchanged, assessed):
            raise CommandError(f"unexpected counts (new, updated, unchanged, assessed): {counts}")
