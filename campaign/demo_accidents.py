"""Demo figures for the targets: the 2016 baseline, every year since to last year (2019 and 2020
the plan's campaign), falling toward the targets, and this year's (the demo campaign's) GDP for
the district and its eight streets, with their sources; and a handful of general accidents
(一般事故) this year, recorded through the services as the creation office would. No serious
accident. Idempotent: load_demo() runs it again on every start."""

from __future__ import annotations

import datetime
from decimal import Decimal

from campaign.models import Accident, InvestigationStatus, YearlyValue
from campaign.services.accidents import accident_create, yearly_value_set
from districts.models import OrgUnit, Sector, Site, User
from districts.scoping import Subtree
from risks.models import AccidentType

# Street code → (2016 GDP in 100 million yuan, deaths in each year of YEARS in order). The
# district's figures are their sums: 905.6 亿元 and 20 deaths in 2016, falling to 9 in 2025.
STREETS = {
    "330103001": (Decimal("78.4"), 2, 2, 1, 2, 1, 1, 1, 1, 1, 1),  # 长庆
    "330103002": (Decimal("226.3"), 3, 3, 3, 2, 2, 2, 2, 2, 1, 2),  # 武林
    "330103003": (Decimal("118.7"), 2, 2, 2, 1, 1, 2, 1, 1, 1, 1),  # 天水
    "330103005": (Decimal("84.5"), 2, 2, 2, 2, 1, 1, 1, 1, 1, 1),  # 潮鸣
    "330103006": (Decimal("102.6"), 3, 2, 2, 2, 1, 2, 2, 1, 1, 1),  # 朝晖
    "330103007": (Decimal("95.2"), 2, 2, 2, 1, 1, 1, 1, 1, 1, 0),  # 文晖
    "330103008": (Decimal("121.4"), 4, 3, 3, 3, 2, 2, 2, 2, 2, 2),  # 东新
    "330103009": (Decimal("78.5"), 2, 2, 1, 1, 1, 1, 1, 1, 1, 1),  # 石桥
}
BASELINE_GDP = sum(gdp for gdp, *_deaths in STREETS.values())
# Year → (the district's GDP, its source, the deaths' source (None: the register counts them)).
# Until the 2019 reform the work-safety bureau kept the accident statistics, then the emergency
# management bureau.
YEARS = {
    2016: (BASELINE_GDP, "下城区统计年鉴2017", "区安全生产监督管理局2016年生产安全事故统计"),
    2017: (Decimal("962.4"), "下城区统计年鉴2018", "区安全生产监督管理局2017年生产安全事故统计"),
    2018: (Decimal("1011.8"), "下城区统计年鉴2019", "区安全生产监督管理局2018年生产安全事故统计"),
    2019: (Decimal("1050.3"), "下城区统计年鉴2020", "区应急管理局2019年生产安全事故统计"),
    2020: (Decimal("1079.8"), "下城区2020年国民经济和社会发展统计公报", "区应急管理局2020年生产安全事故统计"),
    2021: (Decimal("1131.6"), "下城区统计年鉴2022", "区应急管理局2021年生产安全事故统计"),
    2022: (Decimal("1158.9"), "下城区统计年鉴2023", "区应急管理局2022年生产安全事故统计"),
    2023: (Decimal("1207.3"), "下城区统计年鉴2024", "区应急管理局2023年生产安全事故统计"),
    2024: (Decimal("1243.8"), "下城区统计年鉴2025", "区应急管理局2024年生产安全事故统计"),
    2025: (Decimal("1276.4"), "下城区2025年国民经济和社会发展统计公报", "区应急管理局2025年生产安全事故统计"),
}
THIS_YEAR_GDP = Decimal("1318.5")
DEATHS_COLUMN = {year: i + 1 for i, year in enumerate(YEARS)}

