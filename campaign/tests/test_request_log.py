"""One log line a request (campaign.middleware.RequestLogMiddleware), one JSON object with
LOG_FORMAT=json: who, where, the outcome, how long, how many queries — and never a password
or a query string's values."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.lib.logs import JsonFormatter
from districts.models import Role
from districts.second_factor import force_login_verified

ROOT = Path(__file__).resolve().parents[2]
FIELDS = {"time", "level", "logger", "message", "method", "path", "query_keys", "status", "duration_ms",
          "queries", "user_id", "username", "unit", "request_id"}  # fmt: skip


@pytest.fixture
def request_lines(caplog):
    """The request lines logged so far, as the JSON a log collector reads."""
    caplog.set_level(logging.INFO, logger="campaign.requests")

    def lines():
        formatter = JsonFormatter()
        return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "campaign.requests"]

    return lines


def test_a_page_makes_one_line_with_its_user_unit_status_and_query_count(client, plan, unit, make_user, request_lines):
    user = make_user(Role.STREET_STAFF, unit("330103002"), username="zhangwei")
    force_login_verified(client, user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    [line] = request_lines()
    assert set(line) == FIELDS
    assert line["logger"] == "campaign.requests"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/", 200)
    assert line["queries"] == len(queries) > 0
    assert line["duration_ms"] > 0
    assert (line["user_id"], line["username"], line["unit"]) == (user.pk, "zhangwei", "330103002")
    assert line["request_id"] == response["X-Request-ID"]


def test_no_query_values_and_no_user_for_an_anonymous_request(client, request_lines, caplog):
    response = client.get("/accounts/login/?next=/secret-place/&token=s3cr3t-t0ken", HTTP_X_REQUEST_ID="lb-42")
    assert response.status_code == 200
    [line] = request_lines()
    assert line["path"] == "/accounts/login/"
    assert line["query_keys"] == ["next", "token"]
    assert "s3cr3t-t0ken" not in caplog.text and "secret-place" not in json.dumps(line)
    assert (line["user_id"], line["username"], line["unit"]) == (None, None, None)
    assert line["request_id"] == response["X-Request-ID"] == "lb-42"  # the proxy's id, passed on


def test_a_request_id_that_is_not_a_plain_token_is_replaced(client, request_lines):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID='"><script>' + "x" * 100)
    [line] = request_lines()
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32 and line["request_id"].isalnum()


def test_signing_in_logs_no_password(client, plan, unit, make_user, request_lines, caplog):
    password = "Corr3ct-Horse-Battery-9"
    make_user(Role.STREET_STAFF, unit("330103002"), username="lisi", password=password)
    caplog.set_level(logging.DEBUG)  # every logger, as verbose as it gets
    response = client.post(reverse("login"), {"username": "lisi", "password": password})
    assert response.status_code == 302
    [line] = request_lines()
    assert (line["method"], line["path"], line["status"], line["username"]) == ("POST", "/accounts/login/", 302, "lisi")
    formatter = JsonFormatter()
    logged = "\n".join(formatter.format(r) for r in caplog.records)
    assert password not in logged
    assert password not in caplog.text


SCRIPT = """
import logging
import django
django.setup()
logging.getLogger("campaign.requests").info("GET / 200", extra={"http": {"status": 200, "queries": 3}})
logging.getLogger("django.request").warning("Not Found: /nowhere/")
"""


def _run(**env):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "campaign.settings", **env}
    env.pop("LOG_FORMAT", None)
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60
    )


def test_with_debug_off_every_line_is_json_on_stdout():
    result = _run(DEBUG="false", SECRET_KEY="test-" + "k" * 50)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["logger"], line.get("status")) for line in lines] == [
        ("campaign.requests", 200),
        ("django.request", None),
    ]
    assert lines[0]["queries"] == 3 and lines[1]["level"] == "WARNING"


def test_with_debug_on_no_request_lines_and_plain_text():
    result = _run(DEBUG="true")
    assert "GET / 200" not in result.stdout + result.stderr  # ./dev up stays quiet
    assert result.stderr.strip() == "Not Found: /nowhere/"
