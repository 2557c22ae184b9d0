"""Pages go compressed (gzip) to a browser that accepts it, and compression leaks no secret
(BREACH): the CSRF token in a form is masked afresh in every answer and never is the cookie's
secret; compressed answers carry random padding, so their lengths vary; the authenticator key,
shown while it is set up next to text from the address, is never compressed; nor are files,
compressed in their own format, nor a tiny answer."""

import gzip
import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse

from districts.models import Role
from districts.second_factor import force_login_verified

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",")}


def gzip_padding(body: bytes) -> int:
    """The length of the file name in the gzip header (RFC 1952), where Django puts its padding."""
    assert body[:2] == b"\x1f\x8b" and body[3] & 0x08, "no FNAME field in the gzip header"
    return body.index(b"\x00", 10) - 10


@pytest.fixture
def office(plan, unit, make_user):
    client = Client()
    force_login_verified(client, make_user(Role.REVIEWER, unit("330103-CJB")))
    return client


def test_the_reporting_calendar_arrives_compressed_and_unpacks_to_the_same_page(office):
    plain = office.get(reverse("report_calendar"), {"type": "monthly_item"})
    packed = office.get(reverse("report_calendar"), {"type": "monthly_item"}, **GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain and "accept-encoding" in vary(plain)
    assert packed["Content-Encoding"] == "gzip" and "accept-encoding" in vary(packed)
    html = gzip.decompress(packed.content)
    assert int(packed["Content-Length"]) == len(packed.content) < len(html) / 5
    # The two pages differ only in the masked CSRF token of the page's forms (sign-out).
    assert TOKEN.sub("", html.decode()) == TOKEN.sub("", plain.content.decode())
    assert 'data-testid="calendar"' in html.decode()


def test_the_csrf_token_of_a_form_is_masked_afresh_and_never_the_cookies_secret(client):
    first = client.get(reverse("login"), **GZIP)
    secret = client.cookies["csrftoken"].value
    second = client.get(reverse("login"), **GZIP)
    assert client.cookies["csrftoken"].value == secret  # the secret stays; only its mask changes
    pages = [gzip.decompress(r.content).decode() for r in (first, second)]
    tokens = [TOKEN.search(page).group(1) for page in pages]
    assert tokens[0] != tokens[1]
    assert all(_unmask_cipher_token(t) == secret for t in tokens)
    assert all(secret not in page for page in pages)


def test_compressed_pages_with_a_token_carry_random_padding_so_their_lengths_vary(client):
    answers = [client.get(reverse("login"), **GZIP) for _ in range(8)]
    assert all(a["Content-Encoding"] == "gzip" for a in answers)
    # Django pads with 0-99 bytes: eight answers padded alike happen once in 10^16.
    assert len({gzip_padding(a.content) for a in answers}) > 1
    assert len({len(a.content) for a in answers}) > 1


def test_the_authenticator_key_is_never_compressed(plan, unit, make_user):
    client = Client()
    client.force_login(make_user(Role.REVIEWER, unit("330103-CJB")))  # password only: not enrolled yet
    response = client.get(reverse("otp_enrol"), {"next": "/reports/"}, **GZIP)
    assert response.status_code == 200
    assert 'data-testid="otp-secret"' in response.content.decode()
    assert "Content-Encoding" not in response


def test_a_tiny_answer_is_not_compressed(office):
    # The bell's count of unread notifications: a few bytes of JSON, under Django's floor of 200.
    response = office.get(reverse("notification_unread"), **GZIP)
    assert response.status_code == 200 and "Content-Encoding" not in response
    assert response.json() == {"unread": 0}


def test_a_file_goes_as_it_is(office):
    # A workbook is a zip already: gzip would only spend the processor (and drop a download's length).
    response = office.get(reverse("report_compilation_xlsx"), {"type": "monthly_item"}, **GZIP)
    assert response.status_code == 200 and response.has_header("Content-Disposition")
    assert "Content-Encoding" not in response
    assert response.content[:2] == b"PK"
