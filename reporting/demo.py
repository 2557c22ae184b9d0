"""Demo reports: a live calendar for the demo campaign (the one running today),
with reports on time, late, missing, returned and awaiting review, filed and
reviewed through the services as people would, at dates in the past.

campaign.demo.load_demo() sends campaign.demo.demo_loaded when it is done;
reporting listens (apps.py), since campaign cannot import reporting."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from campaign.lib.deadlines import DEADLINE_TZ
from districts.demo import demo_staff
from districts.models import OrgUnit, Role, User
from reporting.models import AdoptionLevel, Period, PeriodKind, ReportType, Submission
from reporting.periods import unit_owes
from reporting.selectors import filer_units
from reporting.services import (
    submission_accept,
    submission_return,
    submission_save,
    submission_start,
    submission_submit,
)

TOPICS = [
    ("开展燃气安全专项检查", "对辖区餐饮场所燃气管道、报警切断装置进行全面检查，发现隐患当场督促整改。"),
    ("组织消防安全培训", "邀请消防救援大队讲授初起火灾扑救和疏散逃生，社区网格员和物业人员参训。"),
    ("推进电动自行车集中充电设施建设", "新建集中充电点，覆盖老旧小区，劝导居民不在楼道内充电。"),
    ("开展安全生产月宣传活动", "设置宣传咨询点，发放宣传资料，组织企业负责人参加警示教育。"),
    ("完成辖区风险点复核", "对照风险清单逐项复核管控措施，更新四色分布图。"),
    ("开展有限空间作业专项整治", "排查有限空间作业点，落实审批制度和现场监护。"),
    ("组织防汛防台应急演练", "演练低洼地段人员转移和排涝设备调度，检验预案衔接。"),
    ("督查出租房屋消防安全", "联合社区对出租房屋逐户检查，清理违规住人和私拉乱接电线。"),
]
RETURN_COMMENTS = [
    "请补充本月检查的具体数据（检查场所数、发现隐患数、整改完成数）。",
    "内容与上月重复较多，请突出本月新做法和成效。",
    "请附上活动照片或相关文件。",
]
DEMO_STREET = "330103002"  # 武林街道, the `wulin` login
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=DEADLINE_TZ)


def _filer(unit: OrgUnit) -> User:
    """The unit's demo filer: a demo login where there is one, else a named account that cannot sign in."""
    return demo_staff(unit, [Role.STREET_STAFF, Role.DEPARTMENT_STAFF])


def _text(rng: random.Random, unit: OrgUnit, period: Period) -> tuple[str, str]:
    topic, detail = rng.choice(TOPICS)
    if period.report_type.period_kind == PeriodKind.MONTH:
        return f"{unit.name}{topic}", f"{period.label}，{unit.name}{detail}"
    title = f"{unit.name}{period.label}{period.report_type.name}"
    return title, f"{period.label}，{unit.name}{detail}下一步将持续推进。"


def _fate(rng: random.Random, unit: OrgUnit, period: Period, today: datetime.date) -> str:
    """What happens to this unit's report for this period: on_time, late, missing, returned, pending."""
    if period.due_on >= today:
        # This month's item: some units file early, the rest have days left.
        running = period.starts_on <= today and period.report_type.period_kind == PeriodKind.MONTH
        return "pending" if running and rng.random() < 0.4 else "none"
    recent = (today - period.due_on).days < 45
    roll = rng.random()
    if recent and roll < 0.15:
        return "returned"
    if recent and roll < 0.35:
        return "pending"
    if roll < 0.72:
        return "on_time"
    if roll < 0.87:
        return "late"
    return "missing"


def _adopted(submission: Submission, period) -> tuple[str, ...]:
    """About one monthly work item in six adopted (采用) by the district, one in thirty by the city
    too, one in ninety by the province: by the report's number, so the other draws stay as they were."""
    if not period.report_type.adoptable:
        return ()
    n = submission.pk
    levels = [AdoptionLevel.DISTRICT] if n % 6 == 0 else []
    if n % 30 == 0:
        levels.append(AdoptionLevel.CITY)
    if n % 90 == 0:
        levels.append(AdoptionLevel.PROVINCE)
    return tuple(levels)


