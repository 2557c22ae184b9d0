"""Helpers for the spreadsheet import tests: build workbooks, run imports, check the tree."""

import csv
from io import BytesIO

from openpyxl import Workbook

from campaign.lib.xlsx.files import read_xlsx
from campaign.lib.xlsx.runner import run_import
from districts.models import OrgUnit, Site
from districts.resources import OrgUnitResource, SiteResource
from districts.structure import DIVISIONS_CSV
from districts.validators import credit_code_check_char

UNIT_HEADERS = ["编码", "名称", "类型", "上级编码"]
SITE_HEADERS = ["名称", "统一社会信用代码", "所属单位编码", "重点领域", "场所类别", "重大危险源"]


def xlsx(headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def division_rows() -> list[list]:
    """The 2020 division file as Excel keeps it once saved as .xlsx: codes become numbers."""
    with DIVISIONS_CSV.open(encoding="utf-8") as f:
        return [[r["level"], int(r["code"]), r["name"], int(r["parent_code"])] for r in csv.DictReader(f)]


def division_xlsx(rows=None) -> bytes:
    return xlsx(["level", "code", "name", "parent_code"], division_rows() if rows is None else rows)


def import_units(user, content, *, dry_run=False):
    return run_import(OrgUnitResource(user=user), read_xlsx(BytesIO(content)), dry_run=dry_run)


def import_sites(user, content, *, dry_run=False):
    return run_import(SiteResource(user=user), read_xlsx(BytesIO(content)), dry_run=dry_run)


def credit_code(n: int) -> str:
    body = f"91330103{n:09d}"
    return body + credit_code_check_char(body)


def counts():
    return (
        OrgUnit.objects.count(),
        OrgUnit.history.count(),
        Site.objects.count(),
        Site.history.count(),
    )


def assert_tree_consistent():
    """Every unit's MPTT range holds exactly its descendants by parent link, at the right level."""
    units = list(OrgUnit.objects.all())
    children: dict[int | None, list[OrgUnit]] = {}
    for u in units:
        children.setdefault(u.parent_id, []).append(u)

    def linked(u, depth):
        assert u.level == depth, u.code
        found = set()
        for child in children.get(u.pk, []):
            found |= {child.pk} | linked(child, depth + 1)
        ranged = {v.pk for v in units if v.tree_id == u.tree_id and u.lft < v.lft and v.rght < u.rght}
        assert ranged == found, u.code
        return found

    for root in children[None]:
        linked(root, 0)
