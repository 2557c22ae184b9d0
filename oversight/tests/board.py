"""The dashboards' test district: rollups that hold a different number for every unit and sector,
so that a figure shown to the wrong reader is recognised (the scope matrix, the pickers and the
home page read it), and a reader of every kind. A test module takes the fixtures with
`from oversight.tests.board import *` (the rollups' own tests have their world in conftest)."""

import datetime
import re

import pytest

from campaign.lib.deadlines import deadline_today
from districts.models import OrgUnit, Role, Sector
from districts.tests.factories import add_grids, add_team
from oversight.periods import add_months, month_start
from oversight.tests.factories import built, figures

DISTRICT = "330103"  # 下城区
WULIN = "330103002"  # 武林街道
TIANSHUI = "330103003"  # 天水街道
ZHONGBEI = "330103002051"  # 中北社区, in Wulin
XIANLIN = "330103002052"  # 仙林社区, in Wulin
DENGXIN = "330103003051"  # 灯芯巷社区, in Tianshui
OFFICE = "330103-CJB"
LEADING_GROUP = "330103-LDXZ"
FIRE_BRIGADE = "330103-XFJY"  # leads fire safety
BUILDING_BUREAU = "330103-ZJJ"  # leads construction

REQUEST_START = 2  # the session; the user
REQUEST_END = 0  # no session write: a session is written when it changes, its last request time once a minute
SECOND_FACTOR = 1  # a reviewer's second factor: the device the session was verified with

# Overdue hazards this month, per unit and sector (None: all sectors): a number of its own each.
OVERDUE = {
    (DISTRICT, None): 100,
    (DISTRICT, "fire_safety"): 41,
    (DISTRICT, "construction"): 59,
    (WULIN, None): 31,
    (WULIN, "fire_safety"): 13,
    (WULIN, "construction"): 18,
    (TIANSHUI, None): 27,
    (TIANSHUI, "fire_safety"): 9,
    (TIANSHUI, "construction"): 16,
    (ZHONGBEI, None): 17,
    (ZHONGBEI, "fire_safety"): 6,
    (XIANLIN, None): 14,
    (DENGXIN, None): 12,
}
# Reports this month: (expected, filed, on time). Reports have no sector.
REPORTS = {
    DISTRICT: (64, 44, 36),
    WULIN: (8, 7, 5),
    TIANSHUI: (8, 4, 2),
    ZHONGBEI: (3, 1, 1),
    XIANLIN: (2, 2, 2),
    DENGXIN: (3, 3, 0),
    FIRE_BRIGADE: (4, 3, 3),
    BUILDING_BUREAU: (5, 1, 0),
}
LAST_MONTH_OVERDUE = {(DISTRICT, None): 77, (WULIN, None): 23}
TAG = re.compile(r"<[^>]+>")

__all__ = ["board", "plan", "running", "this_month"]


@pytest.fixture
def plan(plan_for_module):
    """The plan once per module (it is read, never changed, but for its dates in `running`)."""
    return plan_for_module


@pytest.fixture
def running(plan):
    """The plan's campaign moved to run from January of last year to the end of next year: its
    latest month is this one, and last month is in it too."""
    today = deadline_today()
    plan.starts_on = datetime.date(today.year - 1, 1, 1)
    plan.ends_on = datetime.date(today.year + 1, 12, 31)
    plan.save()
    return plan


@pytest.fixture
def this_month():
    return month_start(deadline_today())


@pytest.fixture
def board(running, unit, make_user, this_month):
    """The rollups of this month and last, built; an inspection team assigned Tianshui; a user
    of every reader kind (and some with none)."""
    district = unit(DISTRICT)
    sectors = {s.code: s for s in Sector.objects.all()}
    for (code, sector), n in OVERDUE.items():
        sector = sectors[sector] if sector else None
        own = REPORTS.get(code) if sector is None else None
        reports = dict(zip(("reports_expected", "reports_filed", "reports_on_time"), own, strict=True)) if own else {}
        figures(unit(code), this_month, sector=sector, hazards_overdue=n)
        if reports:
            figures(unit(code), this_month, **reports)
        # found and closed to date: closure rates that differ too (n + 10 found, 10 closed)
        figures(
            unit(code),
            this_month,
            sector=sector,
            hazards_found_to_date=n + 10,
            hazards_closed_to_date=10,
            hazards_found=n // 2,
            hazards_closed=n // 3,
            major_hazards_listed_open=n % 5,
            risks={"major": n % 7, "significant": n % 4, "general": n % 3},
        )
    for code in (FIRE_BRIGADE, BUILDING_BUREAU):
        expected, filed, on_time = REPORTS[code]
        figures(unit(code), this_month, reports_expected=expected, reports_filed=filed, reports_on_time=on_time)
    last_month = add_months(this_month, -1)
    for (code, _sector), n in LAST_MONTH_OVERDUE.items():
        figures(unit(code), last_month, granularities=("month",), hazards_overdue=n)
    built(district)

    team = add_team("330103-XCZ1", district, [unit(TIANSHUI)])
    grid = add_grids(unit(ZHONGBEI), 1)[0]
    users = {
        "office": make_user(Role.REVIEWER, unit(OFFICE)),
        "leader": make_user(Role.LEADER, unit(LEADING_GROUP)),
        "wulin": make_user(Role.STREET_STAFF, unit(WULIN)),
        "tianshui": make_user(Role.STREET_STAFF, unit(TIANSHUI)),
        "fire": make_user(Role.DEPARTMENT_STAFF, unit(FIRE_BRIGADE)),
        "team": make_user(Role.INSPECTOR, team),
        "zhongbei": make_user(Role.COMMUNITY_STAFF, unit(ZHONGBEI)),
        "grid": make_user(Role.COMMUNITY_STAFF, grid),
        "security": make_user(Role.SECURITY_ADMIN, district),
    }
    return {"users": users, "team": team, "sectors": sectors, "district": district}


def card_values(html: str, set_key: str | None = None, *, targets: bool = False) -> dict[str, str]:
    """{card key: the figure shown} of the first card set (or the set `set_key`) on a page;
    the targets' cards (from the registers, not the rollups) only when asked."""
    if set_key is not None:
        block = html.split(f'data-set="{set_key}"', 1)[1].split("</ul>", 1)[0]
    else:
        block = html.split('data-testid="cards"', 1)[1].split("</ul>", 1)[0]
    found = re.findall(r'data-card="([\w]+)".*?data-value>([^<]*)<', block, re.S)
    return {key: value for key, value in found if targets or not key.startswith("target_")}


def card_links(html: str) -> dict[str, str]:
    block = html.split('data-testid="cards"', 1)[1].split("</ul>", 1)[0]
    found = re.findall(r'data-card="([\w]+)".*?figure-value mb-1">(?:<a href="([^"]*)")?', block, re.S)
    return {key: url.replace("&amp;", "&") for key, url in found}


def ranking_rows(html: str, testid: str = "ranking") -> dict[int, list[str]]:
    """{unit pk: the row's cells as text} of a ranking table."""
    if f'data-testid="{testid}"' not in html:
        return {}
    table = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for pk, body in re.findall(r'<tr data-unit="(\d+)">(.*?)</tr>', table, re.S):
        rows[int(pk)] = [TAG.sub("", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", body, re.S)]
    return rows


def unit_pk(code: str) -> int:
    return OrgUnit.objects.get(code=code).pk
