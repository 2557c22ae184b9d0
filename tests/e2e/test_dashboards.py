"""The creation office opens the dashboard from the menu and drills down from the district to the
street with the most overdue hazards, to its community with the most, to the list of that
community's overdue hazards: at every level the list behind the card holds as many rows as the
card says. On a phone the page never scrolls sideways."""

import pytest
from playwright.sync_api import Page, expect

from campaign.demo import DEMO_PASSWORD, load_demo
from tests.e2e.conftest import sign_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(transactional_db):
    """The demo district, its records, and its rollups (built when the demo is loaded)."""
    load_demo()


def overdue_card(page: Page) -> int:
    return int(page.locator("[data-card=hazards_overdue] [data-value]").inner_text())


def open_worst_child(page: Page) -> str:
    """Open the ranked child (street or community) with the most overdue hazards; its name."""
    rows = page.locator("[data-testid=ranking] tbody tr")
    counts = [int(rows.nth(i).locator("[data-overdue]").inner_text()) for i in range(rows.count())]
    worst = counts.index(max(counts))
    assert counts[worst] > 0, "the demo has overdue hazards somewhere"
    link = rows.nth(worst).locator("th a")
    name = link.inner_text()
    with page.expect_navigation():
        link.click()
    expect(page.locator("h1")).to_contain_text(name)
    return name


def assert_list_matches_card(page: Page, base: str) -> int:
    """Follow the overdue card to its list (and come back): as many rows as the card said."""
    shown = overdue_card(page)
    here = page.url
    with page.expect_navigation():
        page.locator("[data-card=hazards_overdue] a[data-value]").click()
    assert page.url.startswith(f"{base}/hazards/?") and "overdue=true" in page.url
    expect(page.locator("tr[data-hazard]")).to_have_count(shown)
    page.goto(here)
    return shown


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_office_drills_from_the_district_to_a_communitys_overdue_hazards(page: Page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "office", DEMO_PASSWORD)
    page.get_by_test_id("nav-dashboard").click()
    expect(page.get_by_test_id("dashboard")).to_have_attribute("data-kind", "district")
    expect(page.get_by_test_id("as-of")).to_contain_text("数据截至")
    district = assert_list_matches_card(page, base)

    open_worst_child(page)
    expect(page.get_by_test_id("dashboard")).to_have_attribute("data-kind", "street")
    street = assert_list_matches_card(page, base)
    assert 0 < street <= district

    open_worst_child(page)
    expect(page.get_by_test_id("dashboard")).to_have_attribute("data-kind", "community")
    community = overdue_card(page)
    assert 0 < community <= street
    # The last step: the community's list of overdue hazards.
    with page.expect_navigation():
        page.locator("[data-card=hazards_overdue] a[data-value]").click()
    expect(page.locator("tr[data-hazard]")).to_have_count(community)
    expect(page.get_by_text(f"共 {community} 条隐患")).to_be_visible()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_fits_a_phone(page: Page, live_server, demo):
    base = live_server.url
    page.set_viewport_size(PHONE)
    sign_in(page, base, "wulin", DEMO_PASSWORD)
    for path in ("/dashboard/", "/"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    page.goto(base + "/dashboard/")
    # Two cards a row; every chart no wider than the screen; the ranking scrolls in its wrapper.
    cards = page.locator("[data-testid=cards] > li")
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert abs(first["y"] - second["y"]) < 1 and second["x"] > first["x"]
    for i in range(page.locator("[data-testid=dashboard] svg").count()):
        box = page.locator("[data-testid=dashboard] svg").nth(i).bounding_box()
        if box:  # the narrow or the wide drawing: one of each pair is hidden
            assert box["x"] + box["width"] <= PHONE["width"] + 0.5
