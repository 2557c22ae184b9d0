"""The risk form's site picker: a district's tens of thousands of sites are found by typing,
and only sites the user can see are offered or accepted."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from districts.models import Role, Sector
from districts.tests.factories import SiteFactory
from risks.forms import factors_of
from risks.models import AccidentType, AssessmentMethod, RiskPoint


@pytest.fixture
def sites(district, unit):
    return {
        "wulin": SiteFactory(name="武林银泰百货", unit=unit("330103002051")),  # 武林街道 中北社区
        "tianshui": SiteFactory(name="天水小学食堂", unit=unit("330103003")),  # 天水街道
    }


@pytest.fixture
def wulin_client(client, settings, make_user, unit):
    client.force_login(make_user(Role.STREET_STAFF, unit("330103002")))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _risk_data(unit, site_text):
    sector = Sector.objects.get(code="fire_safety")
    lec = AssessmentMethod.objects.get(code="lec")
    return {
        "assess-method": lec.pk,
        "assess-stage": "residual",
        **{f"assess-{field}": value for (field, _name), value in zip(factors_of(lec), ["3", "6", "7"], strict=True)},
        "name": "商场液化气",
        "unit": unit.pk,
        "site": site_text,
        "sector": sector.pk,
        "accident_type": AccidentType.FIRE,
        "responsible_unit": unit.pk,
        "responsible_person": "李四",
    }


def test_suggestions_find_visible_sites_by_name_or_code_and_never_another_streets(wulin_client, sites):
    found = wulin_client.get(reverse("site_lookup"), {"q": "银泰"}).json()["results"]
    assert found == [{"code": sites["wulin"].credit_code, "label": "武林银泰百货 · 中北社区"}]
    by_code = wulin_client.get(reverse("site_lookup"), {"q": sites["wulin"].credit_code[:10]}).json()["results"]
    assert [s["code"] for s in by_code] == [sites["wulin"].credit_code]
    assert wulin_client.get(reverse("site_lookup"), {"q": "天水小学"}).json()["results"] == []


def _lookup(client, text):
    with CaptureQueriesContext(connection) as queries:
        results = client.get(reverse("site_lookup"), {"q": text}).json()["results"]
    return results, len(queries)


def test_suggestions_stop_at_twenty_in_the_same_queries_for_3_sites_as_for_300(wulin_client, unit, sites):
    SiteFactory.create_batch(3, unit=unit("330103002051"))  # 测试场所…
    few, few_queries = _lookup(wulin_client, "测试场所")
    SiteFactory.create_batch(297, unit=unit("330103002051"))
    many, many_queries = _lookup(wulin_client, "测试场所")
    assert (len(few), len(many)) == (3, 20)
    assert few_queries == many_queries


def test_a_risk_is_tied_to_a_site_picked_by_its_code(wulin_client, unit, sites):
    response = wulin_client.post(reverse("risk_create"), _risk_data(unit("330103002051"), sites["wulin"].credit_code))
    assert response.status_code == 302, response.content.decode()[:2000]
    risk = RiskPoint.objects.get(name="商场液化气")
    assert risk.site == sites["wulin"]
    # The edit form shows the site as its code, with its name as the suggestion.
    page = wulin_client.get(reverse("risk_edit", args=[risk.pk])).content.decode()
    assert f'value="{sites["wulin"].credit_code}"' in page and "武林银泰百货" in page
    assert "js/site_pick.js" in page


def test_a_site_the_user_cannot_see_is_refused_and_nothing_is_saved(wulin_client, unit, sites):
    code = sites["tianshui"].credit_code
    response = wulin_client.post(reverse("risk_create"), _risk_data(unit("330103002051"), f"天水小学食堂（{code}）"))
    assert response.status_code == 200
    assert f"No site you can see has the unified social credit code “{code}”" in response.content.decode()
    assert not RiskPoint.objects.filter(name="商场液化气").exists()
    # What the user typed is still in the form.
    assert "商场液化气" in response.content.decode()


def test_every_form_with_the_picker_brings_its_script(wulin_client):
    for url in (reverse("risk_create"), reverse("hazard_create")):
        page = wulin_client.get(url).content.decode()
        assert 'data-site-pick-for="id_site"' in page and "js/site_pick.js" in page, url
