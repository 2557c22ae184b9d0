"""The accident register, the yearly values and the target progress in a real browser: no
serious or critical WCAG 2.1 AA violation and no sideways scrolling on a 390 px phone, for the
office, a street and a leader; and a street records an accident from its phone and reads the
grade the figures give."""

import pytest
from playwright.sync_api import Page, expect

from campaign.demo import DEMO_PASSWORD, load_demo
from districts.models import OrgUnit
from tests.e2e.axe import blocking_violations, describe
from tests.e2e.conftest import forget_the_session, sign_in

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo(transactional_db):
    load_demo()


def screens(page: Page, base: str):
    for name, path in [
        ("accident register", "/campaign/accidents/"),
        ("accident register, filtered", "/campaign/accidents/?grade=general&year=2026"),
        ("yearly values, baseline", "/campaign/yearly-values/?year=2016"),
        ("yearly values, this year", "/campaign/yearly-values/"),
        ("target progress", "/campaign/targets/"),
    ]:
        page.goto(base + path)
        yield name
    page.goto(base + "/campaign/accidents/")
    link = page.locator("[data-accident] a").first
    if link.count():
        page.goto(base + link.get_attribute("href"))
        yield "accident page"
    page.goto(base + "/campaign/accidents/new/")
    if page.get_by_test_id("accident-form").count():
        page.locator("#id_deaths").fill("３")
        page.locator("[data-testid=accident-form] button[type=submit]").click()
        page.wait_for_load_state()
        yield "accident form, failed"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_campaign_screens_are_accessible_and_fit_a_phone(page: Page, live_server, demo):
    found, seen = [], 0
    for width, viewport in {"phone": PHONE, "desktop": DESKTOP}.items():
        page.set_viewport_size(viewport)
        for username in ("office", "wulin", "leader"):
            forget_the_session(page)
            sign_in(page, live_server.url, username, DEMO_PASSWORD)
            for name in screens(page, live_server.url):
                seen += 1
                where = f"{username} · {width} · {name} ({page.url})"
                found += describe(where, blocking_violations(page))
                if width == "phone":
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    if scroll > PHONE["width"]:
                        found.append(f"{where}: {scroll} px wide")
    assert seen >= 2 * (3 * 6 + 2), seen
    assert not found, "\n".join(found)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_street_records_an_accident_from_its_phone(page: Page, live_server, demo):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, "wulin", DEMO_PASSWORD)
    page.goto(live_server.url + "/campaign/accidents/")
    page.get_by_test_id("add-accident").click()
    page.locator("#id_unit").select_option(value=str(OrgUnit.objects.get(code="330103002051").pk))  # 中北社区
    page.locator("#id_sector").select_option(label="消防安全")
    page.locator("#id_occurred_on").fill("2026-02-03")
    page.locator("#id_accident_type").select_option(label="火灾")
    page.locator("#id_summary").fill("沿街店铺电气火灾")
    page.locator("#id_deaths").fill("3")
    page.locator("#id_direct_loss").fill("120")
    page.locator("[data-testid=accident-form] button[type=submit]").click()
    expect(page.get_by_test_id("grade")).to_contain_text("较大事故")
    expect(page.get_by_role("alert")).to_contain_text("事故已登记")
