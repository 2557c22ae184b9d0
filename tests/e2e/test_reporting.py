"""Periodic reports in a real browser: a street files its monthly item, the creation office
returns it with a comment, the street revises and sends it again, the office accepts it and
the calendar shows it; and a draft typed while the sign-in expires is not lost."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from campaign.models import Campaign
from campaign.plan import DISTRICT_CODE, load_plan
from districts.models import Membership, OrgUnit, Role, User
from reporting.models import Period, Status, Submission
from tests.e2e.conftest import forget_the_session
from tests.e2e.conftest import sign_in as e2e_sign_in

PASSWORD = "e2e-pw-not-for-production"
WULIN, OFFICE = "330103002", "330103-CJB"


@pytest.fixture
def live_calendar(transactional_db):
    """The plan, a campaign running today (its periods follow by themselves), a Wulin filer and the office."""
    load_plan()
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="端到端测试创建工作",
        district=OrgUnit.objects.get(code=DISTRICT_CODE),
        starts_on=datetime.date(today.year, 1, 1),
        ends_on=datetime.date(today.year + 1, 12, 31),
        baseline_year=2016,
    )
    for username, code, role in (("wulin-e2e", WULIN, Role.STREET_STAFF), ("office-e2e", OFFICE, Role.REVIEWER)):
        user = User.objects.create_user(username=username, password=PASSWORD, full_name=username)
        Membership.objects.create(user=user, unit=OrgUnit.objects.get(code=code), role=role)
    month = Period.objects.get(
        campaign=campaign, report_type__code="monthly_item", starts_on__lte=today, due_on__gte=today
    )
    return campaign, month


def sign_in(page: Page, base: str, username: str, next_url: str = "/reports/") -> None:
    # The office is a reviewer: the shared sign-in passes its second factor too.
    forget_the_session(page)
    e2e_sign_in(page, base, username, PASSWORD, next_url)


def wulin_cell(page: Page, month: Period):
    return page.locator(f'tr[data-unit="{WULIN}"] td[data-period="{month.key}"] .report-cell')


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_monthly_item_is_filed_returned_resubmitted_accepted_and_shown_on_the_calendar(
    page: Page, live_server, live_calendar
):
    campaign, month = live_calendar
    base = live_server.url

    # The street: its own page lists this month's item; it writes and submits it.
    sign_in(page, base, "wulin-e2e")
    expect(page).to_have_url(f"{base}/reports/mine/")
    item = page.locator(f'[data-testid="todo"] li[data-period="{month.key}"][data-type="monthly_item"]')
    item.get_by_role("link", name="填报").click()
    page.locator("#id_title").fill("武林街道开展燃气安全专项检查")
    page.locator("#id_body").fill("本月检查餐饮场所 32 家，发现隐患 5 处。")
    expect(page.locator("[data-autosave-status]")).to_have_attribute("data-tone", "success")
    page.locator('[data-testid="submit"]').click()
    report = Submission.objects.get(title="武林街道开展燃气安全专项检查")
    expect(page).to_have_url(f"{base}/reports/submissions/{report.pk}/")
    expect(page.locator('[data-testid="status"]')).to_have_text("已报送")

    # The office: the calendar shows it on time, awaiting review; the office returns it.
    sign_in(page, base, "office-e2e", "/reports/calendar/")
    expect(wulin_cell(page, month)).to_have_attribute("data-state", "on_time")
    expect(wulin_cell(page, month)).to_have_class("report-cell state-on_time pending")
    wulin_cell(page, month).click()
    page.locator("#id_comment").fill("请补充隐患整改完成情况。")
    page.get_by_role("button", name="退回修改").click()
    expect(page.locator('[data-testid="status"]')).to_have_text("已退回")

    # The street sees the comment, revises and sends it again.
    sign_in(page, base, "wulin-e2e")
    page.locator(f'[data-testid="todo"] li[data-period="{month.key}"]').get_by_role(
        "link", name="查看意见并修改"
    ).click()
    expect(page.locator('[data-testid="returned-note"]')).to_contain_text("请补充隐患整改完成情况。")
    page.locator("#id_body").fill("本月检查餐饮场所 32 家，发现隐患 5 处，已整改 5 处。")
    page.get_by_role("button", name="重新报送").click()
    expect(page.locator('[data-testid="status"]')).to_have_text("已报送")

    # The office accepts it; the calendar cell shows it filed on time and accepted.
    sign_in(page, base, "office-e2e", f"/reports/submissions/{report.pk}/")
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator('[data-testid="status"]')).to_have_text("已通过")
    page.goto(f"{base}/reports/calendar/?campaign={campaign.pk}")
    cell = wulin_cell(page, month)
    expect(cell).to_have_attribute("data-state", "on_time")
    expect(cell).to_have_attribute("data-accepted", "")
    expect(cell).to_have_attribute("href", f"/reports/submissions/{report.pk}/")
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED and report.body.endswith("已整改 5 处。")
    assert [e.action for e in report.events.all()] == ["submit", "return", "resubmit", "accept"]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_text_typed_after_the_sign_in_expired_comes_back_after_signing_in_again(page: Page, live_server, live_calendar):
    _campaign, month = live_calendar
    base = live_server.url
    sign_in(page, base, "wulin-e2e")
    page.locator(f'[data-testid="todo"] li[data-period="{month.key}"]').get_by_role("link", name="填报").click()
    page.locator("#id_title").fill("岁末安全检查")
    page.locator("#id_body").fill("第一段，已经保存。")
    status = page.locator("[data-autosave-status]")
    expect(status).to_have_attribute("data-tone", "success")
    draft = Submission.objects.get(title="岁末安全检查")
    expect(page).to_have_url(f"{base}/reports/submissions/{draft.pk}/edit/")  # the first save made the draft

    # The session times out while the user keeps typing (the CSRF cookie stays, as it does).
    forget_the_session(page, "sessionid")
    page.locator("#id_body").press_sequentially("第二段，登录过期后输入。")
    expect(status).to_have_attribute("data-tone", "danger")
    expect(status).to_contain_text("登录已过期")
    draft.refresh_from_db()
    assert draft.body == "第一段，已经保存。"

    # Signing in again from the link brings the user back to the report, with every word.
    status.get_by_role("link", name="重新登录").click()
    page.locator("#id_username").fill("wulin-e2e")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    expect(page).to_have_url(f"{base}/reports/submissions/{draft.pk}/edit/")
    expect(page.locator("#id_body")).to_have_value("第一段，已经保存。第二段，登录过期后输入。")
    expect(status).to_have_attribute("data-tone", "success")  # restored, then saved to the server
    draft.refresh_from_db()
    assert draft.body == "第一段，已经保存。第二段，登录过期后输入。"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_calendar_and_the_form_fit_a_phone(page: Page, live_server, live_calendar):
    _campaign, month = live_calendar
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "wulin-e2e")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"my reports is {width}px wide on a 390px phone"
    page.locator(f'[data-testid="todo"] li[data-period="{month.key}"]').get_by_role("link", name="填报").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator('[data-testid="submit"]').bounding_box()
    assert box["height"] >= 44  # a thumb can hit it
    sign_in(page, base, "office-e2e", "/reports/calendar/")
    # The calendar scrolls inside its own box; the page itself does not grow sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_submitting_while_the_first_save_is_under_way_makes_one_report(page: Page, live_server, live_calendar):
    """The first autosave makes the draft; a submit clicked before it answers waits for it and
    goes to that draft, instead of making a second report."""
    _campaign, month = live_calendar
    base = live_server.url
    sign_in(page, base, "wulin-e2e")
    page.locator(f'[data-testid="todo"] li[data-period="{month.key}"]').get_by_role("link", name="填报").click()
    held = []
    page.route("**/autosave/", lambda route: held.append(route))  # the first save waits until released
    page.locator("#id_title").fill("快速报送")
    page.locator("#id_body").fill("一气呵成。")
    expect(page.locator("[data-autosave-status]")).to_have_attribute("data-tone", "muted")  # saving…
    page.locator('[data-testid="submit"]').click()
    page.wait_for_timeout(300)
    assert not Submission.objects.exists()  # the form waited for the draft
    held[0].continue_()
    expect(page.locator('[data-testid="status"]')).to_have_text("已报送")
    page.wait_for_timeout(1500)  # longer than the autosave's pause
    assert list(Submission.objects.filter(period=month).values_list("title", "status")) == [("快速报送", "submitted")]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_text_typed_before_the_page_script_arrives_is_saved(page: Page, live_server, live_calendar):
    """On a slow network the form shows before its script has loaded: what the street types
    then fires no listener, and is still kept and saved once the script runs."""
    _campaign, month = live_calendar
    base = live_server.url
    sign_in(page, base, "wulin-e2e")
    held = []
    page.route("**/report_draft*.js", lambda route: held.append(route))
    page.locator(f'[data-testid="todo"] li[data-period="{month.key}"]').get_by_role("link", name="填报").click()
    page.locator("#id_title").fill("慢网络下的报送")
    page.locator("#id_body").fill("脚本到达之前写下的内容。")
    assert held, "the page asked for its draft script"
    held[0].continue_()
    expect(page.locator("[data-autosave-status]")).to_have_attribute("data-tone", "success")
    draft = Submission.objects.get(period=month)
    assert (draft.title, draft.body, draft.status) == ("慢网络下的报送", "脚本到达之前写下的内容。", Status.DRAFT)
