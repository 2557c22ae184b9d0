"""Accessibility in a real browser: axe-core (WCAG 2.1 AA) finds no serious or critical
violation on any main screen, for street staff, an inspector, the creation office and a leader,
at desktop and at phone width; and the phone-width defects a new user met stay fixed."""

import pytest
from playwright.sync_api import Page, expect

from campaign.demo import DEMO_PASSWORD, load_demo
from tests.e2e.axe import blocking_violations, describe
from tests.e2e.conftest import forget_the_session, sign_in

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
ROLES = ["wulin", "inspector", "office", "leader"]


@pytest.fixture
def demo(transactional_db):
    """The demo district: its units, sites, risks, hazards, a campaign running today, one login per role."""
    load_demo()


def _first_link(page: Page, selector: str) -> str | None:
    link = page.locator(selector).first
    return link.get_attribute("href") if link.count() else None


def walk(page: Page, base: str, username: str):
    """Sign in as `username` and open each main screen it can reach; yield a name for each, with
    the page loaded. The sign-in and second-factor pages come first, on the way in."""
    forget_the_session(page)
    page.goto(f"{base}/accounts/login/")
    yield "sign-in"
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(#id_password) button[type=submit]").click()
    if "/accounts/second-factor/" in page.url:
        yield "second factor"
    forget_the_session(page)
    sign_in(page, base, username, DEMO_PASSWORD)

    for name, path in [
        ("home", "/"),
        ("risk list", "/risks/"),
        ("risk map", "/risks/distribution/"),
        ("hazard list", "/hazards/"),
        ("hazard queue: overdue", "/hazards/?queue=overdue"),
        ("reports", "/reports/"),
        ("report list", "/reports/submissions/"),
        ("own reports", "/reports/mine/"),
        ("calendar", "/reports/calendar/"),
        ("org tree", "/units/"),
        ("dashboard", "/dashboard/"),
        ("not permitted (403)", "/audit/"),
    ]:
        page.goto(base + path)
        yield name

    page.goto(f"{base}/assessments/rounds/")
    yield "assessment rounds"
    if href := _first_link(page, "[data-testid=rounds] a"):
        page.goto(base + href)
        yield "assessment round"
        if href := _first_link(page, "[data-testid=runs] a"):
            page.goto(base + href)
            yield "assessment run"
            if href := _first_link(page, "[data-testid=sides] a"):
                page.goto(base + href)
                yield "scoring page"
    page.goto(f"{base}/assessments/templates/")
    yield "scoring templates"
    page.goto(f"{base}/dashboard/bulletins/")
    yield "bulletins"
    if href := _first_link(page, "a.fw-semibold[href^='/dashboard/bulletins/']"):
        page.goto(base + href)
        yield "bulletin"
    page.goto(f"{base}/dashboard/summaries/")
    yield "annual summaries"
    if href := _first_link(page, "a.fw-semibold[href^='/dashboard/summaries/']"):
        page.goto(base + href)
        yield "annual summary"

    page.goto(f"{base}/dashboard/")
    if href := _first_link(page, "[data-testid=ranking] tbody th a"):
        page.goto(base + href)
        yield "dashboard drill-down"

    page.goto(f"{base}/risks/")
    if href := _first_link(page, "table tbody td a[href^='/risks/']"):
        page.goto(base + href)
        yield "risk page"

    page.goto(f"{base}/hazards/")
    if href := _first_link(page, "tr.table-danger[data-hazard] a") or _first_link(page, "[data-hazard] a"):
        page.goto(base + href)
        yield "hazard page"

    page.goto(f"{base}/hazards/new/")
    if page.locator("[data-testid=hazard-form]").count():
        page.locator("[data-testid=hazard-form] button[type=submit]").click()
        page.wait_for_load_state()
        yield "hazard form, failed"

    page.goto(f"{base}/reports/mine/")
    if href := _first_link(page, "[data-testid=todo] a[href*='/reports/new/']"):
        page.goto(base + href)
        yield "report form"

    page.goto(base + "/")
    toggle = page.get_by_test_id("nav-toggle")
    if toggle.is_visible():  # a phone: the top bar's links behind the menu button
        toggle.click()
        expect(page.locator("#nav")).to_be_visible()
        yield "menu open"
    page.get_by_test_id("current-user").click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    yield "user menu open (sign out)"
    page.keyboard.press("Escape")
    if page.get_by_test_id("import-menu").count():
        page.get_by_test_id("import-menu").click()
        expect(page.locator("nav .dropdown-menu a[href*='import']").first).to_be_visible()
        yield "import menu open"
    imports = [a.get_attribute("href") for a in page.locator("nav .dropdown-menu a[href*='import']").all()]
    for href in imports:
        page.goto(base + href)
        yield f"import {href}"

    page.goto(f"{base}/admin/")
    if "/admin/login/" not in page.url and page.locator("#content").count():
        yield "admin index"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_no_serious_or_critical_violation_on_any_main_screen_for_four_roles_at_two_widths(
    page: Page, live_server, demo
):
    found: list[str] = []
    seen = 0
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        for username in ROLES:
            for name in walk(page, live_server.url, username):
                seen += 1
                found += describe(f"{username} · {width} · {name} ({page.url})", blocking_violations(page))
    assert seen > 8 * 15, seen  # every role reached its screens
    assert not found, "axe-core, WCAG 2.1 AA, serious or critical:\n" + "\n".join(found)


PASSWORD = "e2e-pw-not-for-production"


@pytest.fixture
def inspector(transactional_db):
    """The plan and one inspector of a team assigned to Wulin street (no demo data: quick)."""
    from campaign.plan import load_plan
    from districts.models import Membership, OrgUnit, Role, User

    load_plan()
    district = OrgUnit.objects.get(code="330103")
    team = OrgUnit.objects.create(code="330103-XCZ9", name="第九巡查组", kind=OrgUnit.Kind.TEAM, parent=district)
    team.assigned_units.set([OrgUnit.objects.get(code="330103002")])
    user = User.objects.create_user(username="a11y-inspector", password=PASSWORD, full_name="巡查组 刘洋")
    Membership.objects.create(user=user, unit=team, role=Role.INSPECTOR)
    return user


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_every_hazard_queue_tab_is_within_the_screen(page: Page, live_server, inspector):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, inspector.username, PASSWORD)
    page.goto(f"{live_server.url}/hazards/")
    tabs = page.get_by_test_id("queues").locator("a.nav-link")
    expect(tabs).to_have_count(6)  # all, to assign, to rectify, to verify, overdue, major
    for label in ("待验收", "已逾期", "重大"):
        expect(tabs.filter(has_text=label)).to_be_visible()
    for i in range(tabs.count()):
        box = tabs.nth(i).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (tabs.nth(i).inner_text(), box)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_keyboard_reaches_the_main_content_and_the_top_bar_shows_where_it_is(page: Page, live_server, inspector):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, inspector.username, PASSWORD)
    page.goto(f"{live_server.url}/hazards/")
    # The first Tab reaches a skip link, which appears and leads past the top bar.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # A top-bar link with the keyboard's focus is outlined, not only lighter.
    page.goto(f"{live_server.url}/hazards/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the platform's name
    page.keyboard.press("Tab")  # 首页
    focused = page.locator("nav .nav-link:focus")
    expect(focused).to_have_text("首页")
    assert focused.evaluate("a => getComputedStyle(a).outlineStyle") == "solid"
    assert focused.evaluate("a => parseFloat(getComputedStyle(a).outlineWidth)") >= 2
    # The import menu is a button: Space opens it.
    menu = page.get_by_test_id("import-menu")
    expect(menu).to_have_role("button")
    assert menu.evaluate("el => el.tagName") == "BUTTON"
    menu.focus()
    page.keyboard.press("Space")
    expect(page.locator("nav .dropdown-menu a[href*='import']").first).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_failed_hazard_form_puts_the_focus_on_a_summary_that_leads_to_each_field(page: Page, live_server, inspector):
    sign_in(page, live_server.url, inspector.username, PASSWORD)
    page.goto(f"{live_server.url}/hazards/new/")
    page.locator("[data-testid=hazard-form] button[type=submit]").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("heading")).to_contain_text("未保存")
    summary.locator("a[href='#id_title']").click()
    expect(page.locator("#id_title")).to_be_focused()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_refusal_page_has_a_heading_and_bootstrap_does_not_block_drawing(page: Page, live_server, inspector):
    sign_in(page, live_server.url, inspector.username, PASSWORD)
    response = page.goto(f"{live_server.url}/audit/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("无权访问")
    bootstrap = page.locator("script[src*='bootstrap.bundle']")
    assert bootstrap.evaluate("s => s.defer") is True
    # Deferred, it still runs: the user menu opens.
    page.get_by_test_id("current-user").click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
