"""What the accident register's tests share: the people who keep or read it, and an accident
recorded through the service. Imported by the test modules (`from … import *` is not used:
each names the fixtures it takes)."""

import datetime
from decimal import Decimal

import pytest

from campaign.services.accidents import accident_create
from districts.models import Role, Sector
from risks.models import AccidentType

DISTRICT = "330103"
WULIN = "330103002"  # 武林街道
ZHONGBEI = "330103002051"  # 中北社区, in Wulin
TIANSHUI = "330103003"  # 天水街道, Wulin's sibling street
DENGXIN = "330103003051"  # 灯芯巷社区, in Tianshui
OFFICE = "330103-CJB"  # 区创建办
LEADING_GROUP = "330103-LDXZ"
EMERGENCY = "330103-YJJ"  # 区应急管理局, leads hazardous chemicals
FIRE_BRIGADE = "330103-XFJY"  # 区消防救援大队, leads fire safety

# key → (role, unit code)
PEOPLE = {
    "street": (Role.STREET_STAFF, WULIN),
    "other_street": (Role.STREET_STAFF, TIANSHUI),
    "community": (Role.COMMUNITY_STAFF, ZHONGBEI),
    "bureau": (Role.DEPARTMENT_STAFF, EMERGENCY),
    "fire": (Role.DEPARTMENT_STAFF, FIRE_BRIGADE),
    "office": (Role.REVIEWER, OFFICE),
    "leader": (Role.LEADER, LEADING_GROUP),
    "sysadmin": (Role.SYSTEM_ADMIN, DISTRICT),
}


@pytest.fixture
def people(plan, make_user, unit):
    return {key: make_user(role, unit(code), username=key) for key, (role, code) in PEOPLE.items()}


@pytest.fixture
def sector():
    """sector("fire_safety") → the Sector with that code."""
    return lambda code: Sector.objects.get(code=code)


@pytest.fixture
def record(unit, sector):
    """record(by, code, **fields) → an accident recorded through accident_create at the unit `code`."""

    def make(by, code=ZHONGBEI, **fields):
        values = {
            "unit": unit(code),
            "sector": sector(fields.pop("sector_code", "fire_safety")),
            "occurred_on": datetime.date(2020, 5, 12),
            "accident_type": AccidentType.FIRE,
            "summary": "沿街商铺火灾",
            "deaths": 1,
            "serious_injuries": 0,
            "direct_loss": Decimal("35.5"),
        }
        values.update(fields)
        return accident_create(by=by, **values)

    return make
