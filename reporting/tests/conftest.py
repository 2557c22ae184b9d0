"""Fixtures for the reporting tests: the plan's campaign (2019-02-14 – 2020-12-31) with its
periods, filers and the office, and a helper that files a report at a given moment."""

import datetime

import pytest

from districts.models import Role
from reporting import services
from reporting.models import DEADLINE_TZ, Period

WULIN = "330103002"  # 武林街道
TIANSHUI = "330103003"  # 天水街道
ZHONGBEI = "330103002051"  # 中北社区, in Wulin
EMERGENCY = "330103-YJJ"  # 区应急管理局, leads hazardous chemicals
OFFICE = "330103-CJB"  # 区创建办
LEADING_GROUP = "330103-LDXZ"


def shanghai(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=DEADLINE_TZ)


@pytest.fixture
def campaign(plan):
    return plan


@pytest.fixture
def period(campaign):
    """period("monthly_item", "2019-03") → that period of the plan's campaign."""
    return lambda code, key: Period.objects.select_related("report_type", "campaign__district").get(
        campaign=campaign, report_type__code=code, key=key
    )


@pytest.fixture
def office(unit, make_user):
    return make_user(Role.REVIEWER, unit(OFFICE), username="office")


@pytest.fixture
def filer(unit, make_user):
    """filer(code) → a street or department filer of that unit (one per unit)."""
    made = {}

    def make(code):
        if code not in made:
            u = unit(code)
            role = Role.DEPARTMENT_STAFF if u.kind == "department" else Role.STREET_STAFF
            made[code] = make_user(role, u, username=f"filer-{code}")
        return made[code]

    return make


@pytest.fixture
def file_report(unit, filer, office):
    """file_report(code, period, at=…, review="accept"|"return"|None) → a report filed at `at`."""

    def file(code, period, *, at, review=None, title="本月工作信息", body="开展了安全检查。"):
        by = filer(code)
        submission = services.submission_start(by=by, unit=unit(code), period=period, title=title, body=body)
        submission = services.submission_submit(submission=submission, by=by, at=at)
        if review == "accept":
            submission = services.submission_accept(submission=submission, by=office, at=at)
        elif review == "return":
            submission = services.submission_return(submission=submission, by=office, comment="请补充数据。", at=at)
        return submission

    return file
