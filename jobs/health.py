"""The platform's health, for a load balancer or a monitor (GET /healthz, no sign-in): the
database, the Celery broker and the last heartbeat beat had a worker run. Cheap on purpose: one
SELECT 1, one broker connection with a short timeout, one read of the heartbeat row.

It answers names and states only: no personal data, and no error message (an address or a host
name is no business of an anonymous caller); the message goes to the server's log."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

from jobs.models import HEARTBEAT_STALE_AFTER, JobHeartbeat

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 2  # seconds, to connect and for the one retry


def _error(part: str, exc: Exception) -> str:
    logger.warning("healthz: %s: %s", part, exc)
    return f"error: {type(exc).__name__}"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is the answer, not a 500
        return _error("database", exc)
    return "ok"


def check_broker() -> str:
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "socket_connect_timeout": BROKER_TIMEOUT}
    try:
        with Connection(
            settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT, transport_options=options
        ) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)
    except Exception as exc:  # any failure is the answer, not a 500
        return _error("broker", exc)
    return "ok"


def check_beat() -> dict:
    """The worker heartbeat (jobs.schedule: beat sends jobs.tasks.record_heartbeat every
    minute, a worker writes the row): recent means beat, the broker and a worker all run."""
    try:
        last = JobHeartbeat.objects.filter(name="worker").values_list("last_seen", flat=True).first()
    except Exception as exc:  # the database's own check says why
        _error("beat", exc)
        last = None
    if last is None:
        return {"last_run": None, "age_seconds": None, "ok": False}
    age = timezone.now() - last
    return {"last_run": last.isoformat(), "age_seconds": int(age.total_seconds()), "ok": age < HEARTBEAT_STALE_AFTER}


@never_cache
@require_safe
def healthz(request):
    body = {"database": check_database(), "broker": check_broker(), "beat": check_beat()}
    healthy = body["database"] == "ok" and body["broker"] == "ok" and body["beat"]["ok"]
    return JsonResponse(body, status=200 if healthy else 503)
