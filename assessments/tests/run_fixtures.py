"""A small world for the runs' tests: the plan's campaign, two inspection teams (one covering Wulin,
one Tianshui), a user of every role in and out of Wulin, the demo's 20-item template, and a round
of Wulin assessed by the Wulin team. Import the fixtures into a test module by name."""

import pytest

from assessments import run_services as services
from assessments.demo import build_template
from assessments.models import Item, Run
from districts.models import Role
from districts.tests.factories import add_team

WULIN = "330103002"  # 武林街道
TIANSHUI = "330103003"  # 天水街道
ZHONGBEI = "330103002051"  # 中北社区, in Wulin
EMERGENCY = "330103-YJJ"
OFFICE = "330103-CJB"
LEADING_GROUP = "330103-LDXZ"
DISTRICT = "330103"

USERS = {
    "street": (Role.STREET_STAFF, WULIN),
    "other_street": (Role.STREET_STAFF, TIANSHUI),
    "community": (Role.COMMUNITY_STAFF, ZHONGBEI),
    "department": (Role.DEPARTMENT_STAFF, EMERGENCY),
    "inspector": (Role.INSPECTOR, "TEAM-WULIN"),
    "other_inspector": (Role.INSPECTOR, "TEAM-TIANSHUI"),
    "reviewer": (Role.REVIEWER, OFFICE),
    "leader": (Role.LEADER, LEADING_GROUP),
}


@pytest.fixture
def teams(plan, unit):
    district = unit(DISTRICT)
    return {
        "TEAM-WULIN": add_team("TEAM-WULIN", district, [unit(WULIN)]),
        "TEAM-TIANSHUI": add_team("TEAM-TIANSHUI", district, [unit(TIANSHUI)]),
    }


@pytest.fixture
def users(plan, unit, make_user, teams):
    return {name: make_user(role, unit(code), username=name) for name, (role, code) in USERS.items()}


@pytest.fixture
def template(users):
    return build_template(code="t-inspection", name="专项督查评分细则", by=users["reviewer"])


@pytest.fixture
def items(template):
    return {i.code: i for i in Item.objects.filter(template=template)}


@pytest.fixture
def make_round(plan, unit, users, teams, template):
    def make(*, team="TEAM-WULIN", units=(WULIN,), self_assessment=True):
        return services.round_create(
            by=users["reviewer"],
            campaign=plan,
            template=template,
            name="第一季度专项督查",
            period_start=plan.starts_on,
            period_end=plan.starts_on.replace(month=3, day=31),
            team=teams[team],
            units=[unit(code) for code in units],
            self_assessment=self_assessment,
        )

    return make


@pytest.fixture
def run(make_round):
    """Wulin's run in a round of the Wulin team, a draft."""
    return Run.objects.get(round=make_round())
