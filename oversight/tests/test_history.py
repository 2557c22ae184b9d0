"""Every campaign year of the district on the dashboards: with the plan's campaign of 2019–2020
beside the one running now, 2019 and 2020 are offered and hold their own figures, and a year no
campaign covers is neither offered nor accepted."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from campaign.models import Campaign, campaign_of_year
from districts.models import User
from hazards.models import Status
from oversight.models import Metric
from oversight.rollups import rebuild
from oversight.selectors import dashboard_for
from reporting.models import Period, Submission

D = datetime.date


@pytest.fixture
def history(world):
    world.plan = Campaign.objects.create(
        name="测试区创建（2019—2020）",
        district=world.district,
        starts_on=D(2019, 2, 14),
        ends_on=D(2020, 12, 31),
        baseline_year=2016,
    )
    world.admin = User.objects.create_superuser(username="history-admin", password="x")
    return world


def _page(world, period):
    return dashboard_for(world.admin, world.district.pk, period=period)


def test_a_hazard_found_and_closed_in_2019_counts_in_2019s_figures(history):
    found = history.at(D(2019, 5, 6))
    history.hazard(
        "a1",
        0,
        found=found,
        status=Status.CLOSED,
        assigned_at=found,
        deadline=D(2019, 6, 30),
        rectified_at=history.at(D(2019, 6, 3)),
        closed_at=history.at(D(2019, 6, 10)),
    )
    rebuild(history.district, full=True)
    page = _page(history, "year:2019-01-01")
    assert not page.notices
    assert page.period.start == D(2019, 1, 1)
    assert page.figures.count(Metric.HAZARDS_FOUND) == 1
    assert page.figures.count(Metric.HAZARDS_CLOSED) == 1
    assert page.figures.closure_rate == 100


def test_a_report_of_the_first_campaign_filed_in_2020_counts_in_2020s_report_rate(history):
    period = (
        Period.objects.filter(campaign=history.plan, report_type__code="monthly_item", due_on__year=2020)
        .order_by("due_on")
        .first()
    )
    assert period is not None
    sent = history.at(period.due_on)
    Submission.objects.create(
        unit=history["B"],
        period=period,
        status="submitted",
        created_by=history.user,
        first_submitted_at=sent,
        submitted_at=sent,
    )
    rebuild(history.district, full=True)
    page = _page(history, "year:2020-01-01")
    assert not page.notices
    assert page.figures.count(Metric.REPORTS_FILED) == 1
    assert page.figures.count(Metric.REPORTS_EXPECTED) > 1
    assert page.figures.report_rate is not None and page.figures.report_rate > 0


def test_the_picker_offers_2019_2020_and_this_year_but_no_year_without_a_campaign(client, sign_in, history):
    rebuild(history.district, full=True)
    html = sign_in(client, history.admin).get(reverse("oversight:unit", args=[history.district.pk])).content.decode()
    this_year = history.today.year
    for year in {2019, 2020, this_year, history.campaign.starts_on.year}:
        assert f'value="year:{year}-01-01"' in html
    for year in range(2021, history.campaign.starts_on.year):
        assert f'value="year:{year}-01-01"' not in html
        assert f'value="month:{year}-06-01"' not in html


def test_a_year_no_campaign_covers_is_refused_with_the_notice(client, sign_in, history):
    rebuild(history.district, full=True)
    page = _page(history, "year:2022-01-01")
    assert page.notices == [_("That period is not one of the campaign's: showing its latest year.")]
    assert page.period == page.calendar.default
    response = sign_in(client, history.admin).get(
        reverse("oversight:unit", args=[history.district.pk]), {"period": "year:2022-01-01"}
    )
    assert _("That period is not one of the campaign's: showing its latest year.") in response.content.decode()


def test_the_campaign_of_a_year_is_the_one_covering_most_of_it(history):
    assert campaign_of_year(history.district, 2019) == history.plan
    assert campaign_of_year(history.district, 2020) == history.plan
    assert campaign_of_year(history.district, 2022) is None
    covering = Campaign.objects.create(
        name="测试区半年",
        district=history.district,
        starts_on=D(2020, 8, 1),
        ends_on=D(2021, 6, 30),
        baseline_year=2016,
    )
    assert campaign_of_year(history.district, 2020) == history.plan  # 366 days against 153
    assert campaign_of_year(history.district, 2021) == covering
