"""An inspector logs a hazard with a photo from a phone, street staff rectify it with a photo
after, the inspector closes it, and the timeline shows all three steps."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from campaign.plan import load_plan
from campaign.tests.images import jpeg_with_gps
from districts.models import Membership, OrgUnit, Role, Sector, User
from hazards.models import Action, Hazard, HazardPhoto, Status, deadline_today

PASSWORD = "e2e-pw-not-for-production"
WULIN, ZHONGBEI = "330103002", "330103002051"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def people(transactional_db):
    load_plan()
    district = OrgUnit.objects.get(code="330103")
    team = OrgUnit.objects.create(code="330103-XCZ9", name="第九巡查组", kind=OrgUnit.Kind.TEAM, parent=district)
    team.assigned_units.set([OrgUnit.objects.get(code=WULIN)])
    inspector = User.objects.create_user(username="e2e-inspector", password=PASSWORD, full_name="巡查组 刘洋")
    Membership.objects.create(user=inspector, unit=team, role=Role.INSPECTOR)
    street = User.objects.create_user(username="e2e-wulin", password=PASSWORD, full_name="武林街道 王芳")
    Membership.objects.create(user=street, unit=OrgUnit.objects.get(code=WULIN), role=Role.STREET_STAFF)
    return {"inspector": inspector, "street": street}


def sign_in(page: Page, base: str, username: str) -> None:
    """Sign out whoever is signed in (the page's own sign-out form), then sign in as `username`."""
    logout = page.locator("form[action='/accounts/logout/']")
    if logout.count():
        logout.evaluate("form => form.submit()")
        page.wait_for_url(f"{base}/accounts/login/")
    page.goto(f"{base}/accounts/login/")
    expect(page.locator("#id_username")).to_be_visible()
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    expect(page).to_have_url(f"{base}/")


def photo_file(name: str) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_hazard_is_logged_rectified_and_closed_and_the_timeline_shows_every_step(page: Page, live_server, people):
    base = live_server.url
    page.set_viewport_size(PHONE)

    # The inspector logs it on the spot, with a photo.
    sign_in(page, base, "e2e-inspector")
    page.goto(f"{base}/hazards/new/")
    page.locator("#id_title").fill("菜场消防通道堵塞")
    page.locator("#id_unit").select_option(str(OrgUnit.objects.get(code=ZHONGBEI).pk))
    page.locator("#id_sector").select_option(str(Sector.objects.get(code="fire_safety").pk))
    page.locator("#id_source").select_option("inspection")
    page.locator("#id_description").fill("东侧消防通道堆放货物")
    expect(page.locator("#id_photos")).to_have_attribute("capture", "environment")
    page.locator("#id_photos").set_input_files([photo_file("IMG_0001.JPG")])
    page.locator("[data-testid=hazard-form] button[type=submit]").click()
    hazard = Hazard.objects.get(title="菜场消防通道堵塞")
    expect(page).to_have_url(f"{base}/hazards/{hazard.pk}/")
    expect(page.locator("[data-testid=photos-before] img")).to_have_count(1)

    # Then assigns it to Wulin street.
    page.locator("[data-step=assign]").click()
    page.locator("#id_responsible_unit").select_option(str(OrgUnit.objects.get(code=WULIN).pk))
    page.locator("#id_responsible_person").fill("王芳")
    page.locator("#id_deadline").fill((deadline_today() + datetime.timedelta(days=7)).isoformat())
    page.locator("[data-testid=step-assign]").click()
    expect(page).to_have_url(f"{base}/hazards/{hazard.pk}/")

    # Street staff find it in their queue and report it rectified with a photo after.
    sign_in(page, base, "e2e-wulin")
    page.goto(f"{base}/hazards/?queue=rectify")
    page.locator(f"[data-hazard='{hazard.number}'] a").first.click()
    page.locator("[data-step=submit]").click()
    page.locator("#id_rectification").fill("货物已清走，通道畅通")
    page.locator("#id_photos").set_input_files([photo_file("after.jpg")])
    page.locator("[data-testid=step-submit]").click()
    expect(page).to_have_url(f"{base}/hazards/{hazard.pk}/")
    expect(page.locator("[data-testid=photos-after] img")).to_have_count(1)

    # The inspector verifies and closes it.
    sign_in(page, base, "e2e-inspector")
    page.goto(f"{base}/hazards/?queue=verify")
    page.locator(f"[data-hazard='{hazard.number}'] a").first.click()
    page.locator("[data-step=verify]").click()
    page.locator("#id_note").fill("现场复查合格")
    page.locator("[data-testid=step-close]").click()
    expect(page).to_have_url(f"{base}/hazards/{hazard.pk}/")

    timeline = page.locator("[data-testid=timeline] > li")
    expect(timeline).to_have_count(4)  # logged, assigned, rectified, closed
    steps = [timeline.nth(i).get_attribute("data-action") for i in range(4)]
    assert steps == [Action.REPORT, Action.ASSIGN, Action.SUBMIT, Action.CLOSE]
    expect(timeline.nth(0)).to_contain_text("巡查组 刘洋")
    expect(timeline.nth(2)).to_contain_text("武林街道 王芳")
    expect(timeline.nth(3)).to_contain_text("现场复查合格")
    expect(page.locator("[data-status]").first).to_have_text("已销号")
    hazard.refresh_from_db()
    assert hazard.status == Status.CLOSED
    assert hazard.photos.filter(kind=HazardPhoto.Kind.AFTER).count() == 1
    # The thumbnails load: the browser is allowed to see the hazard's photos.
    # (Waited for: on a busy machine the page can be ready before the picture has arrived; a
    # refused picture never gets a natural width, so the wait times out and the test fails.)
    thumb = page.locator("[data-testid=timeline] img").first
    thumb.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle(), timeout=15_000)
