"""After load_demo the dashboards are live: the rollups are built from the demo's records, its
reports (added by reporting after the campaign's demo) counted too; its trends move from month
to month, and every card that links to a list says as many as the list holds."""

import re

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from campaign.demo import load_demo
from campaign.lib.deadlines import deadline_today
from campaign.plan import DISTRICT_CODE
from districts.models import OrgUnit, Sector, User
from districts.second_factor import force_login_verified
from hazards.models import Hazard
from oversight.models import Metric, Rollup, RollupState
from reporting.models import Submission


@pytest.fixture(scope="module")
def demo_for_module(django_db_setup, django_db_blocker):
    """load_demo() once for the module (it plays a campaign's year of hazards), rolled back after it."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_for_module, db):
    return OrgUnit.objects.get(code=DISTRICT_CODE)


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
    assert year.filter(variant="").get().value > 0


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
