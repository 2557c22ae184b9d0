"""Time the spreadsheet import of sites at volume: build an .xlsx of N rows,
read it, dry-run it, import it, import it again (every row unchanged), and
export what was imported. Everything is rolled back unless --keep is given."""

import time
import uuid
from io import BytesIO

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from openpyxl import Workbook

from campaign.lib.xlsx.files import export_xlsx, read_xlsx
from campaign.lib.xlsx.runner import run_import
from campaign.plan import load_plan
from districts.models import OrgUnit, Sector, Site, User
from districts.resources import CATEGORY_LABELS, SiteResource
from districts.validators import credit_code_check_char


def _credit_code(n: int) -> str:
    # Organisation type 2 (unlike the demo's 91...): no clash with demo sites.
    body = f"92330103{n:09d}"
    return body + credit_code_check_char(body)


def _workbook(rows: int, units, sectors, *, street_no: int = 1) -> bytes:
    categories = [labels[0] for labels in CATEGORY_LABELS.values()]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("场所")
    sheet.append(["名称", "统一社会信用代码", "所属单位编码", "重点领域", "场所类别", "地址", "联系电话", "重大危险源"])
    for n in range(rows):
        unit = units[n % len(units)]
        sheet.append(
            [
                f"测试场所{n + 1:05d}（{unit.name}）",
                _credit_code(n),
                int(unit.code) if unit.code.isdigit() else unit.code,
                sectors[n % len(sectors)].name,
                categories[n % len(categories)],
                f"{unit.name}测试路{n % 300 + street_no}号",
                13800000000 + n,
                "是" if n % 50 == 0 else "否",
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Time dry run, import and re-import of N generated site rows from .xlsx (rolled back unless --keep)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--keep", action="store_true", help="Keep the imported sites.")

    def _timed(self, label, rows, fn):
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
        self.stdout.write(f"{label:<28} {seconds:7.2f} s  {rows / seconds:9,.0f} rows/s")
        return result

    def handle(self, *args, rows, keep, **options):
        self.stdout.write(f"{rows:,} site rows on {connection.vendor} ({connection.settings_dict['NAME']})")
        with transaction.atomic():
            load_plan()
            user = User.objects.create_user(username=f"bench-{uuid.uuid4().hex[:8]}", is_superuser=True)
            units = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY).order_by("code"))
            sectors = list(Sector.objects.order_by("order"))
            before = Site.objects.count()

            content = self._timed("build .xlsx (openpyxl)", rows, lambda: _workbook(rows, units, sectors))
            self.stdout.write(f"  file size {len(content) / 1024:,.0f} KiB")
            dataset = self._timed("read .xlsx", rows, lambda: read_xlsx(BytesIO(content)))
            dry = self._timed("dry run", rows, lambda: run_import(SiteResource(user=user), dataset, dry_run=True))
            self._check(dry, new=rows)
            real = self._timed("import", rows, lambda: run_import(SiteResource(user=user), dataset, dry_run=False))
            self._check(real, new=rows)
            if Site.objects.count() != before + rows:
                raise CommandError("the import did not write every row")
            again = self._timed(
                "re-import (all unchanged)", rows, lambda: run_import(SiteResource(user=user), dataset, dry_run=True)
            )
            self._check(again, unchanged=rows)
            changed = read_xlsx(BytesIO(_workbook(rows, units, sectors, street_no=2)))
            updated = self._timed(
                "import, every row changed", rows, lambda: run_import(SiteResource(user=user), changed, dry_run=False)
            )
            self._check(updated, updated=rows)
            resource = SiteResource(user=user)
            queryset = SiteResource.export_queryset(user).filter(credit_code__startswith="92330103")
            self._timed("export .xlsx", rows, lambda: export_xlsx(resource, queryset, title="场所"))
            if not keep:
                transaction.set_rollback(True)
        self.stdout.write("kept" if keep else "rolled back")

    def _check(self, report, new=0, updated=0, unchanged=0):
        if report.errors:
            raise CommandError(f"unexpected errors, first: {report.errors[0]}")
        if (report.new, report.updated, report.unchanged) != (new, updated, unchanged):
            raise CommandError(f"unexpected counts: {report.new} new, {report.updated} updated, {report.unchanged}")
