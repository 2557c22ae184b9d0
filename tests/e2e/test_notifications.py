"""Reminders in a real browser, on a phone's width: a street's reminder is in the bell, opening it
goes to the report form, and the bell's count drops."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from notifications.defaults import install
from notifications.models import Notification, ReminderRule
from notifications.sweep import sweep
from tests.e2e.test_reporting import WULIN, live_calendar, sign_in  # noqa: F401 (the fixture)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_streets_reminder_is_in_the_bell_and_opening_it_goes_to_the_report_form(
    page: Page,
    live_server,
    live_calendar,  # noqa: F811
):
    _campaign, month = live_calendar
    install(ReminderRule)  # the shipped rules, flushed by an earlier transactional test
    # A week before this month's item is due, as the beat's sweep would find it.
    sweep(today=month.due_on - datetime.timedelta(days=7))
    assert Notification.objects.filter(recipient__username="wulin-e2e").count() == 1

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "wulin-e2e", next_url="/")
    bell = page.get_by_test_id("bell")
    expect(bell).to_be_visible()  # outside the collapsed menu: seen at once on a phone
    expect(bell.get_by_test_id("bell-count")).to_have_text("1")

    bell.click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    line = page.get_by_test_id("notification-line").filter(has_text=month.label).filter(has_text="武林街道")
    expect(line).to_contain_text("还有 7 天到期")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    line.click()
    expect(page).to_have_url(re.compile(rf"/reports/new/{month.pk}/\d+/$"))
    expect(page.locator("#id_title")).to_be_visible()
    expect(page.get_by_test_id("bell-count")).to_be_hidden()
    expect(page.get_by_test_id("bell")).to_have_attribute("data-unread", "0")
    assert WULIN in page.content() or "武林街道" in page.content()
