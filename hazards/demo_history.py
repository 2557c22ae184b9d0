"""The demo campaign's hazards so far, month by month: what the inspection teams, the grid
patrols and the sites' own checks found in every street and community since the campaign
began, and what became of it — most rectified and closed on time, some late, a few still open
and some of those overdue, and two major hazards listed for supervision (one closed). Each
story is played through the services by the person whose step it is and moved back to when it
happened, the way hazards.demo moves its showcase hazards (hazards.demo._backdate).

Deterministic (a seeded random), and added once: a ledger that already holds the history is
left as it is."""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import random
from decimal import Decimal
from functools import cache

from django.utils import timezone

from campaign.lib.deadlines import DEADLINE_TZ, deadline_today
from districts.demo import demo_staff
from districts.models import OrgUnit, Role, Site, User
from hazards import services
from hazards.demo import _backdate, demo_photo
from hazards.models import Grade, Hazard, Source

# What is found at each sector's sites, and how it is usually found.
FINDINGS = {
    "construction": [
        ("脚手架连墙件缺失", Source.INSPECTION),
        ("施工升降机防坠安全器超期未检", Source.INSPECTION),
        ("施工现场临时用电未做到一机一闸一漏", Source.SELF_CHECK),
        ("塔吊力矩限制器失灵", Source.SUPERVISION),
        ("高处作业人员未系安全带", Source.PATROL),
    ],
    "hazardous_chemicals": [
        ("危化品仓库通风设施损坏", Source.INSPECTION),
        ("加油机静电接地线断开", Source.SELF_CHECK),
        ("可燃气体报警器超期未检测", Source.INSPECTION),
        ("危化品出入库台账不全", Source.SUPERVISION),
    ],
    "fire_safety": [
        ("室内消火栓箱内水带缺失", Source.PATROL),
        ("安全出口上锁", Source.INSPECTION),
        ("电气线路私拉乱接", Source.PATROL),
        ("常闭式防火门闭门器损坏", Source.SELF_CHECK),
        ("应急照明灯不亮", Source.INSPECTION),
        ("楼道内堆放可燃杂物", Source.PUBLIC_REPORT),
    ],
    "road_traffic": [
        ("交通标志被行道树遮挡", Source.PATROL),
        ("客运车辆动态监控终端离线", Source.SUPERVISION),
        ("人行横道标线磨损不清", Source.INSPECTION),
        ("占道施工未设置警示标志", Source.PUBLIC_REPORT),
    ],
    "special_equipment": [
        ("电梯定期检验超期", Source.INSPECTION),
        ("压力容器安全阀未按期校验", Source.SUPERVISION),
        ("叉车司机无证操作", Source.INSPECTION),
        ("电梯轿厢应急呼叫装置失效", Source.PUBLIC_REPORT),
    ],
    "city_operation": [
        ("燃气调压箱锈蚀", Source.PATROL),
        ("窨井盖破损缺失", Source.PUBLIC_REPORT),
        ("户外广告牌固定件锈蚀松动", Source.INSPECTION),
        ("燃气管道私自改装", Source.PATROL),
    ],
    "commerce_tourism": [
        ("商场疏散通道被货架占用", Source.INSPECTION),
        ("餐饮店燃气软管老化", Source.PATROL),
        ("超市冷库门未设内开装置", Source.SELF_CHECK),
        ("商场自动扶梯防夹装置缺失", Source.INSPECTION),
    ],
}
RECTIFIED = {
    Source.INSPECTION: "已按检查组要求整改完毕，整改前后照片已上传",
    Source.SUPERVISION: "已按督查意见整改到位，相关台账已补齐",
    Source.PATROL: "网格员督促整改，现场已整改完毕",
    Source.SELF_CHECK: "单位自查发现后立即整改完毕",
    Source.PUBLIC_REPORT: "接群众举报后现场核实并整改完毕",
}
# A month's share of the year's finds: the campaign's first sweep in March and April, the
# safety month (安全生产月) in June, the year-end check (岁末年初大检查) from November.
MONTH_WEIGHT = {1: 0.8, 2: 0.5, 3: 1.3, 4: 1.4, 5: 1.1, 6: 1.6, 7: 1.0, 8: 0.9, 9: 1.1, 10: 0.8, 11: 1.3, 12: 1.4}
# Hazards found a month in a community, on average (a street's count grows with its communities).
PER_COMMUNITY = 0.14
# Days given to rectify a general hazard.
LIMITS = (7, 10, 15, 15, 20, 30)
# Who answers for rectification in each street (the demo logins' own names where there is one).
RESPONSIBLE = {
    "330103001": "周建华",
    "330103002": "王芳",
    "330103003": "李强",
    "330103005": "吴丽娟",
    "330103006": "郑国强",
    "330103007": "孙晓燕",
    "330103008": "钱志明",
    "330103009": "冯秀兰",
}
# Streets where the latest hazard whose deadline passed a while ago is still under
# rectification, whatever the dice say: the ledger always has some overdue (the showcase's are
# in 武林 and 天水).
STUBBORN_STREETS = ("330103001", "330103006", "330103008", "330103009")
TEAM_OF = {
    "330103-XCZ1": ("330103001", "330103002", "330103003", "330103005"),
    "330103-XCZ2": ("330103006", "330103007", "330103008", "330103009"),
}


