"""Demo data on top of the plan: grids, inspection teams, sites, one user per
role, and a campaign period running today. scale_up() adds benchmark volumes."""

from __future__ import annotations

import datetime
import random
import time

from django.db import connection, transaction
from django.utils import timezone

from campaign.models import Campaign, Target
from campaign.plan import DISTRICT_CODE, load_plan
from districts.models import Membership, OrgUnit, Role, Sector, Site, User
from districts.validators import ALPHABET, credit_code_check_char

DEMO_PASSWORD = "demo-2026-safety"  # noqa: S105 (printed to every demo user on purpose)

# username, full name, unit code, role
DEMO_USERS = [
    ("wulin", "武林街道 王芳", "330103002", Role.STREET_STAFF),
    ("tianshui", "天水街道 李强", "330103003", Role.STREET_STAFF),
    ("grid", "中北社区 张敏", "330103002051", Role.COMMUNITY_STAFF),
    ("yingji", "区应急管理局 陈刚", "330103-YJJ", Role.DEPARTMENT_STAFF),
    ("inspector", "第一巡查组 刘洋", "330103-XCZ1", Role.INSPECTOR),
    ("office", "区创建办 赵静", "330103-CJB", Role.REVIEWER),
    ("leader", "领导小组 孙伟", "330103-LDXZ", Role.LEADER),
    ("sysadmin", "系统管理员", DISTRICT_CODE, Role.SYSTEM_ADMIN),
    ("secadmin", "安全管理员", DISTRICT_CODE, Role.SECURITY_ADMIN),
    ("auditor", "审计管理员", DISTRICT_CODE, Role.AUDIT_ADMIN),
]
TEAMS = [
    ("330103-XCZ1", "第一专项巡查组", ["330103001", "330103002", "330103003", "330103005"]),
    ("330103-XCZ2", "第二专项巡查组", ["330103006", "330103007", "330103008", "330103009"]),
]
GRIDS_PER_COMMUNITY = 2
SITES_PER_COMMUNITY = 3
SITE_KINDS = [
    ("加油站", "hazardous_chemicals", Site.Category.ENTERPRISE),
    ("建设工程项目部", "construction", Site.Category.CONSTRUCTION_SITE),
    ("商场", "commerce_tourism", Site.Category.CROWDED_PLACE),
    ("餐饮店", "fire_safety", Site.Category.THREE_IN_ONE),
    ("物业服务中心", "special_equipment", Site.Category.ENTERPRISE),
    ("燃气供应站", "city_operation", Site.Category.ENTERPRISE),
    ("客运公司", "road_traffic", Site.Category.ENTERPRISE),
    ("出租公寓", "fire_safety", Site.Category.RENTAL_HOUSING),
]
TRADE_NAMES = [
    "安顺",
    "恒泰",
    "明远",
    "新华",
    "和平",
    "东方",
    "嘉禾",
    "华锦",
    "瑞丰",
    "永盛",
    "德信",
    "天成",
    "宏达",
    "金桥",
    "诚信",
    "同心",
]


def credit_code(rng: random.Random, division: str = "330103") -> str:
    body = "91" + division[:6] + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + credit_code_check_char(body)