def _file(*, unit, period, by, office, fate, rng, today) -> Submission | None:
    if fate in ("missing", "none"):
        return None
    title, body = _text(rng, unit, period)
    submission = submission_start(by=by, unit=unit, period=period, title=title, body=body)
    due = period.due_on
    if fate == "late":
        sent = _at(due + DAY * rng.randint(1, 6), rng.randint(9, 17))
    elif period.due_on >= today:
        sent = _at(max(period.starts_on, today - DAY * rng.randint(1, 3)), rng.randint(9, 11))
    else:
        sent = _at(due - DAY * rng.randint(0, 5), rng.randint(9, 17))
    sent = min(sent, timezone.now() - HOUR)
    submission = submission_submit(submission=submission, by=by, at=sent)
    reviewed = min(sent + DAY * rng.randint(1, 4), timezone.now() - HOUR / 2)
    if fate == "returned":
        submission_return(submission=submission, by=office, comment=rng.choice(RETURN_COMMENTS), at=reviewed)
    elif fate in ("on_time", "late"):
        submission_accept(submission=submission, by=office, at=reviewed, adopt=_adopted(submission, period))
    return submission


@transaction.atomic
def load_demo(*, campaign, today: datetime.date) -> int:
    """Reports for every street and department of the demo campaign up to today. Idempotent:
    a campaign that already has reports is left as it is. Returns the number of reports made."""
    if Submission.objects.filter(period__campaign=campaign).exists():
        return 0
    office = User.objects.filter(memberships__role=Role.REVIEWER).order_by("pk").first()
    if office is None:
        return 0
    rng = random.Random(20190214)  # noqa: S311 (demo data, the same every time)
    types = list(ReportType.objects.all())
    periods = list(Period.objects.filter(campaign=campaign).select_related("report_type", "campaign__district"))
    last_closed_month = max(
        (p for p in periods if p.report_type.period_kind == PeriodKind.MONTH and p.due_on < today),
        key=lambda p: p.due_on,
        default=None,
    )
    running = campaign.ends_on >= today  # a finished campaign's reports are all long reviewed
    made = 0
    for unit in filer_units(campaign, sorted({k for t in types for k in t.filer_kinds})):
        by = _filer(unit)
        for period in sorted(periods, key=lambda p: (p.due_on, p.report_type.order)):
            if unit.kind not in period.report_type.filer_kinds or not unit_owes(unit, period):
                continue
            fate = _fate(rng, unit, period, today)
            if running and unit.code == DEMO_STREET and period == last_closed_month:
                fate = "returned"  # the demo street's login finds last month's item sent back…
            elif running and unit.code == DEMO_STREET and period.due_on >= today:
                fate = "none"  # …and this month's still to write (a draft is waiting)
            made += bool(_file(unit=unit, period=period, by=by, office=office, fate=fate, rng=rng, today=today))
            # A finished campaign's are told one a period: load_demo stays quick.
            if running and period.report_type.allows_several and fate == "on_time" and rng.random() < 0.2:
                # A busy month: a second item, counted once.
                made += bool(_file(unit=unit, period=period, by=by, office=office, fate=fate, rng=rng, today=today))
    made += _wulin_this_month(campaign, today)
    return made


def _wulin_this_month(campaign, today) -> int:
    """The demo street's login finds a draft of this month's item waiting."""
    wulin = OrgUnit.objects.filter(code=DEMO_STREET).first()
    period = (
        Period.objects.filter(campaign=campaign, report_type__code="monthly_item")
        .filter(starts_on__lte=today, due_on__gte=today)
        .select_related("report_type", "campaign__district")
        .first()
    )
    if wulin is None or period is None:
        return 0
    by = _filer(wulin)
    draft = submission_start(by=by, unit=wulin, period=period)
    submission_save(
        submission=draft,
        by=by,
        title="武林街道开展岁末年初安全生产大检查",
        body="（草稿）本月街道组织安监、消防、市场监管力量，对辖区商场、餐饮场所开展联合检查……",
    )
    return 1
