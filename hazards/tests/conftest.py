"""A small world for the hazard tests: Wulin street with its communities, a user of every
role in and out of it, and hazards built directly in any state of the workflow."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from campaign.tests.images import photo
from districts.models import Role, Sector
from districts.structure import DISTRICT_CODE
from districts.tests import fixtures
from districts.tests.factories import add_team
from hazards.models import (
    Action,
    ExtensionRequest,
    Grade,
    Hazard,
    HazardEvent,
    HazardPhoto,
    Source,
    Status,
    SupervisionListing,
    deadline_today,
)

WULIN = "330103002"  # 武林街道
ZHONGBEI = "330103002051"  # 中北社区, in Wulin
TIANSHUI = "330103003"  # 天水街道, Wulin's sibling street
DENGXIN = "330103003051"  # 灯芯巷社区, in Tianshui
FIRE_BRIGADE = "330103-XFJY"  # 区消防救援大队, leads fire safety
EMERGENCY = "330103-YJJ"  # 区应急管理局, leads hazardous chemicals
OFFICE = "330103-CJB"
LEADING_GROUP = "330103-LDXZ"

# Every kind of user the matrix tries: name → (role, unit code). Teams are made by the fixture.
USERS = {
    "street": (Role.STREET_STAFF, WULIN),
    "other_street": (Role.STREET_STAFF, TIANSHUI),
    "community": (Role.COMMUNITY_STAFF, ZHONGBEI),
    "fire_department": (Role.DEPARTMENT_STAFF, FIRE_BRIGADE),
    "other_department": (Role.DEPARTMENT_STAFF, EMERGENCY),
    "inspector": (Role.INSPECTOR, "TEAM-WULIN"),
    "other_inspector": (Role.INSPECTOR, "TEAM-TIANSHUI"),
    "reviewer": (Role.REVIEWER, OFFICE),
    "leader": (Role.LEADER, LEADING_GROUP),
    "sysadmin": (Role.SYSTEM_ADMIN, DISTRICT_CODE),
}

# The district fixture, for these apps' tests (the root `plan` is the campaign's).
district = fixtures.district
district_for_module = fixtures.district_for_module
unit = fixtures.unit


def store_photo(hazard, event, kind, by):
    clean = photo((30, 160, 30) if kind == HazardPhoto.Kind.AFTER else (200, 30, 30))
    stored = HazardPhoto(hazard=hazard, event=event, kind=kind, width=clean.width, height=clean.height, uploaded_by=by)
    stored.image.save("a.jpg", clean.content, save=False)
    stored.thumbnail.save("t.jpg", clean.thumbnail, save=False)
    stored.save()
    return stored


@pytest.fixture
def teams(district, unit):
    district = unit(DISTRICT_CODE)
    return {
        "TEAM-WULIN": add_team("TEAM-WULIN", district, [unit(WULIN)]),
        "TEAM-TIANSHUI": add_team("TEAM-TIANSHUI", district, [unit(TIANSHUI)]),
    }


@pytest.fixture
def users(district, unit, make_user, teams):
    return {name: make_user(role, unit(code), username=name) for name, (role, code) in USERS.items()}


@pytest.fixture
def fire(district):
    return Sector.objects.get(code="fire_safety")


@pytest.fixture
def build(district, unit, fire, users, make_user):
    """build(state, grade=…, pending_extension=…, after_photos=…) → a fire hazard in Zhongbei
    in that state, written directly (not through the services under test), assigned to Wulin."""
    submitter = make_user(Role.STREET_STAFF, unit(WULIN), username="submitter")
    counter = iter(range(1, 100_000))

    def make(
        state=Status.REPORTED,
        *,
        grade=Grade.GENERAL,
        pending_extension=False,
        after_photos=True,
        listed=None,
        deadline=None,
        place=ZHONGBEI,
        sector=None,
        responsible=WULIN,
        before_photos=0,
    ):
        n = next(counter)
        today = deadline_today()
        assigned = state in (Status.RECTIFYING, Status.AWAITING_VERIFICATION, Status.CLOSED)
        rectified = state in (Status.AWAITING_VERIFICATION, Status.CLOSED)
        hazard = Hazard.objects.create(
            number=f"T-{n:06d}",
            title=f"测试隐患{n}",
            unit=unit(place),
            sector=sector or fire,
            description="疏散通道堆放杂物",
            grade=grade,
            source=Source.INSPECTION,
            found_by=users["inspector"],
            found_at=timezone.now().replace(second=0, microsecond=0),
            status=state,
            responsible_unit=unit(responsible) if assigned else None,
            responsible_person="王芳" if assigned else "",
            deadline=(deadline or today + datetime.timedelta(days=10)) if assigned else None,
            assigned_at=timezone.now() if assigned else None,
            rectification="已清理" if rectified else "",
            rectified_at=timezone.now() if rectified else None,
            closed_at=timezone.now() if state == Status.CLOSED else None,
        )
        reported = HazardEvent.objects.create(
            hazard=hazard, action=Action.REPORT, to_status=Status.REPORTED, by=users["inspector"]
        )
        for _i in range(before_photos):
            store_photo(hazard, reported, HazardPhoto.Kind.BEFORE, users["inspector"])
        if listed if listed is not None else grade == Grade.MAJOR:
            SupervisionListing.objects.create(
                hazard=hazard,
                supervising_unit=unit(OFFICE),
                document_number=f"下安委办〔2026〕{n}号",
                listed_on=today,
                listed_by=users["reviewer"],
                plan_measures="拆除违章搭建",
                plan_funds=Decimal("12.5"),
                plan_responsible="王芳",
                plan_time_limit=today + datetime.timedelta(days=60),
                plan_contingency="设置警戒区，专人值守",
            )
        if rectified:
            event = HazardEvent.objects.create(
                hazard=hazard,
                action=Action.SUBMIT,
                from_status=Status.RECTIFYING,
                to_status=Status.AWAITING_VERIFICATION,
                by=submitter,
            )
            if after_photos:
                store_photo(hazard, event, HazardPhoto.Kind.AFTER, submitter)
        if pending_extension and hazard.deadline:
            ExtensionRequest.objects.create(
                hazard=hazard,
                requested_by=submitter,
                current_deadline=hazard.deadline,
                requested_deadline=hazard.deadline + datetime.timedelta(days=15),
                reason="材料未到货",
            )
        return hazard

    return make
