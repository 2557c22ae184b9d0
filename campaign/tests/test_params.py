"""An integer in the query string is ASCII digits or nothing: "²", "①" and "٣" never answer 500,
and never pick a row by the back door of int("٣") == 3."""

import pytest
from django.urls import reverse

from campaign.lib.params import IdChoiceField, parse_int
from districts.models import OrgUnit, Role, Site
from districts.second_factor import force_login_verified

WULIN = "330103002"  # 武林街道
OFFICE = "330103-CJB"  # 区创建办

# Unicode "digits" str.isdigit() accepts and int() refuses, digits int() accepts that are not
# ASCII, and what int() forgives (spaces, signs, underscores); plus a number no database holds.
NOT_ASCII_INTEGERS = ["²", "①", "٣", "３", " 3", "+3", "-3", "3_0", "3.0", "", "1" * 40, "3\x00"]


@pytest.mark.parametrize("value", NOT_ASCII_INTEGERS)
def test_only_ascii_digits_are_an_integer(value):
    assert parse_int(value) is None


def test_ascii_digits_and_bounds():
    assert parse_int("0042") == 42
    assert parse_int("2019", minimum=2019, maximum=2020) == 2019
    assert parse_int("2021", minimum=2019, maximum=2020) is None
    assert parse_int(None) is None and parse_int(["3"]) is None and parse_int(True) is None


def test_a_choice_by_id_refuses_a_unicode_digit_that_int_would_read(plan):
    unit = OrgUnit.objects.order_by("pk").first()
    field = IdChoiceField(queryset=OrgUnit.objects.all())
    assert field.clean(str(unit.pk)) == unit
    arabic = str(unit.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert int(arabic) == unit.pk  # what Django's own field would have looked up
    with pytest.raises(Exception) as caught:
        field.clean(arabic)
    assert caught.value.code == "invalid_choice"


@pytest.fixture
def street_client(client, plan, unit, make_user):
    user = make_user(Role.STREET_STAFF, unit(WULIN))
    Site.objects.create(unit=unit(WULIN), name="安顺加油站", credit_code="", address="武林路1号")
    client.force_login(user)
    return client


LISTS = ["site_list", "risk_list", "hazard_list", "export_sites", "export_risks", "export_hazards"]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("value", ["²", "①", "٣", "1" * 40])
def test_a_list_or_export_with_a_unicode_digit_unit_answers_the_whole_list(street_client, name, value):
    response = street_client.get(reverse(name), {"unit": value, "sector": value, "page": value})
    assert response.status_code == 200


def test_a_unicode_digit_unit_does_not_filter_the_site_list_by_another_unit(street_client, unit):
    # int("٣…") is a real id: Django's field would have filtered by it silently.
    wulin = unit(WULIN)
    arabic = str(wulin.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    page = street_client.get(reverse("site_list"), {"unit": arabic}).content.decode()
    ascii_page = street_client.get(reverse("site_list"), {"unit": wulin.pk}).content.decode()
    assert "安顺加油站" in page and "安顺加油站" in ascii_page
    assert 'class="invalid-feedback' in page or "errorlist" in page or "is-invalid" in page


@pytest.mark.parametrize("value", ["²", "①", "٣", "1" * 40])
def test_the_reporting_calendar_with_a_unicode_digit_year_shows_every_year(client, plan, unit, make_user, value):
    force_login_verified(client, make_user(Role.REVIEWER, unit(OFFICE)))
    response = client.get(reverse("report_calendar"), {"year": value, "campaign": value, "page": value})
    assert response.status_code == 200
    assert response.context["year"] is None


def test_the_reporting_calendar_still_takes_an_ascii_year(client, plan, unit, make_user):
    force_login_verified(client, make_user(Role.REVIEWER, unit(OFFICE)))
    assert client.get(reverse("report_calendar"), {"year": "2020"}).context["year"] == 2020


@pytest.mark.parametrize("value", ["²", "٣", "1" * 40])
def test_the_submission_list_with_unicode_digit_filters_answers(client, plan, unit, make_user, value):
    force_login_verified(client, make_user(Role.REVIEWER, unit(OFFICE)))
    params = {"unit": value, "period": value, "report_type": value, "page": value}
    assert client.get(reverse("submission_list"), params).status_code == 200
