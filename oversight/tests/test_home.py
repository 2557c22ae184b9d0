"""The home page shows the dashboard's cards of the person's own scope above their to-do list:
the same figures as their dashboard, a set per dashboard they have, none for someone without."""

import pytest
from django.urls import reverse

from districts.models import Role
from oversight.tests.board import *  # noqa: F403 (the fixtures)
from oversight.tests.board import DISTRICT, FIRE_BRIGADE, TIANSHUI, WULIN, ZHONGBEI, card_values, unit_pk

pytestmark = pytest.mark.django_db


def home(client, sign_in, user) -> str:
    sign_in(client, user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "reader, kind, code, overdue",
    [
        ("office", "district", DISTRICT, "100"),
        ("leader", "district", DISTRICT, "100"),
        ("wulin", "street", WULIN, "31"),
        ("fire", "department", FIRE_BRIGADE, "41"),
        ("team", "team", "330103-XCZ1", "27"),
        ("zhongbei", "community", ZHONGBEI, "17"),
    ],
)
def test_the_home_page_shows_the_cards_of_the_readers_own_scope(client, sign_in, board, reader, kind, code, overdue):
    html = home(client, sign_in, board["users"][reader])
    key = f"{kind}-{unit_pk(code)}"
    assert card_values(html, key)["hazards_overdue"] == overdue
    # The same figures as the dashboard's own cards.
    dashboard = client.get(reverse("oversight:dashboard")).content.decode()
    assert card_values(html, key) == card_values(dashboard)
    # Above the to-do list, with a way to the whole dashboard.
    assert html.index('data-testid="home-cards"') < html.index('id="todo-heading"')
    assert 'data-testid="to-dashboard"' in html


def test_someone_with_two_dashboards_sees_both_sets(client, sign_in, board, unit):
    user = board["users"]["wulin"]
    user.memberships.create(unit=unit(TIANSHUI), role=Role.STREET_STAFF)
    html = home(client, sign_in, user)
    assert card_values(html, f"street-{unit_pk(WULIN)}")["hazards_overdue"] == "31"
    assert card_values(html, f"street-{unit_pk(TIANSHUI)}")["hazards_overdue"] == "27"


@pytest.mark.parametrize("reader", ["grid", "security"])
def test_someone_without_a_dashboard_sees_no_cards(client, sign_in, board, reader):
    html = home(client, sign_in, board["users"][reader])
    assert 'data-testid="home-cards"' not in html


def test_the_home_page_says_when_there_are_no_figures_yet(client, sign_in, board):
    from oversight.models import RollupState

    RollupState.objects.all().delete()
    html = home(client, sign_in, board["users"]["wulin"])
    cards = html.split('data-testid="home-cards"', 1)[1]
    assert "数据尚未生成" in cards
    assert card_values(html)["hazards_overdue"] == "—"
