"""A street's staff member in a real browser: sign in, see the street's sites and only those,
on a desktop screen and on a phone. Plus the language switch in the footer.

UI strings are English msgids whose Chinese translations may not be in the catalog yet, so
these tests assert on data (Chinese site names), lang attributes, URLs and data-testid only.
"""

import random
import re

import pytest
from playwright.sync_api import Page, expect

from campaign.demo import credit_code
from campaign.plan import load_plan
from districts.models import Membership, OrgUnit, Role, Sector, Site, User

PASSWORD = "e2e-pw-not-for-production"
WULIN, TIANSHUI = "330103002", "330103003"
WULIN_SITES = ["杭州安顺加油站（武林街道）", "杭州恒泰餐饮店（中北社区）"]
TIANSHUI_SITE = "杭州明远商场（天水街道）"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def street(transactional_db):
    """The plan, two Wulin sites (one on the street, one in a community), one Tianshui site,
    and a Wulin street-staff user. Returns the sites by name and the user."""
    load_plan()
    unit = {u.code: u for u in OrgUnit.objects.filter(code__in=[WULIN, "330103002051", TIANSHUI])}
    fire = Sector.objects.get(code="fire_safety")
    places = [(WULIN_SITES[0], WULIN), (WULIN_SITES[1], "330103002051"), (TIANSHUI_SITE, TIANSHUI)]
    sites = {}
    for n, (name, code) in enumerate(places, start=1):
        code_rng = random.Random(n)  # reproducible test data
        site = Site(name=name, credit_code=credit_code(code_rng), unit=unit[code], sector=fire)
        site.full_clean()
        site.save()
        sites[name] = site
    user = User.objects.create_user(username="wulin-e2e", password=PASSWORD, full_name="武林街道 王芳")
    Membership.objects.create(user=user, unit=unit[WULIN], role=Role.STREET_STAFF)
    return sites, user


def sign_in(page: Page, base_url: str, next_path: str = "/sites/") -> None:
    """Through the real login form, as a person would."""
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.locator("#id_username").fill("wulin-e2e")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}{next_path}")
    expect(page.get_by_test_id("current-user")).to_have_text("武林街道 王芳")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_street_staff_sees_own_street_only(page: Page, live_server, street):
    sites, _ = street
    sign_in(page, live_server.url)

    table = page.get_by_test_id("site-table")
    for name in WULIN_SITES:
        expect(table.get_by_role("link", name=name)).to_be_visible()
    expect(table).not_to_contain_text(TIANSHUI_SITE)
    expect(table.locator("tbody tr")).to_have_count(len(WULIN_SITES))

    # Its own site opens …
    own = sites[WULIN_SITES[0]]
    table.get_by_role("link", name=own.name).click()
    expect(page).to_have_url(f"{live_server.url}/sites/{own.pk}/")
    expect(page.locator("main")).to_contain_text(own.credit_code)

    # … the other street's does not, even by typing its address.
    other = sites[TIANSHUI_SITE]
    response = page.goto(f"{live_server.url}/sites/{other.pk}/")
    assert response.status == 404
    expect(page.get_by_test_id("not-found")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(TIANSHUI_SITE)
    expect(page.locator("body")).not_to_contain_text(other.credit_code)


@pytest.mark.e2e
@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
@pytest.mark.django_db(transaction=True)
def test_phone_navbar_collapses_and_site_list_reads(page: Page, live_server, street):
    sign_in(page, live_server.url)

    # The menu folds behind the toggler and opens on a tap.
    toggle = page.get_by_test_id("nav-toggle")
    menu = page.locator("#nav")
    expect(toggle).to_be_visible()
    expect(menu).to_be_hidden()
    toggle.tap()
    expect(menu).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_test_id("current-user")).to_be_visible()
    # Sites sit with the org tree under 基础信息, a menu within the menu.
    expect(menu.locator('a[href="/sites/"]')).to_be_hidden()
    menu.get_by_role("button", name="基础信息").tap()
    expect(menu.locator('a[href="/sites/"]')).to_be_visible()

    # The list reads on a 390 px screen: names visible, inside the screen, no sideways scrolling.
    table = page.get_by_test_id("site-table")
    for name in WULIN_SITES:
        link = table.get_by_role("link", name=name)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (name, box)
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= PHONE["width"], f"the page scrolls sideways: {page_width} px wide"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_language_switch_turns_the_page_english(page: Page, live_server, street):
    sign_in(page, live_server.url)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-hans")

    switch = page.get_by_test_id("language-switch")
    switch.locator("select[name=language]").select_option("en")
    switch.locator("button[type=submit]").click()

    # Back on the same page, now in English; the data stays as entered.
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/sites/$"))
    expect(page.get_by_test_id("site-table").get_by_role("link", name=WULIN_SITES[0])).to_be_visible()
    expect(switch.locator("select[name=language]")).to_have_value("en")

    # The choice sticks: the next page is English too.
    page.goto(f"{live_server.url}/")
    expect(html).to_have_attribute("lang", "en")
