"""The Content-Security-Policy in a real browser: Chromium refuses anything inline and says
so on the console. Walking the main screens and the back office must draw no such refusal,
and the back office's own scripts (related-object widgets, the two-list picker, the
autocomplete) must still run."""

import pytest
from playwright.sync_api import Page, expect

from campaign.plan import load_plan
from districts.models import OrgUnit, User

PASSWORD = "e2e-pw-not-for-production"

SCREENS = [
    "/",
    "/units/",
    "/sites/",
    "/sites/new/",
    "/risks/",
    "/risks/new/",
    "/risks/distribution/",
    "/risks/distribution/?print=1",
    "/hazards/",
    "/hazards/new/",
    "/reports/",
    "/reports/calendar/",
    "/reports/compilation/",
    "/units/import/",
]
BACK_OFFICE = [
    "/admin/",
    "/admin/districts/orgunit/",
    "/admin/districts/user/",
    "/admin/districts/membership/add/",
    "/admin/districts/site/add/",
]


@pytest.fixture
def superuser(transactional_db):
    load_plan()
    return User.objects.create_superuser(username="root-e2e", password=PASSWORD, full_name="平台管理员")


def _refusals(page: Page) -> list[str]:
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(f"{page.url}: {message.text}")
        if "Content Security Policy" in message.text
        else None,
    )
    return refused


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_no_screen_or_back_office_page_draws_a_policy_refusal(page: Page, live_server, superuser):
    base = live_server.url
    refused = _refusals(page)
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill("root-e2e")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    expect(page).to_have_url(f"{base}/")
    for path in SCREENS + BACK_OFFICE:
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("load")
    assert refused == []


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_back_office_scripts_still_run_under_the_policy(page: Page, live_server, superuser):
    base = live_server.url
    refused = _refusals(page)
    page.goto(f"{base}/admin/login/")
    page.locator("#id_username").fill("root-e2e")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    unit = OrgUnit.objects.get(code="330103002")
    page.goto(f"{base}/admin/districts/orgunit/{unit.pk}/change/")
    # filter_horizontal: SelectFilter2.js turns the <select multiple> into two lists.
    expect(page.locator(".selector-available").first).to_be_visible()
    # autocomplete_fields: select2 (jQuery) draws its box and fetches choices from the server.
    page.locator(".field-parent .select2-selection").click()
    page.locator(".select2-search__field").fill("下城")
    expect(page.locator(".select2-results__option").first).to_contain_text("下城")
    # The tree is indented in the change list without MPTT's inline styles.
    page.goto(f"{base}/admin/districts/orgunit/?q=330103002051")
    expect(page.locator("#result_list tbody tr").first).to_contain_text("中北社区")
    assert refused == []