@dataclasses.dataclass(frozen=True)
class Major:
    """A major hazard listed for supervision: in which street, at which sector's site, what, when
    found (days after the campaign began), the days it was given, and whether it was closed."""

    street: str
    sector: str
    title: str
    found: int
    limit: int
    closed: bool


MAJORS = [
    Major("330103008", "construction", "深基坑支护结构水平位移超过报警值", 200, 45, True),
    Major("330103006", "hazardous_chemicals", "危化品仓库超量储存且防火间距不足", 305, 60, False),
]
# The plan's campaign (2019—2020), finished: its listed major hazards were all closed.
PLAN_MAJORS = [
    Major("330103001", "city_operation", "燃气调压站安全间距不足且泄漏报警失效", 120, 60, True),
    Major("330103008", "construction", "深基坑支护结构水平位移超过报警值", 390, 45, True),
    Major("330103006", "hazardous_chemicals", "危化品仓库超量储存且防火间距不足", 560, 60, True),
]


@dataclasses.dataclass(frozen=True)
class Story:
    """One hazard and what became of it, in days after it was found: assigned, reported
    rectified, closed (None: not yet)."""

    found: datetime.date
    place: OrgUnit
    site: Site
    title: str
    source: str
    limit: int  # its deadline, in days after it was found
    assigned: int | None
    rectified: int | None
    closed: int | None


def _fate(rng: random.Random, found: datetime.date, limit: int, today: datetime.date, *, settled: bool = False):
    """(assigned, rectified, closed) in days after the find, never today or later. `settled`: a
    finished campaign's hazard, closed long ago (on time or late), never left open."""
    age = (today - found).days
    if age < 2:
        return None, None, None  # found yesterday or today: not assigned yet
    assigned = 1
    past_deadline = limit < age
    roll = rng.random()
    if past_deadline:
        # Most closed on time; some late (some weeks late: the month's end finds them overdue); a
        # few still under rectification, overdue, fewer the longer ago they were found.
        overdue = 0 if settled else 0.08 if age <= 60 else 0.03 if age <= 150 else 0.01
        if roll < overdue:
            return assigned, None, None
        if roll < overdue + 0.15 and limit + 2 < age - 1:
            rectified = min(limit + rng.randint(2, 35), age - 2)  # late
        else:
            rectified = rng.randint(2, limit - 1)  # on time, a day to spare at least
        if rng.random() < 0.05 and age - rectified < 10:
            return assigned, rectified, None  # awaiting verification
        return assigned, rectified, min(rectified + rng.randint(1, 3), age - 1)
    # Still within its deadline: some done and verified already, some waiting, the rest at work.
    if roll < 0.30 and age > 3:
        rectified = rng.randint(2, age - 2)
        return assigned, rectified, rectified + 1
    if roll < 0.45 and age > 2:
        return assigned, rng.randint(2, age - 1), None
    return assigned, None, None


