"""After load_demo the dashboards are live: the rollups are built from the demo's records, its
reports (added by reporting after the campaign's demo) counted too; its trends move from month
to month, and every card that links to a list says as many as the list holds."""

import datetime
import io
import re

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from campaign.demo import load_demo
from campaign.lib.deadlines import DEADLINE_TZ, deadline_today
from campaign.lib.pdf import page_count
from campaign.models import Campaign, KeyTask
from campaign.plan import CAMPAIGN_NAME, DISTRICT_CODE
from districts.models import OrgUnit, Sector, User
from districts.second_factor import force_login_verified
from hazards.models import Hazard, Status
from jobs.models import Job
from jobs.runner import run_job
from oversight.bulletins.snapshot import sha256
from oversight.models import Metric, Rollup, RollupState
from oversight.rollups import rebuild
from oversight.selectors import dashboard_for
from oversight.summaries.models import AnnualSummary, SummaryVersion
from oversight.summaries.services import summary_start
from reporting.models import Submission


@pytest.fixture(scope="module")
def demo_for_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """load_demo() once for the module (it plays a campaign's year of hazards), rolled back after
    it; its files (photos, PDFs) in a directory of the module's, which it yields."""
    media = tmp_path_factory.mktemp("demo_media")
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=media)
    with django_db_blocker.unblock(), fast, transaction.atomic():
        load_demo()
        yield media
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_for_module, db):
    return OrgUnit.objects.get(code=DISTRICT_CODE)


@pytest.fixture
def demo_files(demo_for_module, settings):
    """The demo's files readable (each test has media of its own otherwise)."""
    settings.MEDIA_ROOT = demo_for_module


@pytest.fixture
def office(demo, client):
    force_login_verified(client, User.objects.get(username="office"))
    return client


def test_the_demo_builds_its_rollups_with_its_hazards_and_reports(demo):
    district = demo
    state = RollupState.objects.get(district=district)
    assert state.built_at and state.full_built_at
    month = deadline_today().replace(day=1)

    def figure(metric, variant=""):
        row = Rollup.objects.filter(
            unit=district, sector=None, granularity="month", period_start=month, metric=metric, variant=variant
        ).first()
        return row.value if row else 0

    assert figure(Metric.HAZARDS_OPEN) == Hazard.objects.open().count() > 0
    assert figure(Metric.HAZARDS_OVERDUE) == Hazard.objects.overdue().count() > 0
    assert Submission.objects.exists(), "reporting's demo ran before the rollups were built"
    year = Rollup.objects.filter(unit=district, sector=None, granularity="year", metric=Metric.REPORTS_FILED)
    assert year.filter(variant="", period_start=month.replace(month=1)).get().value > 0


