"""An inspector scores a street on a phone (an item typed and kept by autosave, a finding with a
photo), raises a hazard from the finding, and submits the review; the creation office confirms
and publishes it; the street then sees its score, which it could not before; and the office's
bulletin for the period ranks the street with that score."""

import pytest
from playwright.sync_api import Page, expect

from assessments.models import Run, RunStatus
from campaign.demo import DEMO_PASSWORD, load_demo
from campaign.tests.images import jpeg_with_gps
from districts.models import Membership, OrgUnit, Role, Sector, User
from hazards.models import Hazard
from tests.e2e.conftest import forget_the_session, sign_in

PHONE = {"width": 390, "height": 844}
STREET = "330103005"  # the demo round's street still being scored by the first inspection team


@pytest.fixture
def demo(transactional_db):
    """The demo, whose round has one street still being scored, and a login for that street."""
    load_demo()
    street = User.objects.create_user(username="e2e-street5", password=DEMO_PASSWORD, full_name="街道 周婷")
    Membership.objects.create(user=street, unit=OrgUnit.objects.get(code=STREET), role=Role.STREET_STAFF)
    return Run.objects.get(unit__code=STREET, round__campaign__isnull=False)


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_an_inspection_is_scored_on_a_phone_raises_a_hazard_is_published_and_ranked(page: Page, live_server, demo):
    base, run = live_server.url, demo
    unit = run.unit
    page.set_viewport_size(PHONE)

    # The street cannot see the review before it is published.
    sign_in(page, base, "e2e-street5", DEMO_PASSWORD)
    page.goto(f"{base}/assessments/runs/{run.pk}/")
    expect(page.get_by_test_id("not-published")).to_be_visible()
    expect(page.locator("[data-testid=sides] [data-side=review]")).to_have_count(0)
    assert page.goto(f"{base}/assessments/runs/{run.pk}/review/").status == 404
    forget_the_session(page)

    # The inspector finds the run from the menu and opens the review on a phone.
    sign_in(page, base, "inspector", DEMO_PASSWORD)
    page.goto(f"{base}/assessments/rounds/")
    with page.expect_navigation():
        page.get_by_test_id("open-runs").get_by_text(unit.name).first.click()
    with page.expect_navigation():
        page.locator("[data-testid=sides] [data-side=review]").click()
    no_sideways_scroll(page)
    items = page.locator("[data-testid=items] section[data-item]")
    assert items.count() >= 20

    # An item typed is saved without a button (autosave), and is there on reload.
    card = page.locator("section[data-item='1.1']")
    card.locator("[name=missing]").fill("2")
    expect(card.locator("[data-autosave-status]")).to_have_attribute("data-tone", "success")
    page.reload()
    expect(page.locator("section[data-item='1.1'] [name=missing]")).to_have_value("2")

    # A finding with a photo, taken on the spot.
    with page.expect_navigation():
        page.locator("section[data-item='1.2'] [data-testid=add-finding]").click()
    page.locator("[name=description]").fill("加油站消防通道堆放杂物")
    page.locator("[name=location]").fill("朝晖路12号")
    page.locator("[name=sector]").select_option(str(Sector.objects.get(code="fire_safety").pk))
    page.locator("[name=photos]").set_input_files(
        [{"name": "IMG_0101.JPG", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
    )
    with page.expect_navigation():
        page.locator("[data-testid=finding-form] button[type=submit]").click()
    card = page.locator("section[data-item='1.2']")
    expect(card.locator("[data-testid=findings] li")).to_have_count(1)
    expect(card.locator("[data-testid=findings] img")).to_have_count(1)
    expect(card.locator("[data-testid=item-points]")).to_have_text("5.50")  # 6, less 0.5 a finding

    # The finding raises a hazard: the form comes filled from it.
    with page.expect_navigation():
        card.locator("[data-testid=raise-hazard]").click()
    expect(page.locator("#id_title")).to_have_value("加油站消防通道堆放杂物")
    expect(page.locator("#id_location")).to_have_value("朝晖路12号")
    expect(page.locator("#id_source")).to_have_value("inspection")
    expect(page.locator("#id_sector")).to_have_value(str(Sector.objects.get(code="fire_safety").pk))
    expect(page.get_by_test_id("finding-photos").locator("img")).to_have_count(1)
    with page.expect_navigation():
        page.locator("[data-testid=hazard-form] button[type=submit]").click()
    hazard = Hazard.objects.get(title="加油站消防通道堆放杂物")
    expect(page).to_have_url(f"{base}/hazards/{hazard.pk}/")
    expect(page.locator("[data-testid=photos-before] img")).to_have_count(1)
    with page.expect_navigation():
        page.get_by_test_id("backlink").locator("a").click()
    expect(page.locator("section[data-item='1.2'] [data-testid=finding-hazard]")).to_contain_text(hazard.number)

    # The inspector submits the review.
    page.goto(f"{base}/assessments/runs/{run.pk}/")
    with page.expect_navigation():
        page.locator("[data-step=submit]").click()
    expect(page.get_by_test_id("status")).to_have_text("已报送")
    forget_the_session(page)

    # The office confirms it (the result is fixed) and publishes it.
    sign_in(page, base, "office", DEMO_PASSWORD)
    page.goto(f"{base}/assessments/runs/{run.pk}/")
    with page.expect_navigation():
        page.locator("[data-step=review]").click()
    with page.expect_navigation():
        page.locator("[data-step=publish]").click()
    expect(page.get_by_test_id("status")).to_have_text("已发布")
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED and run.score is not None
    score = f"{run.score}"
    expect(page.get_by_test_id("score")).to_have_text(score)

    # The office's bulletin for the round's months ranks the street with that score.
    page.goto(f"{base}/dashboard/bulletins/new/")
    page.locator("input[type=month]").nth(0).fill(run.round.period_start.strftime("%Y-%m"))
    page.locator("input[type=month]").nth(1).fill(run.round.period_end.strftime("%Y-%m"))
    with page.expect_navigation():
        page.get_by_role("button", name="生成草稿").click()
    # The draft opens for editing, pre-filled from the figures; saved as it is.
    expect(page.locator("textarea").first).not_to_be_empty()
    with page.expect_navigation():
        page.get_by_role("button", name="保存草稿").click()
    for step in ("approve", "publish"):
        with page.expect_navigation():
            page.locator(f"form[action$='/do/{step}/'] button").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "published")
    row = page.get_by_test_id("ranking-streets").locator("tbody tr:has(td:nth-child(12))").filter(
        has=page.locator("th", has_text=unit.name)
    )
    expect(row).to_have_count(1)
    expect(row).to_contain_text(score)
    forget_the_session(page)

    # The street now sees its score, and the review item by item.
    sign_in(page, base, "e2e-street5", DEMO_PASSWORD)
    page.goto(f"{base}/assessments/runs/{run.pk}/")
    expect(page.get_by_test_id("score")).to_have_text(score)
    expect(page.locator("[data-testid=comparison] tr[data-item='1.2'] [data-side=review]")).to_have_text("5.50")
    no_sideways_scroll(page)
