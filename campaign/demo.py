"""Demo data on top of the plan: grids, inspection teams, sites, one user per
role, and a campaign period running today. scale_up() adds benchmark volumes."""

from __future__ import annotations

import base64
import datetime
import hashlib
import random
import time

from django.db import connection, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from campaign.demo_accidents import load_demo_figures
from campaign.demo_tasks import load_key_tasks
from campaign.models import Campaign, Target
from campaign.plan import DISTRICT_CODE, load_plan
from districts.demo import demo_staff
from districts.models import PRIVILEGED_ROLES, Membership, OrgUnit, Role, Sector, Site, User
from districts.second_factor import otp_device_install, totp_device
from districts.services import membership_create
from districts.structure import add_units
from districts.validators import ALPHABET, credit_code_check_char
from hazards.demo import load_hazards
from hazards.demo_history import PLAN_MAJORS, load_hazard_history

# Sent when load_demo() is done, with the demo campaign and today: apps above campaign
# (reporting) add their own demo data. Imports run one way, so they listen instead of being called.
demo_loaded = Signal()

# The demo's key-task stories (campaign.demo_tasks) span about a year; the plan's campaign, two.
PLAN_TASK_STRETCH = 2
# The plan's years on the ledger at half the demo year's finds a month: enough for their
# dashboards and summaries, and load_demo stays quick (every hazard is played through the services).
PLAN_HAZARD_DENSITY = 0.5

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
# The demo's reviewers and admins sign in with a second factor too: their authenticator
# secrets are fixed and printed (any TOTP app takes them), or `manage.py demo_code USERNAME`
# prints the code to type.
DEMO_TOTP_USERNAMES = [username for username, _name, _unit, role in DEMO_USERS if role in PRIVILEGED_ROLES]


def demo_totp_key(username: str) -> bytes | None:
    """The demo account's TOTP secret (20 bytes), the same on every machine; None if it has none."""
    if username not in DEMO_TOTP_USERNAMES:
        return None
    return hashlib.sha256(f"safety-city-demo-totp:{username}".encode()).digest()[:20]


def demo_totp_secret(username: str) -> str | None:
    """The secret as an authenticator app takes it (base32)."""
    key = demo_totp_key(username)
    return base64.b32encode(key).decode() if key else None


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


# Risk points a street keeps on its register, by the kind of site they sit at:
# (name, accident type, LEC inputs with controls, hazard factors, engineering measure).
RISK_TEMPLATES = {
    "hazardous_chemicals": (
        "卸油作业区",
        "fire",
        {"L": 1, "E": 6, "C": 40},
        "油气挥发、静电积聚",
        "油气回收装置、静电接地报警仪",
    ),
    "construction": ("深基坑支护", "collapse", {"L": 1, "E": 6, "C": 40}, "支护失稳、降水不畅", "基坑变形自动化监测"),
    "commerce_tourism": (
        "人员密集区域疏散通道",
        "other",
        {"L": 1, "E": 6, "C": 15},
        "节假日客流高峰",
        "客流监测、限流设施",
    ),
    "fire_safety": ("后厨燃气灶具", "fire", {"L": 3, "E": 6, "C": 7}, "燃气泄漏、油烟管道积油", "燃气泄漏报警切断装置"),
    "special_equipment": ("住宅电梯", "lifting", {"L": 1, "E": 6, "C": 15}, "维保不到位、困人", "电梯物联网监测"),
    "city_operation": (
        "燃气调压设施",
        "other_explosion",
        {"L": 0.5, "E": 6, "C": 40},
        "管道腐蚀、第三方破坏",
        "可燃气体探测、巡检",
    ),
    "road_traffic": ("客运车辆出车", "vehicle", {"L": 1, "E": 3, "C": 15}, "疲劳驾驶、超速", "动态监控、GPS限速"),
    "rental_housing": (
        "出租房电动自行车充电",
        "fire",
        {"L": 3, "E": 3, "C": 15},
        "违规充电、线路老化",
        "集中充电设施、烟感报警器",
    ),
}


WORSE_STREETS = {"330103001", "330103002", "330103008"}


