"""The creation office writes the year's summary in Chromium: from the dashboard to the summaries,
a new one for the district and the running year, the narrative edited (saved as typed), the PDF
made by a real Celery worker while the job's page ticks off its sections, and the PDF opened:
it prints the narrative as written."""

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import Page, expect

from campaign.celery import app
from campaign.demo import DEMO_PASSWORD, load_demo
from oversight.summaries.models import AnnualSummary
from tests.e2e.conftest import sign_in

PHONE = {"width": 390, "height": 844}
WRITTEN = "全年开展安全生产大排查大整治，端到端测试写入的一段话。"


@pytest.fixture
def demo(transactional_db):
    load_demo()


@pytest.mark.e2e
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_office_writes_the_narrative_makes_the_summary_and_opens_its_pdf(
    page: Page, live_server, demo, start_worker, tmp_path
):
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(app.conf.task_default_queue)
    start_worker(queue=app.conf.task_default_queue)
    base = live_server.url
    page.set_viewport_size(PHONE)
    sign_in(page, base, "office", DEMO_PASSWORD)
    page.goto(f"{base}/dashboard/")
    with page.expect_navigation():
        page.get_by_test_id("summaries-link").click()
    year = page.locator("#id_year option").first.get_attribute("value")
    with page.expect_navigation():
        page.get_by_role("button", name="撰写年度总结").click()
    expect(page.get_by_test_id("narrative-form")).to_be_visible()
    summary = AnnualSummary.objects.get(unit__kind="district", year=int(year))
    assert "隐患" in summary.practices, "the narrative is drafted from the year's figures"

    practices = page.get_by_label("主要做法和成效")
    practices.fill(WRITTEN)
    expect(page.locator("[data-autosave-status]")).to_contain_text("保存", timeout=10_000)
    summary.refresh_from_db()
    assert summary.practices == WRITTEN, "saved as typed, before any button"

    with page.expect_navigation():
        page.get_by_test_id("summary-make").click()
    assert re.search(r"/jobs/\d+/$", page.url)
    expect(page.get_by_test_id("summary-steps").locator("li")).to_have_count(9)
    expect(page.get_by_test_id("job-status")).to_have_attribute("data-status", "done", timeout=120_000)
    expect(page.get_by_test_id("summary-steps").locator("li[data-state=done]")).to_have_count(9)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    link = page.get_by_test_id("summary-pdf")
    answer = page.request.get(base + link.get_attribute("href"))
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    content = answer.body()
    assert content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "summary.pdf"
        path.write_bytes(content)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert WRITTEN[:12] in text.replace("\n", "")

    page.goto(f"{base}/dashboard/summaries/{summary.pk}/")
    expect(page.get_by_test_id("versions").locator("tbody tr")).to_have_count(summary.versions.count())
