"""The Content-Security-Policy in a real browser: Chromium refuses anything inline and says
so on the console. Walking the main screens and the back office must draw no such refusal,
and the back office's own scripts (related-object widgets, the two-list picker, the
autocomplete) must still run."""

import pytest
from playwright.sync_api import Page, expect

from campaign.plan import load_plan
from districts.models import Membership, OrgUnit, Role, User
from tests.e2e.conftest import forget_the_session, sign_in

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
# The back office admits the three admin roles only (no superusers): each page as its admin.
BACK_OFFICE = {
    "sysadmin-e2e": ["/admin/", "/admin/districts/orgunit/", "/admin/districts/user/", "/admin/districts/site/add/"],
    "secadmin-e2e": ["/admin/districts/membership/add/"],
}


@pytest.fixture
def admins(transactional_db):
    """The system admin (who also sees every screen) and the security admin."""
    load_plan()
    district = OrgUnit.objects.get(code="330103")
    for username, role in (("sysadmin-e2e", Role.SYSTEM_ADMIN), ("secadmin-e2e", Role.SECURITY_ADMIN)):
        user = User.objects.create_user(username=username, password=PASSWORD, full_name=username)
        Membership.objects.create(user=user, unit=district, role=role)


def _refusals(page: Page) -> list[str]:
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(f"{page.url}: {message.text}") if "Content Security Policy" in message.text else None
        ),
    )
    return refused


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_no_screen_or_back_office_page_draws_a_policy_refusal(page: Page, live_server, admins):
    base = live_server.url
    refused = _refusals(page)
    for username, back_office in BACK_OFFICE.items():
        forget_the_session(page)
        sign_in(page, base, username, PASSWORD)  # with the second factor (set up on the way)
        expect(page).to_have_url(f"{base}/")
        for path in (SCREENS if username == "sysadmin-e2e" else []) + back_office:
            response = page.goto(f"{base}{path}")
            assert response.status == 200, path
            assert "script-src 'self'" in response.headers["content-security-policy"], path
            page.wait_for_load_state("load")
    assert refused == []


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_back_office_scripts_still_run_under_the_policy(page: Page, live_server, admins):
    base = live_server.url
    refused = _refusals(page)
    sign_in(page, base, "sysadmin-e2e", PASSWORD, "/admin/")  # the back office signs in on the platform's page
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