def _site(rng, unit, sectors, n) -> Site:
    kind, sector_code, category = SITE_KINDS[n % len(SITE_KINDS)]
    trade = TRADE_NAMES[(n // len(SITE_KINDS)) % len(TRADE_NAMES)]
    return Site(
        name=f"杭州{trade}{kind}（{unit.name}{n + 1}号）",
        credit_code=credit_code(rng),
        unit=unit,
        sector=sectors[sector_code],
        category=category,
        address=f"杭州市下城区{unit.name}{rng.randint(1, 300)}号",
        legal_representative=rng.choice("王李张刘陈杨赵黄周吴")
        + rng.choice(["建国", "丽华", "志强", "秀英", "伟", "敏"]),
        contact_phone=f"13{rng.randint(100000000, 999999999)}",
        is_major_hazard_source=(sector_code == "hazardous_chemicals" and n % 3 == 0),
    )


def _add_units(rows: list[tuple[str, str, str, OrgUnit]]) -> int:
    """Bulk-insert (code, name, kind, parent) rows not yet in the tree, then renumber the tree once."""
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


def _grids(communities, per_community: int) -> list[tuple[str, str, str, OrgUnit]]:
    return [
        (f"{c.code}-G{g:02d}", f"{c.name}第{g}网格", OrgUnit.Kind.GRID, c)
        for c in communities
        for g in range(1, per_community + 1)
    ]


@transaction.atomic
def load_demo(*, today: datetime.date | None = None) -> list[tuple[str, str, str]]:
    """Idempotent. Returns (username, role, unit) for each demo login."""
    today = today or timezone.localdate()
    plan = load_plan()
    district = OrgUnit.objects.get(code=DISTRICT_CODE)
    rng = random.Random(20190214)
    sectors = {s.code: s for s in Sector.objects.all()}

    for code, name, assigned in TEAMS:
        team, _ = OrgUnit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": OrgUnit.Kind.TEAM, "parent": district}
        )
        team.assigned_units.set(OrgUnit.objects.filter(code__in=assigned))

    communities = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY, parent__parent=district).order_by("code"))
    _add_units(_grids(communities, GRIDS_PER_COMMUNITY))

    if not Site.objects.filter(unit__tree_id=district.tree_id).exists():
        sites = [
            _site(rng, c, sectors, i * SITES_PER_COMMUNITY + j)
            for i, c in enumerate(communities)
            for j in range(SITES_PER_COMMUNITY)
        ]
        Site.objects.bulk_create(sites)

    # A campaign period running today, so that the demo's calendars are live.
    start = datetime.date(today.year, 1, 1)
    demo, _ = Campaign.objects.update_or_create(
        name=f"下城区创建国家安全发展示范城市（{start.year}—{start.year + 1}年 演示）",
        defaults={
            "district": district,
            "starts_on": start,
            "ends_on": datetime.date(start.year + 1, 12, 31),
            "baseline_year": plan.baseline_year,
            "document": plan.document,
        },
    )
    for t in plan.targets.all():
        Target.objects.update_or_create(
            campaign=demo, indicator=t.indicator, defaults={"kind": t.kind, "value": t.value}
        )

    logins = []
    for username, full_name, unit_code, role in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        unit = OrgUnit.objects.get(code=unit_code)
        Membership.objects.get_or_create(user=user, unit=unit, role=role)
        logins.append((username, Role(role).label, unit.name))
    return logins


def scale_up(*, communities: int = 180, sites: int = 50_000, grids_per_community: int = 4, out=print) -> dict:
    """Add synthetic communities, grids and sites up to the given totals, with bulk inserts."""
    rng = random.Random(50_000)
    district = OrgUnit.objects.get(code=DISTRICT_CODE)
    streets = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.STREET, parent=district).order_by("code"))
    sectors = {s.code: s for s in Sector.objects.all()}
    figures = {}

    started = time.perf_counter()
    have = OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY).count()
    rows = []
    for i in range(have, communities):
        street = streets[i % len(streets)]
        code = f"{street.code}9{i:02d}" if i < 100 else f"{street.code}X{i:03d}"
        rows.append((code, f"{street.name.removesuffix('街道')}第{i}社区", OrgUnit.Kind.COMMUNITY, street))
    with transaction.atomic():
        new_communities = _add_units(rows)
        new_grids = _add_units(_grids(OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY), grids_per_community))
    figures["units_seconds"] = time.perf_counter() - started
    out(f"org units: +{new_communities} communities, +{new_grids} grids in {figures['units_seconds']:.1f} s")

    started = time.perf_counter()
    places = list(OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.GRID]))
    existing = Site.objects.count()
    batch, created = [], 0
    for n in range(existing, sites):
        batch.append(_site(rng, places[n % len(places)], sectors, n))
        if len(batch) == 5000:
            Site.objects.bulk_create(batch)
            created += len(batch)
            batch = []
    Site.objects.bulk_create(batch)
    created += len(batch)
    figures["sites_seconds"] = time.perf_counter() - started
    figures["sites_per_second"] = created / figures["sites_seconds"] if created else 0
    out(f"sites: +{created} in {figures['sites_seconds']:.1f} s ({figures['sites_per_second']:.0f} rows/s)")
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner takes 50,000 sites for a handful.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE districts_orgunit, districts_site")
    figures["communities"] = OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY).count()
    figures["sites"] = Site.objects.count()
    return figures
