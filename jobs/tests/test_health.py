"""GET /healthz: the database, the broker (the real Redis the settings name) and the worker
heartbeat beat sends; 200 only when all three are well, 503 otherwise, no sign-in needed."""

import datetime
import socket

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from districts.models import Role
from jobs import health
from jobs.models import JobHeartbeat
from jobs.tasks import record_heartbeat

pytestmark = pytest.mark.django_db

REDIS = "redis://127.0.0.1:6379/11"


@pytest.fixture(autouse=True)
def _redis(settings):
    settings.CELERY_BROKER_URL = REDIS


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is


def test_all_well_answers_200_with_each_part_ok(client):
    record_heartbeat()
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["beat"]["ok"] is True
    assert 0 <= body["beat"]["age_seconds"] < 5
    assert datetime.datetime.fromisoformat(body["beat"]["last_run"]) == JobHeartbeat.objects.get().last_seen
    assert set(body) == {"database", "broker", "beat"}  # names and states, nothing personal


def test_a_broker_that_does_not_answer_is_503(client, settings):
    record_heartbeat()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/11"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["broker"].startswith("error")
    assert "127.0.0.1" not in body["broker"]  # the address stays in the server's log
    assert body["database"] == "ok"


def test_a_database_that_fails_is_503(client, monkeypatch):
    record_heartbeat()

    class Broken:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", Broken())
    body = client.get(reverse("healthz"))
    assert body.status_code == 503
    assert body.json()["database"] == "error: OperationalError"


def test_a_stale_heartbeat_is_503_until_the_heartbeat_runs_again(client):
    JobHeartbeat.objects.create(name="worker", last_seen=timezone.now() - datetime.timedelta(minutes=10))
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["beat"]["ok"] is False
    assert response.json()["beat"]["age_seconds"] >= 600

    record_heartbeat()
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["beat"]["ok"] is True


def test_no_heartbeat_yet_is_503_with_no_last_run(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["beat"] == {"last_run": None, "age_seconds": None, "ok": False}


def test_the_check_is_cheap_one_select_and_one_read(client, django_assert_num_queries):
    record_heartbeat()
    with django_assert_num_queries(2):
        assert client.get(reverse("healthz")).status_code == 200


def test_answers_on_plain_http_and_to_a_user_who_owes_a_second_factor(client, settings, plan, unit, make_user):
    record_heartbeat()
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("login")).status_code == 301  # the rest of the site goes to HTTPS
    admin = make_user(Role.SYSTEM_ADMIN, unit("330103"))
    client.force_login(admin)  # signed in, second factor not passed: every page redirects
    assert client.get(reverse("home"), secure=True).status_code == 302
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
