"""The templates' world: the plan's district, a reviewer of the creation office, a system
administrator and street staff, and a small template built through the services."""

from __future__ import annotations

import datetime

import pytest

from assessments import services
from assessments.models import ItemKind, Round, Run
from districts.models import OrgUnit, Role
from districts.structure import DISTRICT_CODE
from districts.tests.factories import add_team

OFFICE = "330103-CJB"
WULIN = "330103002"


@pytest.fixture
def office(plan, make_user):
    return make_user(Role.REVIEWER, OrgUnit.objects.get(code=OFFICE))


@pytest.fixture
def sysadmin(plan, make_user):
    return make_user(Role.SYSTEM_ADMIN, OrgUnit.objects.get(code=DISTRICT_CODE))


@pytest.fixture
def street_staff(plan, make_user):
    return make_user(Role.STREET_STAFF, OrgUnit.objects.get(code=WULIN))


@pytest.fixture
def small_template(office):
    """源头治理 (4): 1.1 规划 (2, per finding 0.5 up to 2), 1.2 管网 (2, ≤80 % costs 1); 鼓励项 (2)."""
    by = office
    t = services.template_create(by=by, code="district", name="区级评分细则")
    aspect = services.item_add(by=by, template=t, code="1", name="城市安全源头治理", max_points=4)
    plans = services.item_add(by=by, template=t, parent=aspect, code="1.1", name="安全规划", max_points=2)
    services.rule_add(by=by, item=plans, kind="per_finding", params={"points": "0.5", "cap": "2"},
                      text="每发现一处扣0.5分,2分扣完为止")
    pipes = services.item_add(by=by, template=t, parent=aspect, code="1.2", name="老旧管网", max_points=2)
    services.rule_add(by=by, item=pipes, kind="threshold", params={"op": "<=", "value": "80", "points": "1"},
                      text="老旧管网改造率≤80%的,扣1分")
    services.item_add(by=by, template=t, code="7", name="鼓励项", max_points=2, kind=ItemKind.BONUS)
    return t


@pytest.fixture
def make_run(plan, office):
    """make_run(template) → a run of a round on that template (the rounds' own services are
    another part's: the round is made directly, as a round's start would, freezing the version)."""

    def make(template, unit_code=WULIN):
        district = OrgUnit.objects.get(code=DISTRICT_CODE)
        unit = OrgUnit.objects.get(code=unit_code)
        team = OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM).first() or add_team("TEAM-T", district, [unit])
        services.template_freeze(template=template, by=office)
        round_ = Round.objects.create(
            campaign=plan, template=template, name="2026年第一轮", period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 3, 31), team=team, created_by=office,
        )
        return Run.objects.create(round=round_, unit=unit)

    return make