# Street, sector, type, summary, deaths, serious injuries, loss (万元), investigation, day of month.
ACCIDENTS = [
    ("330103008", "construction", AccidentType.FALL_FROM_HEIGHT, "住宅项目外墙脚手架作业人员坠落", 1, 0, "152",
     InvestigationStatus.CLOSED, 12),
    ("330103006", "road_traffic", AccidentType.VEHICLE, "客运公司停车场车辆倒车碾压调度员", 1, 1, "98.5",
     InvestigationStatus.CLOSED, 7),
    ("330103002", "fire_safety", AccidentType.FIRE, "沿街餐饮店后厨燃气泄漏引发火灾", 2, 0, "236",
     InvestigationStatus.INVESTIGATING, 21),
    ("330103009", "special_equipment", AccidentType.MACHINERY, "住宅电梯维保作业人员被轿厢挤压", 1, 0, "42.6",
     InvestigationStatus.INVESTIGATING, 3),
    ("330103003", "city_operation", AccidentType.POISONING, "污水管道有限空间作业中毒窒息", 2, 1, "64",
     InvestigationStatus.INVESTIGATING, 16),
    ("330103001", "commerce_tourism", AccidentType.ELECTRIC_SHOCK, "商场户外广告牌维修作业人员触电", 1, 0, "18.3",
     InvestigationStatus.REPORTED, 9),
]  # fmt: skip


def _set(unit: OrgUnit, year: int, by: User, **fields) -> None:
    """yearly_value_set, only when something differs: a restart writes no history."""
    have = YearlyValue.objects.filter(unit=unit, year=year).first()
    if have is not None and all(getattr(have, name) == value for name, value in fields.items()):
        return
    yearly_value_set(by=by, unit=unit, year=year, **fields)


def _street_gdp(share: Decimal, total: Decimal) -> Decimal:
    return (total * share / BASELINE_GDP).quantize(Decimal("0.1"))


def load_values(*, district: OrgUnit, today: datetime.date, by: User) -> None:
    streets = {u.code: u for u in OrgUnit.objects.filter(code__in=STREETS)}
    for year, (gdp, gdp_source, deaths_source) in YEARS.items():
        if year >= today.year:
            continue  # this year's figures are below: the register counts them
        column = DEATHS_COLUMN[year]
        deaths = sum(figures[column] for figures in STREETS.values())
        _set(district, year, by, gdp=gdp, gdp_source=gdp_source, deaths_override=deaths, deaths_source=deaths_source)
        for code, figures in STREETS.items():
            _set(
                streets[code],
                year,
                by,
                gdp=_street_gdp(figures[0], gdp),
                gdp_source=f"{gdp_source}（分街道）",
                deaths_override=figures[column],
                deaths_source=deaths_source,
            )
    # This year: GDP from the statistics bureau's quick report; the deaths from the register.
    source = f"区统计局{today.year}年快报数据"
    _set(district, today.year, by, gdp=THIS_YEAR_GDP, gdp_source=source, deaths_override=None, deaths_source="")
    for code, figures in STREETS.items():
        _set(
            streets[code],
            today.year,
            by,
            gdp=_street_gdp(figures[0], THIS_YEAR_GDP),
            gdp_source=f"{source}（分街道）",
            deaths_override=None,
            deaths_source="",
        )


def load_accidents(*, today: datetime.date, by: User) -> int:
    """This year's accidents, spread over the months so far; each once a year, whatever day it is."""
    sectors = {s.code: s for s in Sector.objects.all()}
    made = 0
    for i, (street_code, sector, kind, summary, deaths, injuries, loss, status, day) in enumerate(ACCIDENTS):
        if Accident.objects.filter(summary=summary, occurred_on__year=today.year).exists():
            continue
        month = 1 + i * (today.month - 1) // max(len(ACCIDENTS) - 1, 1)
        occurred_on = datetime.date(today.year, month, min(day, 28))
        if occurred_on > today:
            occurred_on = today
        communities = OrgUnit.objects.filter(parent__code=street_code, kind=OrgUnit.Kind.COMMUNITY)
        community = communities.order_by("code")[i % 2]
        site = Site.objects.filter(Subtree.of(community).q("unit__"), sector=sectors[sector]).first()
        accident_create(
            by=by,
            unit=community,
            site=site,
            sector=sectors[sector],
            occurred_on=occurred_on,
            accident_type=kind,
            summary=summary,
            deaths=deaths,
            serious_injuries=injuries,
            direct_loss=Decimal(loss),
            investigation_status=status,
        )
        made += 1
    return made


def load_demo_figures(*, district: OrgUnit, today: datetime.date, by: User) -> None:
    load_values(district=district, today=today, by=by)
    load_accidents(today=today, by=by)
