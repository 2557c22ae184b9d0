"""What is the same for everyone may be kept: the risk levels' style sheet (the four colours) goes
with Cache-Control: public for an hour and an ETag, signed in or not, and asked again with its
ETag answers 304 Not Modified. Everything a signed-in user sees otherwise stays no-store."""

import gzip

import pytest
from django.test import Client
from django.urls import reverse

from districts.models import Role
from districts.second_factor import force_login_verified

pytestmark = pytest.mark.django_db

CSS = reverse("risk_level_css")
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip"}


def body(response) -> bytes:
    return gzip.decompress(response.content) if response.get("Content-Encoding") == "gzip" else response.content


def directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


@pytest.fixture
def clients(plan, unit, make_user):
    """A visitor, a street's staff and a reviewer (with the second factor)."""
    street, reviewer = Client(), Client()
    street.force_login(make_user(Role.STREET_STAFF, unit("330103002")))
    force_login_verified(reviewer, make_user(Role.REVIEWER, unit("330103-CJB")))
    return [Client(), street, reviewer]


def test_the_level_colours_are_the_same_for_everyone_and_kept_an_hour(clients):
    answers = [c.get(CSS) for c in clients]
    assert all(a.status_code == 200 and a["Content-Type"].startswith("text/css") for a in answers)
    assert len({a.content for a in answers}) == 1
    assert len({a["ETag"] for a in answers}) == 1
    for a in answers:
        assert directives(a) == {"public", "max-age=3600"}


@pytest.mark.parametrize("encoding", [{}, GZIP], ids=["plain", "gzip"])
def test_asked_again_with_its_etag_the_style_sheet_answers_304(clients, encoding):
    for client in clients:
        first = client.get(CSS, **encoding)
        again = client.get(CSS, HTTP_IF_NONE_MATCH=first["ETag"], **encoding)
        assert again.status_code == 304 and again.content == b""
        assert directives(again) == {"public", "max-age=3600"}
        # Compressed, the style sheet's ETag is weak (W/"…", Django's gzip); the same tag all the same.
        assert again["ETag"].removeprefix("W/") == first["ETag"].removeprefix("W/")
        assert first.get("Content-Encoding") == ("gzip" if encoding else None)
        changed = client.get(CSS, HTTP_IF_NONE_MATCH='"an-older-version"', **encoding)
        assert changed.status_code == 200 and body(changed) == body(first)


def test_a_signed_in_users_pages_are_still_not_stored_and_carry_no_etag(clients):
    _visitor, street, reviewer = clients
    for client, page in [(street, reverse("my_reports")), (reviewer, reverse("report_calendar"))]:
        response = client.get(page)
        assert response.status_code == 200
        assert "no-store" in directives(response) and "public" not in directives(response)
        assert not response.has_header("ETag")
