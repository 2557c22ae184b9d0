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
# Hangzhou as it stood in 2020: its 13 districts and county-level units and their 196
# township-level units (街道, 镇, 乡: `street`), with NBS statistical codes; no communities.
CITY_CSV = Path(__file__).resolve().parent / "data" / "hangzhou-streets-2020.csv"
CITY = ("330100", "杭州市")
# The city's own bodies, beside its districts: they see every district.
CITY_OFFICE = ("330100-CJB", "市创建办", OrgUnit.Kind.OFFICE)
CITY_LEADING_GROUP = ("330100-LDXZ", "市创建工作领导小组", OrgUnit.Kind.LEADING_GROUP)
# Communities in the whole city: the districts other than Xiacheng ship no list, so theirs are
# generated with plausible codes (<street code><3 digits>: 001… for a street's 社区, 201… for a
# town's 村, as the statistical codes number them).
CITY_COMMUNITIES = 3000
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


def division_rows(path: Path = DIVISIONS_CSV) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def add_units(rows: list[tuple[str, str, str, OrgUnit]]) -> int:
    """Bulk-insert (code, name, kind, parent) rows not yet in the tree, then renumber the tree
    once: thousands of units in seconds, where one save each shifts the whole tree each time."""
    have = set(OrgUnit.objects.filter(code__in=[r[0] for r in rows]).values_list("code", flat=True))
    new = [
        # Tree fields are placeholders until rebuild() renumbers the whole tree.
        OrgUnit(code=code, name=name, kind=kind, parent=parent, tree_id=0, lft=0, rght=0, level=0)
        for code, name, kind, parent in rows
        if code not in have
    ]
    if new:
        with OrgUnit.objects.disable_mptt_updates():
            OrgUnit.objects.bulk_create(new, batch_size=2000)
        OrgUnit.objects.rebuild()
    return len(new)


def _district_bodies(district: OrgUnit, *, own_names: bool) -> None:
    """A district's creation office, leading group and the departments leading the sectors.
    `own_names`: named after the district ("上城区创建办"), as beside other districts; Xiacheng's
    plan calls its own "区创建办"."""
    prefix = district.name if own_names else "区"
    code = district.code
    for body_code, name, kind in (OFFICE, LEADING_GROUP):
        _unit(f"{code}-{body_code.split('-')[1]}", f"{prefix}{name.removeprefix('区')}", kind, district)
    for order, (sector_code, name, name_en, (dept_code, dept_name)) in enumerate(SECTORS, start=1):
        sector, _ = Sector.objects.update_or_create(
            code=sector_code, defaults={"name": name, "name_en": name_en, "order": order}
        )
        department = _unit(
            f"{code}-{dept_code.split('-')[1]}",
            f"{prefix}{dept_name.removeprefix('区')}",
            OrgUnit.Kind.DEPARTMENT,
            district,
        )
        SectorLead.objects.update_or_create(district=district, sector=sector, defaults={"department": department})


def _community_rows(street: OrgUnit, count: int) -> list[tuple[str, str, str, OrgUnit]]:
    town = not street.name.endswith("街道")
    short = street.name.removesuffix("街道")
    first, noun = (201, "村") if town else (1, "社区")
    return [
        (f"{street.code}{first + n:03d}", f"{short}第{n + 1}{noun}", OrgUnit.Kind.COMMUNITY, street)
        for n in range(count)
    ]


@transaction.atomic
def load_city(communities: int = CITY_COMMUNITIES) -> OrgUnit:
    """Hangzhou as it stood in 2020 around Xiacheng: the city with its office and leading group,
    its 13 districts with theirs and their sector departments, their 196 township-level units,
    and about `communities` communities in all (Xiacheng's 75 as listed, the rest generated).
    Idempotent, like load_district; run after it."""
    city = OrgUnit.objects.get(code=CITY[0])
    for code, name, kind in (CITY_OFFICE, CITY_LEADING_GROUP):
        _unit(code, name, kind, city)
    rows = [row for row in division_rows(CITY_CSV) if row["level"] in ("district", "street")]
    units = {city.code: city} | {u.code: u for u in OrgUnit.objects.filter(code__in=[r["code"] for r in rows])}
    add_units(
        [(r["code"], r["name"], OrgUnit.Kind.DISTRICT, city) for r in rows if r["level"] == "district"]
    )
    units |= {u.code: u for u in OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT, parent=city)}
    add_units(
        [(r["code"], r["name"], OrgUnit.Kind.STREET, units[r["parent_code"]]) for r in rows if r["level"] == "street"]
    )
    districts = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT, parent=city).order_by("code"))
    for district in districts:
        if district.code != DISTRICT_CODE:
            _district_bodies(district, own_names=True)
    # Streets that have no communities yet share what is left of `communities`, evenly.
    streets = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.STREET, parent__in=districts).order_by("code"))
    with_communities = set(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY, parent__in=streets).values_list("parent_id", flat=True)
    )
    bare = [s for s in streets if s.pk not in with_communities]
    left = max(0, communities - OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY, parent__in=streets).count())
    per, extra = divmod(left, len(bare)) if bare else (0, 0)
    add_units([row for i, s in enumerate(bare) for row in _community_rows(s, per + (1 if i < extra else 0))])
    return city


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
