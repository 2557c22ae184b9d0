"""Each kind of reader sees exactly its own scope's figures on its dashboard, drills down only
within it, and gets a 404 for any other unit's page, whatever the URL says. Every unit and sector
has a number of its own (oversight.tests.board), so a figure that leaked would be recognised."""

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse

from districts.models import OrgUnit, Role
from jobs.models import Job
from oversight.tests.board import *  # noqa: F403 (the fixtures)
from oversight.tests.board import (
    BUILDING_BUREAU,
    DENGXIN,
    DISTRICT,
    FIRE_BRIGADE,
    OVERDUE,
    REPORTS,
    TIANSHUI,
    WULIN,
    XIANLIN,
    ZHONGBEI,
    card_links,
    card_values,
    ranking_rows,
    unit_pk,
)

pytestmark = pytest.mark.django_db


def rate(numerator, denominator) -> str:
    """As the page shows a rate: percent to 0.1, halves rounded up."""
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}%"


def expected_cards(code: str, sector: str | None, reports_of: str | None) -> dict[str, str]:
    """The cards as the board's rows make them: overdue n, n + 10 found and 10 closed to date,
    n % 5 listed, n % 7 red and n % 4 orange risks; the reports of `reports_of`."""
    n = OVERDUE[(code, sector)]
    cards = {}
    if reports_of:
        expected, filed, on_time = REPORTS[reports_of]
        cards |= {"report_rate": rate(filed, expected), "timely_rate": rate(on_time, expected)}
    return cards | {
        "closure_rate": rate(10, n + 10),
        "hazards_overdue": str(n),
        "major_hazards_listed": str(n % 5),
        "red_orange_risks": str(n % 7 + n % 4),
    }


def page(client, sign_in, user, url=None, **params):
    sign_in(client, user)
    return client.get(url or reverse("oversight:dashboard"), params)


def unit_url(code: str) -> str:
    return reverse("oversight:unit", args=[unit_pk(code)])


# Each reader's own dashboard: (reader, the unit its page is of, the cards' unit and sector, whose
# reports, the ranked children and their overdue figures).
OWN = [
    ("office", DISTRICT, (DISTRICT, None), DISTRICT, {WULIN: 31, TIANSHUI: 27}),
    ("leader", DISTRICT, (DISTRICT, None), DISTRICT, {WULIN: 31, TIANSHUI: 27}),
    ("wulin", WULIN, (WULIN, None), WULIN, {ZHONGBEI: 17, XIANLIN: 14}),
    ("fire", FIRE_BRIGADE, (DISTRICT, "fire_safety"), FIRE_BRIGADE, {WULIN: 13, TIANSHUI: 9}),
    ("team", "330103-XCZ1", (TIANSHUI, None), TIANSHUI, {TIANSHUI: 27}),
    ("zhongbei", ZHONGBEI, (ZHONGBEI, None), ZHONGBEI, {}),
]


@pytest.mark.parametrize("reader, page_of, cards_of, reports_of, children", OWN, ids=[r[0] for r in OWN])
def test_each_reader_sees_exactly_its_own_scopes_figures(
    client, sign_in, board, reader, page_of, cards_of, reports_of, children
):
    response = page(client, sign_in, board["users"][reader])
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-unit="{unit_pk(page_of)}"' in html
    assert card_values(html) == expected_cards(*cards_of, reports_of)
    ranking = ranking_rows(html)
    shown = {pk: int(cells[-4]) for pk, cells in ranking.items() if int(cells[-4])}
    assert shown == {unit_pk(code): n for code, n in children.items()}


def test_the_office_ranks_the_departments_by_their_reports_and_their_sectors_hazards(client, sign_in, board):
    html = page(client, sign_in, board["users"]["office"]).content.decode()
    departments = ranking_rows(html, "departments")
    fire = departments[unit_pk(FIRE_BRIGADE)]
    # rank, name, sectors, 报送率, 及时率, 整改率, overdue: fire safety district-wide (41)
    assert fire[1:] == ["区消防救援大队", "消防安全", "75.0%", "75.0%", rate(10, 51), "41"]
    bureau = departments[unit_pk(BUILDING_BUREAU)]
    assert bureau[3:] == ["20.0%", "0.0%", rate(10, 69), "59"]
    # Ranked by 及时率: the fire brigade (75 %) above the building bureau (0 %).
    assert fire[0] < bureau[0]