def _stories(
    today: datetime.date, since: datetime.date, rng: random.Random, until: datetime.date, density: float = 1
) -> list[Story]:
    """Found from `since` to `until` (today, or a finished campaign's last day), `density` times
    the usual number a month."""
    settled = until < today
    streets = list(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.STREET, code__in=sum(TEAM_OF.values(), ())).order_by("code")
    )
    sites = {}
    for site in Site.objects.filter(unit__parent__in=streets).select_related("sector").order_by("pk"):
        sites.setdefault(site.unit_id, []).append(site)
    stories = []
    for street in streets:
        communities = [
            c
            for c in OrgUnit.objects.filter(parent=street, kind=OrgUnit.Kind.COMMUNITY).order_by("code")
            if c.pk in sites
        ]
        if not communities:
            continue
        turn = rng.randrange(len(communities))  # each community in turn: every one finds some
        month = since.replace(day=1)
        while month <= until:
            days = calendar.monthrange(month.year, month.month)[1]
            last = min(days, (until - month).days + 1)  # this month: up to today (or the last day)
            expected = density * PER_COMMUNITY * len(communities) * MONTH_WEIGHT[month.month] * last / days
            count = int(expected) + (rng.random() < expected - int(expected))
            for _ in range(count):
                place = communities[turn % len(communities)]
                turn += 1
                site = rng.choice(sites[place.pk])
                title, source = rng.choice(FINDINGS[site.sector.code])
                found = max(month + datetime.timedelta(days=rng.randrange(last)), since)
                limit = rng.choice(LIMITS)
                fate = _fate(rng, found, limit, today, settled=settled)
                stories.append(Story(found, place, site, title, source, limit, *fate))
            month = (month + datetime.timedelta(days=32)).replace(day=1)
    for code in () if settled else STUBBORN_STREETS:
        late = [
            s for s in stories if s.place.parent.code == code and s.found + datetime.timedelta(days=s.limit + 5) < today
        ]
        if late:
            stubborn = max(late, key=lambda s: (s.found + datetime.timedelta(days=s.limit), s.found))
            stories[stories.index(stubborn)] = dataclasses.replace(stubborn, assigned=1, rectified=None, closed=None)
    return sorted(stories, key=lambda s: (s.found, s.place.code))


@cache
def _photo(kind: str, label: str):
    return demo_photo(label, kind)


def _people() -> dict:
    """Who acts: each team's inspector (the demo login for the first), each street's staff."""
    people = {}
    for team_code, streets in TEAM_OF.items():
        team = OrgUnit.objects.get(code=team_code)
        inspector = demo_staff(team, [Role.INSPECTOR])
        for street in OrgUnit.objects.filter(code__in=streets):
            people[street.code] = (inspector, demo_staff(street, [Role.STREET_STAFF]))
    return people


def _assign(hazard: Hazard, story: Story, inspector: User, staff: User, today: datetime.date) -> Hazard:
    return services.hazard_assign(
        hazard=hazard,
        by=inspector,
        responsible_unit=story.place.parent,
        responsible_person=RESPONSIBLE.get(story.place.parent.code, "负责人"),
        responsible_phone="0571-85000000",
        # `limit` days after the find, once the story is moved back to the day it was found.
        deadline=today + datetime.timedelta(days=story.limit),
        measures="按照相关标准限期整改，整改完成后上传照片",
    )


def _rectify(hazard: Hazard, story: Story, staff: User) -> Hazard:
    return services.hazard_submit(
        hazard=hazard, by=staff, rectification=RECTIFIED[story.source], photos=[_photo("after", story.site.sector.code)]
    )


def _report(story: Story, by: User, grade: str = Grade.GENERAL) -> Hazard:
    # Found on its day (as _backdate moves it), so that its number is of the year it was found.
    found_at = timezone.now() - datetime.timedelta(days=(deadline_today() - story.found).days)
    return services.hazard_report(
        found_at=found_at,
        by=by,
        title=story.title,
        unit=story.place,
        site=story.site,
        sector=story.site.sector,
        location=story.site.address,
        description=f"{story.title}，存在安全隐患，需限期整改。",
        grade=grade,
        source=story.source,
        photos=[_photo("before", story.site.sector.code)],
    )


def _play(story: Story, inspector: User, staff: User, today: datetime.date) -> Hazard:
    """Found by the inspector (or, on patrol and in a self-check, by the street's staff), assigned
    by the inspector to the street, rectified by its staff, verified and closed by the inspector."""
    reporter = staff if story.source in (Source.PATROL, Source.SELF_CHECK) else inspector
    hazard = _report(story, reporter)
    if story.assigned is not None:
        hazard = _assign(hazard, story, inspector, staff, today)
    if story.rectified is not None:
        hazard = _rectify(hazard, story, staff)
    if story.closed is not None:
        services.hazard_close(hazard=hazard, by=inspector, note="现场复查合格")
    steps = [s for s in (story.assigned, story.rectified, story.closed) if s is not None]
    _backdate(hazard, (today - story.found).days, steps)
    return hazard