def _demo_risks(*, by: User) -> int:
    """A register that looks lived-in: each demo site's typical risk, graded with LEC."""
    from risks.models import AssessmentMethod, RiskPoint
    from risks.services import Grade, risk_create, risks_assess

    if RiskPoint.objects.exists():
        return 0
    lec = AssessmentMethod.objects.get(code="lec")
    made = 0
    for site in Site.objects.select_related("unit__parent", "sector").order_by("id"):
        key = "rental_housing" if site.category == Site.Category.RENTAL_HOUSING else site.sector.code
        name, accident, inputs, factors, engineering = RISK_TEMPLATES[key]
        # In three streets some sites are worse than their kind, so that the map shows every
        # colour; graded control puts those under the district (a major risk is the district's).
        worse = dict(inputs, L=6) if made % 7 == 3 and site.unit.parent.code in WORSE_STREETS else inputs
        street = site.unit.parent if site.unit.kind == OrgUnit.Kind.COMMUNITY else site.unit
        risk = risk_create(
            by=by,
            name=f"{site.name.split('（')[0]}{name}",
            unit=site.unit,
            site=site,
            sector=site.sector,
            accident_type=accident,
            hazard_factors=factors,
            engineering_measures=engineering,
            management_measures="落实岗位安全责任制，定期检查并建立台账",
            emergency_measures="编制现场处置方案，每半年演练一次",
            responsible_unit=street.parent if worse is not inputs else street,
            responsible_person=site.legal_representative or "负责人",
        )
        # Inherent grade without controls, then the residual grade with them, in one call: the
        # risk's level (and so who must control it) is the residual one.
        risks_assess(
            by=by,
            grades=[
                Grade(risk, lec, dict(inputs, C=max(inputs["C"], 40)), "inherent"),
                Grade(risk, lec, worse, "residual"),
            ],
        )
        made += 1
    return made


# The register was drawn up in the first weeks of the plan's campaign (most of it), grown at the
# start of its second year and again when the demo campaign began (see register_rounds); each
# risk is then reviewed by its street as its level's cadence falls due, a few days early or a
# little late (the last review is recorded: risks.services.risk_review takes the day it was
# done), and now and then the review due lately is missed: overdue.
REGISTER_DAYS = 45
REVIEW_MISSED = 0.06
REVIEW_NOTES = ["管控措施落实到位，风险等级不变", "现场复核，警示标志和应急器材齐全", "复核管控责任人和应急处置卡"]


def _backdate_risk(risk, days: int) -> None:
    """Demo history, as hazards.demo._backdate tells a hazard's: the risk, added and graded through
    the services just now, is moved `days` back as a whole (added then, graded then, its next
    review due by its level's cadence from then)."""
    from risks.models import Assessment, RiskPoint

    shift = datetime.timedelta(days=days)
    RiskPoint.objects.filter(pk=risk.pk).update(
        created_at=F("created_at") - shift,
        updated_at=F("updated_at") - shift,
        next_review_on=F("next_review_on") - shift,
    )
    Assessment.objects.filter(risk=risk).update(assessed_at=F("assessed_at") - shift)


def register_rounds(plan: Campaign, demo: Campaign) -> list[tuple[datetime.date, float]]:
    """The days the register was drawn up or grown, each with its share of the risks: the plan's
    first day, its second year's, and the demo campaign's first day."""
    rounds = [(plan.starts_on, 0.55), (datetime.date(plan.starts_on.year + 1, 1, 1), 0.2), (demo.starts_on, 0.25)]
    return [(day, share) for day, share in rounds if day <= demo.starts_on]


