"""Every card that links to a record list opens the list of exactly the records it counted: after
a rebuild from real hazards and risks, the list behind each card of each page holds as many rows
as the card says — for the office at the district, a street and a community, for a street's
staff, for a lead department's sector and for an inspection team."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign.lib.deadlines import deadline_today
from districts.models import Role, Sector, User
from districts.tests.factories import add_grids, add_team
from hazards.models import Grade, Hazard, Source, Status, SupervisionListing
from oversight.rollups import rebuild
from oversight.tests.board import *  # noqa: F403 (the fixtures)
from oversight.tests.board import DENGXIN, DISTRICT, TIANSHUI, WULIN, XIANLIN, ZHONGBEI, card_links, card_values
from risks.models import AccidentType, AssessmentMethod, Level, RiskPoint
from risks.tests.factories import grade_in_bulk

pytestmark = pytest.mark.django_db

LINKED = ("closure_rate", "hazards_overdue", "major_hazards_listed")


@pytest.fixture
def records(running, unit):
    """Hazards in every state the cards count, and risks of every level, some retired, in
    Wulin, its communities and a grid of Zhongbei, and in Tianshui; of two sectors."""
    today = deadline_today()
    now = timezone.now()
    finder = User.objects.create_user(username="finder")
    fire, construction = Sector.objects.get(code="fire_safety"), Sector.objects.get(code="construction")
    grid = add_grids(unit(ZHONGBEI), 1)[0]
    places = [unit(WULIN), unit(ZHONGBEI), grid, unit(XIANLIN), unit(TIANSHUI), unit(DENGXIN)]
    found = now - datetime.timedelta(days=40)
    states = [
        # (status, deadline in days, rectified, closed, major and listed: True; major, not listed: None)
        (Status.REPORTED, None, False, False, False),
        (Status.RECTIFYING, -3, False, False, False),  # overdue
        (Status.RECTIFYING, -1, False, False, True),  # overdue, listed
        (Status.RECTIFYING, 5, False, False, False),
        (Status.AWAITING_VERIFICATION, -2, True, False, False),  # past its deadline, but rectified
        (Status.CLOSED, -10, True, True, False),
        (Status.CLOSED, 3, True, True, True),  # closed: listed no more
        (Status.RECTIFYING, 10, False, False, True),  # listed, open
        (Status.CANCELLED, None, False, False, False),
        (Status.RECTIFYING, 7, False, False, None),  # major, not listed (yet): not a listed one
    ]
    hazards, n = [], 0
    for p, place in enumerate(places):
        for s, (status, deadline, rectified, closed, listed) in enumerate(states):
            if (p + s) % 4 == 3:
                continue  # not every place has every state: the numbers differ
            n += 1
            assigned = status not in (Status.REPORTED, Status.CANCELLED)
            hazards.append(
                (
                    Hazard(
                        number=f"L-{n:04d}",
                        title=f"隐患{n}",
                        unit=place,
                        sector=fire if n % 3 else construction,
                        description="描述",
                        grade=Grade.GENERAL if listed is False else Grade.MAJOR,
                        source=Source.INSPECTION,
                        found_by=finder,
                        found_at=found,
                        status=status,
                        responsible_unit=place if assigned else None,
                        deadline=today + datetime.timedelta(days=deadline) if assigned else None,
                        assigned_at=found + datetime.timedelta(days=1) if assigned else None,
                        rectified_at=now - datetime.timedelta(days=1) if rectified else None,
                        closed_at=now - datetime.timedelta(hours=5) if closed else None,
                    ),
                    bool(listed),
                )
            )
    made = Hazard.objects.bulk_create([h for h, _listed in hazards])
    SupervisionListing.objects.bulk_create(
        SupervisionListing(
            hazard=h,
            supervising_unit=unit(DISTRICT),
            document_number=f"督-{h.number}",
            listed_on=today - datetime.timedelta(days=30),
            listed_by=finder,
            plan_measures="措施",
            plan_funds=1,
            plan_responsible="张三",
            plan_time_limit=today + datetime.timedelta(days=30),
            plan_contingency="预案",
        )
        for h, (_h, listed) in zip(made, hazards, strict=True)
        if listed
    )

    version = AssessmentMethod.objects.get(code="lec").current
    levels = [Level.MAJOR, Level.SIGNIFICANT, Level.GENERAL, Level.SIGNIFICANT, Level.MAJOR, None]
    specs = [(place, level, i % 5 == 4) for i, (place, level) in enumerate((p, lv) for p in places for lv in levels)]
    risks = RiskPoint.objects.bulk_create(
        RiskPoint(
            name=f"风险点{i}",
            unit=place,
            sector=fire if i % 2 else construction,
            accident_type=AccidentType.FIRE,
            responsible_unit=place,
            responsible_person="张三",
            status=RiskPoint.Status.RETIRED if retired else RiskPoint.Status.ACTIVE,
        )
        for i, (place, _level, retired) in enumerate(specs)
    )
    graded = [(risk, level) for risk, (_p, level, _r) in zip(risks, specs, strict=True) if level]
    grade_in_bulk(graded, version=version, by=finder)
    # Retired an hour ago: off the register now (its last change is its retirement).
    RiskPoint.objects.filter(status=RiskPoint.Status.RETIRED).update(updated_at=now - datetime.timedelta(hours=1))
    rebuild(unit(DISTRICT), full=True)
    return {"fire": fire}


def listed_rows(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def red_orange_links(html: str) -> list[str]:
    card = html.split('data-card="red_orange_risks"', 1)[1].split("</li>", 1)[0]
    return [url.replace("&amp;", "&") for url in re.findall(r'<a href="([^"]+)"[^>]*data-link=', card)]


def assert_cards_match_their_lists(client, html: str):
    values, links = card_values(html), card_links(html)
    checked = 0
    for key in LINKED:
        url = links.get(key)
        assert url, f"{key} has no list"
        shown = listed_rows(client, url)
        if key == "closure_rate":
            # The closure rate links to the closed hazards: its note's numerator.
            card = html.split(f'data-card="{key}"', 1)[1].split("</li>", 1)[0]
            closed = int(re.search(r"已销号 (\d+) 项", card).group(1))
            assert shown == closed, (key, url)
        else:
            assert shown == int(values[key]), (key, url, values[key])
        checked += 1
    red, orange = red_orange_links(html)
    assert listed_rows(client, red) + listed_rows(client, orange) == int(values["red_orange_risks"])
    return checked


@pytest.mark.parametrize("code", [DISTRICT, WULIN, ZHONGBEI, XIANLIN, TIANSHUI])
def test_the_offices_cards_open_lists_of_as_many_rows(client, sign_in, make_user, unit, records, code):
    sign_in(client, make_user(Role.REVIEWER, unit("330103-CJB")))
    html = client.get(reverse("oversight:unit", args=[unit(code).pk])).content.decode()
    assert int(card_values(html)["hazards_overdue"]) > 0 or code == XIANLIN
    assert assert_cards_match_their_lists(client, html) == len(LINKED)


def test_the_office_with_a_sector_chosen_opens_that_sectors_lists(client, sign_in, make_user, unit, records):
    sign_in(client, make_user(Role.REVIEWER, unit("330103-CJB")))
    for code in (DISTRICT, WULIN):
        url = reverse("oversight:unit", args=[unit(code).pk])
        html = client.get(url, {"sector": records["fire"].pk}).content.decode()
        assert_cards_match_their_lists(client, html)


@pytest.mark.parametrize(
    "role, code", [(Role.STREET_STAFF, WULIN), (Role.COMMUNITY_STAFF, ZHONGBEI), (Role.DEPARTMENT_STAFF, "330103-XFJY")]
)
def test_every_readers_cards_open_lists_of_as_many_rows(client, sign_in, make_user, unit, records, role, code):
    sign_in(client, make_user(role, unit(code)))
    html = client.get(reverse("oversight:dashboard")).content.decode()
    assert_cards_match_their_lists(client, html)


def test_an_inspection_teams_cards_open_lists_of_as_many_rows(client, sign_in, make_user, unit, records):
    team = add_team("330103-XCZ1", unit(DISTRICT), [unit(WULIN), unit(TIANSHUI)])
    sign_in(client, make_user(Role.INSPECTOR, team))
    html = client.get(reverse("oversight:dashboard")).content.decode()
    assert_cards_match_their_lists(client, html)
