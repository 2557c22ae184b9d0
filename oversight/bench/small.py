"""A small district beside the benchmark's, for the dashboard's query count at ten hazards."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from campaign.lib.deadlines import deadline_today
from campaign.lib.history import save_with_history
from campaign.models import Campaign, Target
from campaign.plan import DISTRICT_CODE
from districts.models import OrgUnit, Role, Sector, User
from districts.services import membership_create, orgunit_save, user_create
from hazards.models import Hazard, Source
from oversight.bench.common import HAZARD_TITLES, PEOPLE, in_district

SMALL_CODE = "330199"


def small_district(like: Campaign, *, hazards: int = 10) -> tuple[OrgUnit, User]:
    """A second district in the same database with `hazards` hazards, logged and moved through
    the services, and its own reviewer: the dashboard's query count is read there and at full
    volume in the same run, on the same code and the same database."""
    district = OrgUnit.objects.filter(code=SMALL_CODE).first()
    if district is None:
        with transaction.atomic():
            city = OrgUnit.objects.get(code=DISTRICT_CODE).parent

            def unit(code, name, kind, parent):
                return orgunit_save(by=None, unit=OrgUnit(code=code, name=name, kind=kind, parent=parent))

            district = unit(SMALL_CODE, "基准测试区", OrgUnit.Kind.DISTRICT, city)
            office = unit(f"{SMALL_CODE}-CJB", "基准测试区创建办", OrgUnit.Kind.OFFICE, district)
            for s in (1, 2):
                street = unit(f"{SMALL_CODE}00{s}", f"基准第{s}街道", OrgUnit.Kind.STREET, district)
                for c in (1, 2):
                    unit(f"{SMALL_CODE}00{s}00{c}", f"基准第{s}街道第{c}社区", OrgUnit.Kind.COMMUNITY, street)
            reviewer = user_create(by=None, username="bench-small-office", full_name="基准测试区创建办 审核员")
            membership_create(user=reviewer, unit=office, role=Role.REVIEWER)
            campaign = save_with_history(
                Campaign(
                    name="基准测试区创建国家安全发展示范城市（基准测试）",
                    district=district,
                    starts_on=like.starts_on,
                    ends_on=like.ends_on,
                    baseline_year=like.baseline_year,
                ),
                None,
            )
            for target in like.targets.all():
                save_with_history(
                    Target(campaign=campaign, indicator=target.indicator, kind=target.kind, value=target.value), None
                )
    district.refresh_from_db()
    reviewer = User.objects.get(username="bench-small-office")
    _small_hazards(district, reviewer, hazards)
    return district, reviewer


def _small_hazards(district: OrgUnit, by: User, total: int) -> None:
    from hazards.services import hazard_assign, hazard_cancel, hazard_report

    have = in_district(Hazard.objects, district).count()
    communities = list(OrgUnit.objects.filter(parent__parent=district, kind=OrgUnit.Kind.COMMUNITY).order_by("code"))
    sectors = list(Sector.objects.order_by("order"))
    now = timezone.now()
    for n in range(have, total):
        place = communities[n % len(communities)]
        with transaction.atomic():
            hazard = hazard_report(
                by=by,
                title=HAZARD_TITLES[n % len(HAZARD_TITLES)],
                unit=place,
                sector=sectors[n % len(sectors)],
                description="基准测试用隐患",
                source=Source.INSPECTION,
                found_at=now - datetime.timedelta(days=20 * n + 1),
            )
            if n % 3 == 1:
                hazard_assign(
                    hazard=hazard,
                    by=by,
                    responsible_unit=place.parent,
                    responsible_person=PEOPLE[n % len(PEOPLE)],
                    deadline=deadline_today() + datetime.timedelta(days=n + 1),
                )
            elif n % 5 == 4:
                hazard_cancel(hazard=hazard, by=by, reason="经核实为重复登记")