def _demo_risk_reviews(*, rounds: list[tuple[datetime.date, float]], today: datetime.date) -> int:
    """The register's story since it was drawn up: each risk added within the first weeks of one
    of the `rounds` (by its share), then reviewed by its street (or community) as its reviews
    fell due. Added once: a register with a review is left as it is. Returns the reviews made."""
    from risks.models import ControlRule, Review, RiskPoint
    from risks.services import risk_review

    rounds = [(day, share) for day, share in rounds if day < today]
    if Review.objects.exists() or not rounds:
        return 0
    firsts, shares = zip(*rounds, strict=True)
    rng = random.Random(20260102)
    cadence = dict(ControlRule.objects.values_list("level", "review_every_days"))
    staff = {}
    made = 0
    risks = RiskPoint.objects.filter(status=RiskPoint.Status.ACTIVE).select_related(
        "unit__parent", "current_assessment"
    )
    for risk in risks.order_by("id"):
        since = rng.choices(firsts, shares)[0]
        added = min(since + datetime.timedelta(days=rng.randrange(REGISTER_DAYS)), today)
        days = (timezone.localdate(risk.created_at) - added).days
        if days > 0:
            _backdate_risk(risk, days)
            risk.refresh_from_db()  # a review saves the whole row: the dates as moved
        every = cadence.get(risk.current_assessment.level) if risk.current_assessment else None
        if not every:
            continue
        street = risk.unit.parent if risk.unit.kind == OrgUnit.Kind.COMMUNITY else risk.unit
        if street.pk not in staff:
            staff[street.pk] = demo_staff(street, [Role.STREET_STAFF])
        # The days its reviews fell due and were done, in turn; the last one is recorded (the
        # register shows when a risk was last reviewed and when it is next due).
        done, due = [], added + datetime.timedelta(days=every)
        while due < today:
            on = due + datetime.timedelta(days=rng.choice((-6, -3, -2, -1, 0, 0, 2, 5)))
            done.append(min(max(on, added + datetime.timedelta(days=1)), today - datetime.timedelta(days=1)))
            due = done[-1] + datetime.timedelta(days=every)
        if done and rng.random() < REVIEW_MISSED:
            done.pop()  # the review due lately was not done: overdue
        if done:
            risk_review(risk=risk, by=staff[street.pk], reviewed_on=done[-1], note=rng.choice(REVIEW_NOTES))
            made += 1
    return made


def _grids(communities, per_community: int) -> list[tuple[str, str, str, OrgUnit]]:
    return [
        (f"{c.code}-G{g:02d}", f"{c.name}第{g}网格", OrgUnit.Kind.GRID, c)
        for c in communities
        for g in range(1, per_community + 1)
    ]


@transaction.atomic
def load_demo(*, today: datetime.date | None = None) -> list[tuple[str, str, str]]:
    """Idempotent. Returns (username, role, unit) for each demo login (demo_totp_secret() gives
    the second factor of those that need one)."""
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
    add_units(_grids(communities, GRIDS_PER_COMMUNITY))

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
    admin = None
    for username, full_name, unit_code, role in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        unit = OrgUnit.objects.get(code=unit_code)
        if not Membership.objects.filter(user=user, unit=unit, role=role).exists():
            # Through the service, so that the demo holds to the three-role rule too.
            membership_create(user=user, unit=unit, role=role)
        key = demo_totp_key(username)
        if key and getattr(totp_device(user), "key", None) != key.hex():
            otp_device_install(user=user, key_hex=key.hex())
        logins.append((username, Role(role).label, unit.name))
        if role == Role.SYSTEM_ADMIN:
            admin = user
    _demo_risks(by=admin)
    _demo_risk_reviews(rounds=register_rounds(plan, demo), today=today)
    # The plan's campaign (2019—2020), finished: its hazards month by month, every one closed,
    # and its key tasks told as they stood on its last day (the demo's stories over its two years).
    # Before the demo campaign's, so that the hazards' numbers run with the dates.
    load_hazard_history(
        since=plan.starts_on, until=plan.ends_on, majors=PLAN_MAJORS, seed=20190214, density=PLAN_HAZARD_DENSITY
    )
    load_key_tasks(campaign=plan, today=min(plan.ends_on, today), stretch=PLAN_TASK_STRETCH)
    # The campaign's hazards so far, month by month; then the showcase of every state, found lately.
    load_hazard_history(since=demo.starts_on)
    load_hazards()
    load_key_tasks(campaign=demo, today=today)
    # The office records the register's figures, as it would (campaign.services.accidents).
    load_demo_figures(district=district, today=today, by=User.objects.get(username="office"))
    # `finished`: the campaigns whose history the demo tells too (reporting files their reports,
    # oversight makes their years' summaries).
    finished = [plan] if plan.ends_on < today else []
    demo_loaded.send(sender=load_demo, campaign=demo, today=today, finished=finished)
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
        new_communities = add_units(rows)
        new_grids = add_units(_grids(OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY), grids_per_community))
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
