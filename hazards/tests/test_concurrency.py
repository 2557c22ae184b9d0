"""People acting at the same moment, on PostgreSQL with real connections: hazards logged
in parallel never share a number, and of two verifiers acting on one hazard one wins and
the other is told it has been handled."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils.translation import override

from campaign.tests.images import photo
from districts.models import OrgUnit, Role, Sector
from districts.structure import load_district
from districts.tests.factories import add_team
from hazards import services
from hazards.models import Action, Hazard, HazardEvent, Source, Status, deadline_today
from hazards.tests.conftest import WULIN, ZHONGBEI

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]


def in_threads(count, work):
    """Run work(i) in `count` threads released at once; each has its own connection.
    Returns what each returned or raised."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # the outcome is what the test looks at
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.fixture
def world(make_user):
    load_district()
    district = OrgUnit.objects.get(code="330103")
    team = add_team("TEAM-W", district, [OrgUnit.objects.get(code=WULIN)])
    return {
        "inspectors": [make_user(Role.INSPECTOR, team) for _ in range(8)],
        "reviewer": make_user(Role.REVIEWER, OrgUnit.objects.get(code="330103-CJB")),
        "street": make_user(Role.STREET_STAFF, OrgUnit.objects.get(code=WULIN)),
        "fire": Sector.objects.get(code="fire_safety"),
        "place": OrgUnit.objects.get(code=ZHONGBEI),
    }


def test_hazards_logged_at_once_never_share_a_number(world):
    def log(i):
        return services.hazard_report(
            by=world["inspectors"][i],
            title=f"并发登记{i}",
            unit=world["place"],
            sector=world["fire"],
            description="测试",
            source=Source.INSPECTION,
        ).number

    numbers = [n for _round in range(3) for n in in_threads(8, log)]
    assert all(isinstance(n, str) for n in numbers), numbers
    assert len(set(numbers)) == 24
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(1, 25))


def test_of_two_verifiers_acting_at_once_one_wins_and_the_other_is_told(world):
    hazard = services.hazard_report(
        by=world["inspectors"][0],
        title="电缆井未封堵",
        unit=world["place"],
        sector=world["fire"],
        description="三楼电缆井未做防火封堵",
        source=Source.INSPECTION,
    )
    hazard = services.hazard_assign(
        hazard=hazard,
        by=world["street"],
        responsible_unit=OrgUnit.objects.get(code=WULIN),
        responsible_person="王芳",
        deadline=deadline_today() + datetime.timedelta(days=5),
    )
    hazard = services.hazard_submit(hazard=hazard, by=world["street"], rectification="已封堵", photos=[photo()])
    seen = [Hazard.objects.get(pk=hazard.pk), Hazard.objects.get(pk=hazard.pk)]

    def verify(i):
        with override("zh-hans"):
            if i == 0:
                return services.hazard_close(hazard=seen[0], by=world["inspectors"][1])
            return services.hazard_return(hazard=seen[1], by=world["reviewer"], reason="封堵材料不合格")

    outcomes = in_threads(2, verify)
    won = [o for o in outcomes if isinstance(o, Hazard)]
    lost = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert lost[0].error_list[0].code == "concurrent_change"
    final = Hazard.objects.get(pk=hazard.pk)
    assert final.status == won[0].status in (Status.CLOSED, Status.RECTIFYING)
    verifications = HazardEvent.objects.filter(hazard=hazard, action__in=[Action.CLOSE, Action.RETURN])
    assert verifications.count() == 1