def _trend(page: str) -> dict[str, list[int]]:
    """The hazards-by-month chart's table as the page shows it: month → [found, closed, overdue]."""
    with translation.override("zh-hans"):
        title = translation.gettext("Hazards by month: found, closed, and overdue at the month's end")
    table = page.split(f">{title}</caption>")[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row"[^>]*>(.*?)</th>((?:<td class="num">[^<]*</td>)+)', table)
    return {month: [int(n) for n in re.findall(r">(\d+)<", cells)] for month, cells in rows}


def test_the_district_dashboard_shows_hazards_found_and_closed_month_by_month(office, demo):
    trend = _trend(office.get(reverse("oversight:dashboard")).content.decode())
    found = [cells[0] for cells in trend.values()]
    closed = [cells[1] for cells in trend.values()]
    assert len(trend) == deadline_today().month  # the campaign began on 1 January
    # Every month but the running one has finds (on a month's first days it may have none yet).
    assert sum(1 for n in found[:-1] if n) >= min(6, len(trend) - 1), found
    if len(trend) > 3:
        assert len(set(found)) > 2 and len(set(closed)) > 2, (found, closed)  # not flat


def test_every_street_and_community_has_hazards_on_its_dashboard(office, demo):
    streets = OrgUnit.objects.filter(parent=demo, kind=OrgUnit.Kind.STREET)
    for unit in [*streets, *OrgUnit.objects.filter(parent__in=streets, kind=OrgUnit.Kind.COMMUNITY)]:
        response = office.get(reverse("oversight:unit", args=[unit.pk]))
        found = response.context["page"].figures.count(Metric.HAZARDS_FOUND)
        assert found > 0, unit.name


def _cards_and_lists(client, url):
    """(card key, figure on the card, rows of the list it links to) for each card that links to a
    list of hazards or of risks, as a reader follows it."""
    response = client.get(url)
    assert response.status_code == 200, url
    out = []
    for card in response.context["cards"].cards:
        links = [(card.key, card.value, card.url)] if card.url else []
        if card.key == "red_orange_risks":
            # Red: n · Orange: n, each a list of active risks of that level.
            links = [
                (f"{card.key}:{link.label}", re.search(r"(\d+)$", link.label).group(1), link.url) for link in card.links
            ]
        for key, value, link in links:
            if not link.startswith(("/hazards/", "/risks/")):
                continue
            listed = client.get(link).context["page"].paginator.count
            if key == "closure_rate":  # 整改率: of the hazards found, those closed (the card's note)
                value = response.context["page"].figures.count(Metric.HAZARDS_CLOSED_TO_DATE)
            out.append((key, int(value), listed))
    return out


def test_every_card_of_the_demo_equals_the_list_it_links_to(office, demo):
    """The district, the street and community with the most overdue hazards, a sector of the
    district: overdue, listed major hazards, closed (整改率), red and orange risks."""
    district_page = office.get(reverse("oversight:dashboard")).context["page"]
    street = max(district_page.children, key=lambda row: row.figures.overdue).unit
    street_page = office.get(reverse("oversight:unit", args=[street.pk])).context["page"]
    community = max(street_page.children, key=lambda row: row.figures.overdue).unit
    fire = Sector.objects.get(code="fire_safety")
    pages = [
        reverse("oversight:dashboard"),
        reverse("oversight:unit", args=[street.pk]),
        reverse("oversight:unit", args=[community.pk]),
        f"{reverse('oversight:unit', args=[demo.pk])}?sector={fire.pk}",
    ]
    checked = {}
    for url in pages:
        for key, card, listed in _cards_and_lists(office, url):
            assert card == listed, (url, key)
            checked[(url, key)] = card
    assert checked[(pages[0], "hazards_overdue")] >= checked[(pages[1], "hazards_overdue")] > 0
    assert checked[(pages[0], "major_hazards_listed")] >= 2
    assert {key.split(":")[0] for _url, key in checked} >= {
        "hazards_overdue",
        "major_hazards_listed",
        "closure_rate",
        "red_orange_risks",
    }


def test_the_demo_holds_a_published_bulletin_of_a_recent_quarter_with_its_pdf_and_some_acknowledgements(
    demo, office
):
    from oversight.bulletins.models import Bulletin, BulletinStatus

    bulletin = Bulletin.objects.get()
    assert bulletin.status == BulletinStatus.PUBLISHED and bulletin.number == 1
    version = bulletin.versions.get()
    assert version.document_number.startswith("下创建办〔") and version.pdf and version.pdf_pages >= 1
    assert (deadline_today() - version.period_end).days < 100, "a recent quarter"
    assert version.snapshot["streets"] and version.snapshot["departments"]
    acknowledged = set(version.acknowledgements.values_list("unit__name", flat=True))
    assert acknowledged == {"武林街道", "区应急管理局"}
    page = office.get(reverse("oversight:bulletin_acknowledgements", args=[bulletin.pk])).content.decode()
    assert "天水街道" in page.split('data-testid="not-acknowledged"', 1)[1].split("</ul>", 1)[0]
    assert len(version.pdf_sha256) == 64, "its PDF rendered and kept with its hash"


# ---------------------------------------------------------------- the plan's years (2019, 2020)


PLAN_YEARS = (2019, 2020)


def _year_rollup(district, year: int, metric: str) -> int:
    start = datetime.date(year, 1, 1)
    row = Rollup.objects.filter(
        unit=district, sector=None, granularity="year", period_start=start, metric=metric, variant=""
    ).first()
    return int(row.value) if row and row.value is not None else 0


@pytest.mark.parametrize("year", PLAN_YEARS)
def test_the_plan_years_dashboards_hold_hazards_reports_tasks_and_risks(demo, year):
    """The finished campaign's years have a history of their own: hazards found and closed (some
    late), reports expected and filed (some late, some missing), key tasks due and risks on the
    register at the year's end, major and significant among them."""
    office = User.objects.get(username="office")
    page = dashboard_for(office, demo.pk, period=f"year:{year}-01-01")
    assert page.period.start == datetime.date(year, 1, 1) and not page.notices
    f = page.figures
    found, closed = f.count(Metric.HAZARDS_FOUND), f.count(Metric.HAZARDS_CLOSED)
    assert found >= 30 and closed >= 30
    assert f.count(Metric.HAZARDS_CLOSED_ON_TIME) < closed  # some closed late
    expected, filed = f.count(Metric.REPORTS_EXPECTED), f.count(Metric.REPORTS_FILED)
    assert 0 < f.count(Metric.REPORTS_ON_TIME) < filed < expected  # some late, some missing
    assert f.risks("") > 0 and f.red > 0 and f.orange > 0
    # Key tasks are not on the dashboard's cards: the year's rollups the summary reads hold them.
    assert _year_rollup(demo, year, Metric.TASKS_DUE) > 0
    assert _year_rollup(demo, year, Metric.TASKS_DONE) > 0


def test_the_plan_campaigns_tasks_are_done_or_overdue_by_its_end(demo):
    plan = Campaign.objects.get(name=CAMPAIGN_NAME)
    tasks = KeyTask.objects.filter(campaign=plan)
    assert {t.due_on.year for t in tasks} == set(PLAN_YEARS)
    assert tasks.done().exists() and tasks.exclude(pk__in=tasks.done()).filter(due_on__lt=plan.ends_on).exists()


def test_the_plan_campaigns_hazards_are_all_closed_with_three_majors_listed(demo):
    plan = Campaign.objects.get(name=CAMPAIGN_NAME)
    end = datetime.datetime.combine(plan.ends_on, datetime.time.max, tzinfo=DEADLINE_TZ)
    hazards = Hazard.objects.filter(found_at__lte=end)
    assert hazards.count() >= 60 and not hazards.exclude(status=Status.CLOSED).exists()
    assert hazards.filter(listing__isnull=False).count() == 3
    assert {h.number.split("-")[1] for h in hazards} == {"2019", "2020"}  # numbered in the year found


@pytest.mark.parametrize("year", PLAN_YEARS)
def test_the_demo_holds_the_districts_summary_of_each_plan_year_with_its_pdf_and_workbook(demo, demo_files, year):
    summary = AnnualSummary.objects.get(unit=demo, year=year)
    assert summary.created_by.username == "office" and summary.practices
    (version,) = summary.versions.all()
    assert version.language == "zh-hans"
    content = version.pdf.read()
    assert version.pdf_pages == page_count(content) >= 5
    assert sha256(content) == version.pdf_sha256
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert f"下城区{year}年度创建国家安全发展示范城市" in text and "重大（红）" in text
    figures = dashboard_for(User.objects.get(username="office"), demo.pk, period=f"year:{year}-01-01").figures
    assert str(figures.count(Metric.RISKS)) in text  # the register at the year's end, as the dashboard has it
    book = load_workbook(io.BytesIO(version.xlsx.read()))
    assert len(book.sheetnames) >= 5


def test_loading_the_demo_again_makes_no_summary_version_nor_job(demo):
    versions, jobs = SummaryVersion.objects.count(), Job.objects.count()
    load_demo()
    assert (SummaryVersion.objects.count(), Job.objects.count()) == (versions, jobs)


def test_a_summary_made_again_after_a_rebuild_of_the_same_records_makes_no_version(demo):
    summary = AnnualSummary.objects.get(unit=demo, year=2019)
    office = User.objects.get(username="office")
    rebuild(demo, full=True)  # new build time, the same figures
    with translation.override("zh-hans"):
        job = summary_start(summary=summary, by=office)
    run_job(job.pk, language="zh-hans")
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.report["unchanged"]
    assert summary.versions.count() == 1
