"""Street staff add a risk through the form in a real browser, watch the score and
colour follow their choices, and find their street coloured on the four-colour map."""

import re

import pytest
from playwright.sync_api import Page, expect

from campaign.plan import load_plan
from districts.models import Membership, OrgUnit, Role, Sector, User
from districts.tests.factories import SiteFactory
from risks.models import LEVEL_COLOURS, Level, RiskPoint

PASSWORD = "e2e-pw-not-for-production"
WULIN, ZHONGBEI = "330103002", "330103002051"


@pytest.fixture
def wulin_staff(transactional_db):
    load_plan()
    user = User.objects.create_user(username="wulin-risk", password=PASSWORD, full_name="武林街道 王芳")
    Membership.objects.create(user=user, unit=OrgUnit.objects.get(code=WULIN), role=Role.STREET_STAFF)
    return user


def street_tile(page: Page):
    return page.locator(f'svg .area[data-key="{WULIN}"]').first


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_street_staff_adds_a_risk_and_sees_the_street_coloured_on_the_map(page: Page, live_server, wulin_staff):
    base = live_server.url
    site = SiteFactory(name="中北燃气调压站", unit=OrgUnit.objects.get(code=ZHONGBEI))
    page.goto(f"{base}/accounts/login/?next=/risks/distribution/")
    page.locator("#id_username").fill("wulin-risk")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    expect(page).to_have_url(f"{base}/risks/distribution/")
    # No risk yet: the street is not red.
    assert street_tile(page).get_attribute("fill") != LEVEL_COLOURS[Level.MAJOR]

    page.goto(f"{base}/risks/new/")
    page.locator("#id_name").fill("中北社区燃气调压箱")
    page.locator("#id_unit").select_option(str(OrgUnit.objects.get(code=ZHONGBEI).pk))
    page.locator("#id_sector").select_option(str(Sector.objects.get(code="city_operation").pk))
    # The site is found by typing part of its name: the browser offers what the server suggests.
    page.locator("#id_site").press_sequentially("调压")
    expect(page.locator("#id_site-options option")).to_have_count(1)
    page.locator("#id_site").fill(site.credit_code)
    page.locator("#id_accident_type").select_option("other_explosion")
    # A major risk is controlled at district level (graded control): the street names the district.
    page.locator("#id_responsible_unit").select_option(str(OrgUnit.objects.get(code="330103").pk))
    page.locator("#id_responsible_person").fill("王芳")
    factors = page.locator("[data-method]:visible select")
    expect(factors).to_have_count(3)  # LEC: L, E, C
    for select, value in zip(factors.all(), ["6", "6", "40"], strict=True):
        select.select_option(value)
    # The page computes the score as the values are chosen: 6 × 6 × 40.
    expect(page.locator("[data-score]")).to_have_text("1440")
    badge = page.locator("[data-level-badge]")
    expect(badge).not_to_be_empty()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}/risks/\d+/$"))

    risk = RiskPoint.objects.get(name="中北社区燃气调压箱")
    expect(page).to_have_url(f"{base}/risks/{risk.pk}/")
    assert risk.level == Level.MAJOR  # graded again by the server
    assert risk.site == site
    assert risk.current_assessment.score == 1440

    page.goto(f"{base}/risks/distribution/")
    expect(street_tile(page)).to_have_attribute("fill", LEVEL_COLOURS[Level.MAJOR])
