"""What changes between two rebuilds: hazards changed through the hazard services, as the office
would change them, before each incremental rebuild is timed."""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from campaign.lib.deadlines import deadline_today
from districts.models import OrgUnit, Sector, User
from hazards.models import Hazard, Source
from oversight.bench.common import HAZARD_TITLES, OFFICE_USERNAME, PEOPLE, in_district


def change_hazards(within: OrgUnit, count: int, *, rng: random.Random) -> dict[str, int]:
    """`count` hazards under `within` changed through the hazard services, as the office would:
    a third logged, a third assigned (reported → rectifying), the rest cancelled (rectifying →
    cancelled; more of them where too few were left to assign), picked at random, so that across
    a district they touch as many communities as they can."""
    from hazards.models import Grade, Status
    from hazards.services import hazard_assign, hazard_cancel, hazard_report

    office = User.objects.get(username=OFFICE_USERNAME)
    places = list(in_district(OrgUnit.objects, within, lookup="").filter(kind=OrgUnit.Kind.COMMUNITY))
    sectors = list(Sector.objects.all())
    hazards = in_district(Hazard.objects, within).order_by("?")
    logged = count - 2 * (count // 3)
    to_assign = list(hazards.filter(status=Status.REPORTED, grade=Grade.GENERAL).select_related("unit")[: count // 3])
    to_cancel = list(hazards.filter(status=Status.RECTIFYING)[: count - logged - len(to_assign)])
    done = {"logged": 0, "assigned": 0, "cancelled": 0}
    for _ in range(logged):
        with transaction.atomic():
            hazard_report(
                by=office,
                title=rng.choice(HAZARD_TITLES),
                unit=rng.choice(places),
                sector=rng.choice(sectors),
                location="基准测试",
                description="基准测试：增量重建前新登记的隐患",
                source=Source.INSPECTION,
            )
        done["logged"] += 1
    for hazard in to_assign:
        place = hazard.unit
        street = OrgUnit.objects.get(
            tree_id=place.tree_id, lft__lte=place.lft, rght__gte=place.rght, kind=OrgUnit.Kind.STREET
        )
        with transaction.atomic():
            hazard_assign(
                hazard=hazard,
                by=office,
                responsible_unit=street,
                responsible_person=rng.choice(PEOPLE),
                deadline=deadline_today() + datetime.timedelta(days=rng.randint(7, 30)),
                measures="按照相关标准立即整改",
            )
        done["assigned"] += 1
    for hazard in to_cancel:
        with transaction.atomic():
            hazard_cancel(hazard=hazard, by=office, reason="基准测试：经核实为重复登记")
        done["cancelled"] += 1
    return done