def test_a_department_sees_its_sector_and_its_own_reports_and_no_other_figure(client, sign_in, board):
    html = page(client, sign_in, board["users"]["fire"]).content.decode()
    assert 'data-testid="departments"' not in html
    # The district's all-sector figures and the streets' reports are not the department's.
    for leaked in ("100", rate(44, 64), rate(7, 8)):
        assert f"data-value>{leaked}<" not in html
    # Drilling to a street keeps to fire safety, and shows no report.
    html = client.get(unit_url(WULIN)).content.decode()
    assert card_values(html) == expected_cards(WULIN, "fire_safety", None)
    assert {pk: cells[-4] for pk, cells in ranking_rows(html).items() if cells[-4] != "0"} == {unit_pk(ZHONGBEI): "6"}
    # The district page too: fire safety, no departments, no reports.
    html = client.get(unit_url(DISTRICT)).content.decode()
    assert card_values(html) == expected_cards(DISTRICT, "fire_safety", None)
    assert 'data-testid="departments"' not in html


def test_a_department_asking_for_another_sector_is_shown_its_own(client, sign_in, board):
    construction = board["sectors"]["construction"].pk
    response = page(client, sign_in, board["users"]["fire"], unit_url(WULIN), sector=construction)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="notice"' in html
    assert card_values(html)["hazards_overdue"] == "13"


@pytest.mark.parametrize(
    "reader, forbidden",
    [
        ("wulin", [TIANSHUI, DENGXIN, DISTRICT, FIRE_BRIGADE, "330103-XCZ1", "330103-CJB"]),
        ("tianshui", [WULIN, ZHONGBEI, XIANLIN, DISTRICT]),
        ("zhongbei", [XIANLIN, WULIN, TIANSHUI, DISTRICT]),
        ("team", [WULIN, ZHONGBEI, DISTRICT, FIRE_BRIGADE]),
        ("fire", [BUILDING_BUREAU, "330103-XCZ1", "330103-CJB"]),
        ("grid", [ZHONGBEI, WULIN, DISTRICT]),
        ("security", [DISTRICT, WULIN]),
    ],
)
def test_a_reader_cannot_open_another_units_dashboard_by_its_url(client, sign_in, board, reader, forbidden):
    sign_in(client, board["users"][reader])
    for code in forbidden:
        assert client.get(unit_url(code)).status_code == 404, code


def test_a_street_cannot_reach_another_streets_drill_down_by_url(client, sign_in, board):
    sign_in(client, board["users"]["wulin"])
    assert client.get(unit_url(ZHONGBEI)).status_code == 200
    for code in (TIANSHUI, DENGXIN):
        response = client.get(unit_url(code), {"sector": board["sectors"]["fire_safety"].pk})
        assert response.status_code == 404
        # Not its figure either (a text "27"; a link's id such as /unit/2777/ is not one).
        assert re.search(r">\s*27\s*<", response.content.decode()) is None
    # The other street's own staff do see it.
    sign_in(client, board["users"]["tianshui"])
    assert card_values(client.get(unit_url(TIANSHUI)).content.decode())["hazards_overdue"] == "27"


def test_no_one_opens_another_districts_dashboard(client, sign_in, board, make_user):
    city = OrgUnit.objects.get(code="330100")
    other = OrgUnit.objects.create(code="330104", name="江干区", kind=OrgUnit.Kind.DISTRICT, parent=city)
    street = OrgUnit.objects.create(code="330104001", name="凯旋街道", kind=OrgUnit.Kind.STREET, parent=other)
    for reader in ("office", "leader", "wulin", "fire", "team"):
        sign_in(client, board["users"][reader])
        for unit in (other, street):
            assert client.get(reverse("oversight:unit", args=[unit.pk])).status_code == 404, reader


def test_the_office_drills_from_the_district_to_a_street_to_a_community_to_its_list(client, sign_in, board):
    html = page(client, sign_in, board["users"]["office"]).content.decode()
    wulin = f'href="{unit_url(WULIN)}"'
    assert wulin in html
    html = client.get(unit_url(WULIN)).content.decode()
    assert card_values(html)["hazards_overdue"] == "31"
    assert f'href="{unit_url(ZHONGBEI)}"' in html
    assert 'data-testid="breadcrumbs"' in html and f'href="{unit_url(DISTRICT)}"' in html
    html = client.get(unit_url(ZHONGBEI)).content.decode()
    assert card_values(html)["hazards_overdue"] == "17"
    assert card_links(html)["hazards_overdue"] == f"/hazards/?unit={unit_pk(ZHONGBEI)}&overdue=true"