def _play_major(
    major: Major, n: int, since: datetime.date, today: datetime.date, office: User, people
) -> Hazard | None:
    """Found by the inspector, listed the next day by the creation office with its five-fold
    plan, assigned to the street, and (if `closed`) rectified and closed by the office, the
    listing authority."""
    found = since + datetime.timedelta(days=major.found)
    if found + datetime.timedelta(days=7) > today:
        return None  # the campaign has not come so far yet
    site = (
        Site.objects.filter(unit__parent__code=major.street, sector__code=major.sector)
        .select_related("unit__parent", "sector")
        .order_by("unit__code", "pk")
        .first()
    )
    if site is None:
        return None
    inspector, staff = people[major.street]
    age = (today - found).days
    rectified = min(major.limit - 5, age - 3) if major.closed else None
    story = Story(found, site.unit, site, major.title, Source.INSPECTION, major.limit, 2, rectified, None)
    hazard = _report(story, inspector, Grade.MAJOR)
    services.hazard_list_for_supervision(
        hazard=hazard,
        by=office,
        supervising_unit=OrgUnit.objects.get(code="330103-CJB"),
        document_number=f"下安委办〔{found.year}〕{30 + n}号",
        listed_on=deadline_today(),
        plan_measures="停止相关作业，设置警戒区，委托专业单位制定并实施整改方案",
        plan_funds=Decimal("45.00") + 10 * n,
        plan_responsible=f"{site.unit.parent.name} {RESPONSIBLE.get(major.street, '负责人')}",
        plan_time_limit=today + datetime.timedelta(days=major.limit),
        plan_contingency="制定专项应急预案，落实24小时专人值守和监测",
    )
    hazard = _assign(hazard, story, inspector, staff, today)
    steps = [1, 2]
    if rectified is not None:
        hazard = _rectify(hazard, story, staff)
        services.hazard_close(hazard=hazard, by=office, note="经专家组现场核查，整改到位，同意销号")
        steps += [rectified, min(rectified + 3, age - 1)]
    _backdate(hazard, age, steps)
    return hazard


def load_hazard_history(
    *,
    since: datetime.date,
    until: datetime.date | None = None,
    majors: list[Major] = MAJORS,
    seed: int = 20260101,
    density: float = 1,
) -> int:
    """The campaign's hazards from `since` (its first day) to today, or to `until` (a finished
    campaign's last day: then every one was closed, some late). Added once: nothing is added when
    the ledger holds one of them found in those days already, or when the demo's people are
    missing. `density`: the share of the usual finds a month that were logged. Returns the
    hazards made."""
    today = deadline_today()
    until = min(until or today, today)
    office = User.objects.filter(username="office").first()
    if office is None or not User.objects.filter(username="inspector").exists() or since > until:
        return 0
    first = datetime.datetime.combine(since, datetime.time(), tzinfo=DEADLINE_TZ)
    after = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time(), tzinfo=DEADLINE_TZ)
    if Hazard.objects.filter(title__in=HISTORY_TITLES, found_at__gte=first, found_at__lt=after).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 (demo data, the same every time)
    people = _people()
    # Played in the order found, so that the hazards' numbers run with the dates.
    majors = [(since + datetime.timedelta(days=m.found), n, m) for n, m in enumerate(majors)]
    majors = [m for m in majors if m[0] <= until]
    made = 0
    for story in _stories(today, since, rng, until, density):
        while majors and majors[0][0] <= story.found:
            _found, n, major = majors.pop(0)
            made += _play_major(major, n, since, today, office, people) is not None
        inspector, staff = people[story.place.parent.code]
        _play(story, inspector, staff, today)
        made += 1
    for _found, n, major in majors:
        made += _play_major(major, n, since, today, office, people) is not None
    return made


HISTORY_TITLES = sorted(
    {title for findings in FINDINGS.values() for title, _source in findings} | {m.title for m in MAJORS + PLAN_MAJORS}
)
