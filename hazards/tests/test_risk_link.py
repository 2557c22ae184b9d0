"""A hazard may name the risk point it was found at: only one of the same place's risks, the
risk's page lists its open hazards, and three hazards on one risk within 90 days (since its
last assessment) mark it for re-assessment (需重新评估) on the risk list and page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from districts.second_factor import force_login_verified
from districts.tests.factories import SiteFactory
from hazards import services
from hazards.models import Grade, Hazard, Source, Status
from hazards.tests.conftest import DENGXIN, ZHONGBEI
from risks import services as risk_services
from risks.models import AccidentType, Assessment, AssessmentMethod, RiskPoint

pytestmark = pytest.mark.django_db

XIANLIN = "330103002052"  # 仙林社区, also in Wulin
BADGE = 'data-testid="needs-reassessment"'


@pytest.fixture
def risk_at(plan, unit, users, fire):
    """risk_at(place, name=…, site=…) → a general (6×3×7) fire risk there, assessed 200 days ago."""
    lec = AssessmentMethod.objects.get(code="lec")

    def make(place=ZHONGBEI, *, name="中北菜场电气线路", site=None):
        risk = risk_services.risk_create(
            by=users["sysadmin"],
            name=name,
            unit=unit(place),
            site=site,
            sector=fire,
            accident_type=AccidentType.FIRE,
            responsible_unit=unit(place),
            responsible_person="张三",
            assessments=[{"method": lec, "stage": "residual", "inputs": {"L": 6, "E": 3, "C": 7}}],
        )
        Assessment.objects.filter(risk=risk).update(assessed_at=timezone.now() - datetime.timedelta(days=200))
        return risk

    return make


@pytest.fixture
def log(users, unit, fire):
    """log(risk, days_ago, place=…) → a hazard logged by the street staff at the risk, that long ago."""

    def make(risk, days_ago=1, *, place=ZHONGBEI, site=None, title="配电箱未上锁", by="street"):
        return services.hazard_report(
            by=users[by],
            title=title,
            unit=unit(place),
            site=site,
            sector=fire,
            description="配电箱门未关闭",
            grade=Grade.GENERAL,
            source=Source.PATROL,
            found_at=timezone.now() - datetime.timedelta(days=days_ago),
            risk=risk,
        )

    return make


def _page(client, user, name, *args, **query):
    force_login_verified(client, user)
    return client.get(reverse(name, args=args), query).content.decode()


# ---------------------------------------------------------------- the same place


def test_a_hazard_names_a_risk_of_its_own_place_and_its_page_links_to_it(client, users, risk_at, log):
    risk = risk_at()

    hazard = log(risk)

    assert hazard.risk == risk and list(risk.hazards.all()) == [hazard]
    page = _page(client, users["street"], "hazard_detail", hazard.pk)
    assert reverse("risk_detail", args=[risk.pk]) in page.split('data-testid="risk-point"')[1].split("</dd>")[0]


def test_a_risk_of_another_place_is_refused_and_nothing_is_logged(risk_at, log):
    elsewhere = risk_at(XIANLIN, name="仙林工地深基坑")
    before = Hazard.objects.count()

    with pytest.raises(ValidationError) as refused:
        log(elsewhere, place=ZHONGBEI)

    assert "仙林工地深基坑" in " ".join(refused.value.message_dict["risk"])
    assert Hazard.objects.count() == before


def test_a_risk_at_one_site_is_refused_for_a_hazard_at_another(plan, unit, risk_at, log):
    market = SiteFactory(unit=unit(ZHONGBEI), name="中北菜场")
    shop = SiteFactory(unit=unit(ZHONGBEI), name="中北小吃店")
    risk = risk_at(site=market)

    with pytest.raises(ValidationError):
        log(risk, site=shop)
    assert log(risk, site=market).risk == risk


def test_the_form_opened_from_a_risk_offers_only_that_places_risks(client, users, risk_at):
    risk = risk_at()
    same_place = risk_at(name="中北菜场燃气管道")
    elsewhere = risk_at(XIANLIN, name="仙林工地深基坑")

    page = _page(client, users["street"], "hazard_create", risk=risk.pk)

    assert f'value="{risk.pk}" selected' in page
    assert same_place.name in page and elsewhere.name not in page


def test_a_posted_risk_of_another_place_is_refused_on_the_form(client, users, unit, fire, risk_at):
    elsewhere = risk_at(XIANLIN, name="仙林工地深基坑")
    force_login_verified(client, users["street"])
    data = {
        "title": "配电箱未上锁",
        "unit": unit(ZHONGBEI).pk,
        "sector": fire.pk,
        "description": "配电箱门未关闭",
        "grade": Grade.GENERAL,
        "source": Source.PATROL,
        "found_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "risk": elsewhere.pk,
    }

    response = client.post(reverse("hazard_create"), data)

    assert response.status_code == 200 and not Hazard.objects.exists()
    data["risk"] = risk_at().pk
    assert client.post(reverse("hazard_create"), data).status_code == 302
    assert Hazard.objects.get().risk_id == data["risk"]


def test_a_hazard_can_be_linked_to_its_risk_afterwards_on_the_edit_page(users, risk_at, build):
    risk = risk_at()
    hazard = build()

    services.hazard_edit(hazard=hazard, by=users["street"], risk=risk)

    hazard.refresh_from_db()
    assert hazard.risk == risk and hazard.events.filter(action="edit").exists()


# ---------------------------------------------------------------- the risk's page


def test_the_risk_page_lists_its_open_hazards_only(client, users, risk_at, log):
    risk = risk_at()
    open_one = log(risk, title="配电箱未上锁")
    closed = log(risk, title="插座老化")
    Hazard.objects.filter(pk=closed.pk).update(status=Status.CANCELLED)
    unrelated = log(None, title="消防通道堵塞")

    page = _page(client, users["street"], "risk_detail", risk.pk)
    listed = page.split('data-testid="open-hazards"')[1].split("</ul>")[0]

    assert open_one.number in listed
    assert closed.number not in listed and unrelated.number not in listed


# ---------------------------------------------------------------- three in 90 days


def test_two_hazards_within_90_days_do_not_mark_the_risk(client, users, risk_at, log):
    risk = risk_at()
    log(risk, 1)
    log(risk, 89)

    assert BADGE not in _page(client, users["street"], "risk_list")
    assert BADGE not in _page(client, users["street"], "risk_detail", risk.pk)


def test_three_hazards_within_90_days_mark_the_risk_on_list_and_page(client, users, risk_at, log):
    risk = risk_at()
    quiet = risk_at(name="中北菜场燃气管道")
    for days in (1, 30, 89):
        log(risk, days)

    listing = _page(client, users["street"], "risk_list")
    assert listing.count(BADGE) == 1 and "需重新评估" in listing
    assert BADGE in _page(client, users["street"], "risk_detail", risk.pk)
    marked = _page(client, users["street"], "risk_list", reassess="true")
    assert risk.name in marked and quiet.name not in marked
    unmarked = _page(client, users["street"], "risk_list", reassess="false")
    assert quiet.name in unmarked and risk.name not in unmarked


def test_a_hazard_91_days_old_does_not_count(client, users, risk_at, log):
    risk = risk_at()
    for days in (1, 30, 91):
        log(risk, days)

    assert BADGE not in _page(client, users["street"], "risk_list")
    assert RiskPoint.objects.with_control().needing_reassessment().count() == 0


def test_a_cancelled_record_does_not_count(risk_at, log):
    risk = risk_at()
    hazards = [log(risk, days) for days in (1, 2, 3)]
    Hazard.objects.filter(pk=hazards[0].pk).update(status=Status.CANCELLED)

    assert not RiskPoint.objects.with_control().get(pk=risk.pk).needs_reassessment


def test_re_assessing_the_risk_clears_the_mark(client, users, risk_at, log):
    risk = risk_at()
    for days in (1, 2, 3):
        log(risk, days)
    assert RiskPoint.objects.with_control().get(pk=risk.pk).needs_reassessment

    risk_services.risk_assess(
        risk=risk,
        by=users["street"],
        method=AssessmentMethod.objects.get(code="lec"),
        stage="residual",
        inputs={"L": 6, "E": 3, "C": 7},
    )

    assert BADGE not in _page(client, users["street"], "risk_detail", risk.pk)


def test_hazards_of_another_risk_count_for_that_risk_only(risk_at, log):
    risk, other = risk_at(), risk_at(DENGXIN, name="灯芯巷群租房")
    for days in (1, 2):
        log(risk, days)
    log(other, 1, place=DENGXIN, by="sysadmin")

    assert RiskPoint.objects.with_control().needing_reassessment().count() == 0
