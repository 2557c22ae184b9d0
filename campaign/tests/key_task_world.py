"""A small world for the key-task tests: the plan's campaign running today, a user of every kind
that meets a task, and two tasks set out through the services by the creation office:

- fire: 消防安全, led by the fire brigade (which leads the sector), shared with Wulin street;
- construction: 建设施工, led by the housing and construction bureau, shared with Tianshui street.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaign.lib.deadlines import deadline_today
from campaign.services import tasks as services
from campaign.tests.images import pdf
from districts.models import Role, Sector

WULIN = "330103002"  # 武林街道
ZHONGBEI = "330103002051"  # 中北社区, in Wulin
TIANSHUI = "330103003"  # 天水街道
CHANGQING = "330103001"  # 长庆街道
FIRE_BRIGADE = "330103-XFJY"  # 区消防救援大队, leads fire safety
CONSTRUCTION_BUREAU = "330103-ZJJ"  # 区住房和城市建设局, leads construction
EMERGENCY = "330103-YJJ"  # 区应急管理局, leads hazardous chemicals
OFFICE = "330103-CJB"
LEADING_GROUP = "330103-LDXZ"

USERS = {
    "reviewer": (Role.REVIEWER, OFFICE),
    "leader": (Role.LEADER, LEADING_GROUP),
    "fire_department": (Role.DEPARTMENT_STAFF, FIRE_BRIGADE),
    "construction_department": (Role.DEPARTMENT_STAFF, CONSTRUCTION_BUREAU),
    "other_department": (Role.DEPARTMENT_STAFF, EMERGENCY),
    "wulin": (Role.STREET_STAFF, WULIN),
    "tianshui": (Role.STREET_STAFF, TIANSHUI),
    "other_street": (Role.STREET_STAFF, CHANGQING),
    "community": (Role.COMMUNITY_STAFF, ZHONGBEI),
}

PDF = pdf()
# A Windows program (MZ header, PE signature) renamed to look like a PDF.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"PE\x00\x00" + b"\x00" * 400


def evidence(name="检查记录.pdf", data=PDF, content_type="application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def plan(plan_for_module, db):
    """The plan loaded once for the test module; each test runs in its own savepoint."""
    return plan_for_module


@pytest.fixture
def campaign(plan):
    """The plan's campaign, moved to run from 100 days ago to 300 days ahead."""
    today = deadline_today()
    plan.starts_on, plan.ends_on = today - datetime.timedelta(days=100), today + datetime.timedelta(days=300)
    plan.save()
    return plan


@pytest.fixture
def users(campaign, unit, make_user):
    return {name: make_user(role, unit(code), username=name) for name, (role, code) in USERS.items()}


@pytest.fixture
def set_out(campaign, users, unit):
    """set_out(code, sector, lead, co_units, due_in=20) → a task set out by the reviewer."""

    def make(code, sector, lead, co_units=(), due_in=20, **fields):
        return services.key_task_create(
            by=users["reviewer"],
            campaign=campaign,
            sector=Sector.objects.get(code=sector),
            code=code,
            title=fields.pop("title", f"任务{code}"),
            description=fields.pop("description", "按计划推进。"),
            lead_unit=unit(lead),
            due_on=deadline_today() + datetime.timedelta(days=due_in),
            co_units=[unit(c) for c in co_units],
            **fields,
        )

    return make


@pytest.fixture
def tasks(set_out):
    return {
        "fire": set_out("3.1", "fire_safety", FIRE_BRIGADE, [WULIN], title="人员密集场所消防安全隐患排查治理"),
        "construction": set_out("1.2", "construction", CONSTRUCTION_BUREAU, [TIANSHUI], due_in=30),
    }
