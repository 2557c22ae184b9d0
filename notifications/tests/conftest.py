"""A small world for the reminders: the plan's district with a short campaign of its own (its
report periods follow by themselves), a street filer in Wulin, one in Tianshui, the creation
office, and the reminder rules as shipped."""

import datetime

import pytest

from campaign.models import Campaign
from campaign.plan import DISTRICT_CODE
from districts.models import OrgUnit, Role

# The broker pointed elsewhere, and a port where no broker listens (the fault tests).
from jobs.tests.test_import_job_faults import broker_at, closed_port  # noqa: F401
from notifications.defaults import install
from notifications.models import ReminderRule
from reporting.models import Period

WULIN, TIANSHUI, ZHONGBEI, OFFICE = "330103002", "330103003", "330103002051", "330103-CJB"
START, END = datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)


@pytest.fixture
def campaign(plan):
    return Campaign.objects.create(
        name="提醒测试创建工作",
        district=OrgUnit.objects.get(code=DISTRICT_CODE),
        starts_on=START,
        ends_on=END,
        baseline_year=2016,
    )


@pytest.fixture
def rules(plan):
    """The shipped rules (their data migration's rows are gone after a transactional test's flush)."""
    install(ReminderRule)
    return {rule.subject: rule for rule in ReminderRule.objects.all()}


@pytest.fixture
def people(rules, unit, make_user):
    made = {
        "wulin": make_user(Role.STREET_STAFF, unit(WULIN), "wulin"),
        "tianshui": make_user(Role.STREET_STAFF, unit(TIANSHUI), "tianshui"),
        "office": make_user(Role.REVIEWER, unit(OFFICE), "office"),
    }
    for user in made.values():
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    return made


@pytest.fixture
def january(campaign):
    return Period.objects.get(campaign=campaign, report_type__code="monthly_item", key="2025-01")