def test_the_office_opens_a_department_and_a_teams_page(client, sign_in, board):
    sign_in(client, board["users"]["office"])
    html = client.get(unit_url(FIRE_BRIGADE)).content.decode()
    assert card_values(html) == expected_cards(DISTRICT, "fire_safety", FIRE_BRIGADE)
    html = client.get(reverse("oversight:unit", args=[board["team"].pk])).content.decode()
    assert card_values(html) == expected_cards(TIANSHUI, None, TIANSHUI)


def test_someone_with_several_dashboards_gets_a_picker(client, sign_in, board, unit):
    user = board["users"]["wulin"]
    user.memberships.create(unit=unit(FIRE_BRIGADE), role=Role.DEPARTMENT_STAFF)
    html = page(client, sign_in, user).content.decode()
    picker = html.split('data-testid="lens-picker"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{unit_url(FIRE_BRIGADE)}"' in picker and f'href="{unit_url(WULIN)}"' in picker
    # The street page of Wulin, by their street membership: every sector, and their reports.
    html = client.get(unit_url(WULIN)).content.decode()
    assert card_values(html) == expected_cards(WULIN, None, WULIN)
    # Tianshui, through the department: fire safety only.
    html = client.get(unit_url(TIANSHUI)).content.decode()
    assert card_values(html) == expected_cards(TIANSHUI, "fire_safety", None)


@pytest.mark.parametrize("reader", ["grid", "security"])
def test_someone_with_no_dashboard_is_told_so_and_has_no_menu_link(client, sign_in, board, reader):
    response = page(client, sign_in, board["users"][reader])
    assert response.status_code == 403
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="nav-dashboard"' not in home


def test_the_menu_links_a_reader_to_their_dashboard(client, sign_in, board):
    sign_in(client, board["users"]["wulin"])
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("oversight:dashboard")}" data-testid="nav-dashboard">数据看板<' in html


def test_the_page_says_when_its_figures_were_built(client, sign_in, board):
    html = page(client, sign_in, board["users"]["office"]).content.decode()
    as_of = html.split('data-testid="as-of"', 1)[1].split("</p>", 1)[0]
    assert "数据截至" in as_of


def test_figures_never_built_show_dashes_and_say_so(client, sign_in, board):
    from oversight.models import RollupState

    RollupState.objects.all().delete()
    html = page(client, sign_in, board["users"]["office"]).content.decode()
    assert set(card_values(html).values()) == {"—"}
    assert "尚未生成" in html.split('data-testid="as-of"', 1)[1].split("</p>", 1)[0]


def test_the_page_is_in_english_when_asked(client, sign_in, board):
    sign_in(client, board["users"]["office"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("oversight:dashboard")).content.decode()
    assert "Overdue hazards" in html and "Figures as of" in html


# ------------------------------------------------------------------------------------------ rebuild


def test_a_reviewer_starts_a_rebuild_and_watches_it(client, sign_in, board):
    html = page(client, sign_in, board["users"]["office"]).content.decode()
    assert 'data-testid="rebuild"' in html
    response = client.post(reverse("oversight:rebuild"), {"district": board["district"].pk})
    job = Job.objects.get(kind="rollups")
    assert response.status_code == 302 and response.url == reverse("job_detail", args=[job.pk])
    assert job.unit_id == board["district"].pk and job.started_by == board["users"]["office"]
    assert job.params == {"full": True}


def test_a_system_administrator_may_rebuild_too(client, sign_in, board, make_user):
    admin = make_user(Role.SYSTEM_ADMIN, board["district"])
    html = page(client, sign_in, admin).content.decode()
    assert 'data-testid="rebuild"' in html
    assert client.post(reverse("oversight:rebuild"), {"district": board["district"].pk}).status_code == 302


@pytest.mark.parametrize("reader", ["leader", "wulin", "fire", "team"])
def test_only_the_office_and_administrators_may_rebuild(client, sign_in, board, reader):
    html = page(client, sign_in, board["users"][reader]).content.decode()
    assert 'data-testid="rebuild"' not in html
    assert client.post(reverse("oversight:rebuild"), {"district": board["district"].pk}).status_code == 403
    assert not Job.objects.filter(kind="rollups").exists()


def test_a_rebuild_of_nothing_is_not_found(client, sign_in, board):
    sign_in(client, board["users"]["office"])
    for district in ("", "x", "９", "99999999999999999999", str(unit_pk(WULIN))):
        assert client.post(reverse("oversight:rebuild"), {"district": district}).status_code == 404
    assert client.get(reverse("oversight:rebuild")).status_code == 405
