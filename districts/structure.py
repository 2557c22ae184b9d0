"""Xiacheng's structure as the plan has it: the city, the district with its streets and
communities (the 2020 statistical divisions), the creation office and leading group, the seven
sectors and their lead departments.

load_district() puts it in the database and can run any number of times: every row is found
by its code and brought back to what the plan says. The campaign itself (its period and
targets) is campaign.plan's.
"""

import csv
from pathlib import Path

from django.db import transaction

from districts.models import OrgUnit, Sector, SectorLead

DIVISIONS_CSV = Path(__file__).resolve().parent / "data" / "xiacheng-divisions-2020.csv"
CITY = ("330100", "杭州市")
DISTRICT_CODE = "330103"

# The seven priority sectors in the order of section 4 of the plan, each with
# the district department that leads it. The plan names no lead departments:
# these are the departments that held each remit in Xiacheng in 2019.
SECTORS = [
    ("construction", "建设施工", "Construction", ("330103-ZJJ", "区住房和城市建设局")),
    ("hazardous_chemicals", "危险化学品", "Hazardous chemicals", ("330103-YJJ", "区应急管理局")),
    ("fire_safety", "消防安全", "Fire safety", ("330103-XFJY", "区消防救援大队")),
    ("road_traffic", "道路交通", "Road traffic", ("330103-JJDD", "区交警大队")),
    ("special_equipment", "特种设备", "Special equipment", ("330103-SJJ", "区市场监督管理局")),
    ("city_operation", "城市运行", "City operation", ("330103-CGJ", "区城市管理局")),
    ("commerce_tourism", "商贸旅游", "Commerce and tourism", ("330103-SWJ", "区商务局")),
]
# The bodies the plan sets up in section 5(1).
OFFICE = ("330103-CJB", "区创建办", OrgUnit.Kind.OFFICE)
LEADING_GROUP = ("330103-LDXZ", "区创建工作领导小组", OrgUnit.Kind.LEADING_GROUP)

KIND_BY_LEVEL = {"district": OrgUnit.Kind.DISTRICT, "street": OrgUnit.Kind.STREET, "community": OrgUnit.Kind.COMMUNITY}


def _unit(code: str, name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        return OrgUnit.objects.create(code=code, name=name, kind=kind, parent=parent)
    if (unit.name, unit.kind, unit.parent_id) != (name, kind, parent.pk if parent else None):
        unit.name, unit.kind, unit.parent = name, kind, parent
        unit.save()
    return unit


def division_rows() -> list[dict]:
    with DIVISIONS_CSV.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@transaction.atomic
def load_district() -> OrgUnit:
    """The district, with everything above and in it that the plan names."""
    city = _unit(*CITY, OrgUnit.Kind.CITY, None)
    units = {city.code: city}
    for row in division_rows():
        units[row["code"]] = _unit(row["code"], row["name"], KIND_BY_LEVEL[row["level"]], units[row["parent_code"]])
    district = units[DISTRICT_CODE]
    for code, name, kind in (OFFICE, LEADING_GROUP):
        _unit(code, name, kind, district)
    for order, (code, name, name_en, (dept_code, dept_name)) in enumerate(SECTORS, start=1):
        sector, _ = Sector.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order}
        )
        department = _unit(dept_code, dept_name, OrgUnit.Kind.DEPARTMENT, district)
        SectorLead.objects.update_or_create(district=district, sector=sector, defaults={"department": department})
    return district
