"""Jobs run in a real Celery worker process, on the broker the settings name
(Redis in CI, the file-system transport on embedded defaults)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from campaign.models import JobHeartbeat
from campaign.tasks import record_heartbeat
from districts.models import Role
from districts.second_factor import force_login_verified

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    """The URL of the database this test runs on, for the worker to use too."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker_queue():
    """A worker process consuming a queue of its own, so that no other worker
    on this machine (a developer's ./dev up) can take the test's tasks."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "DJANGO_SETTINGS_MODULE": "campaign.settings"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "campaign",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "-l",
            "info",
            "-n",
            f"{queue}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue
    proc.terminate()
    try:
        output, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
    # Shown by pytest only when the test failed.
    print(output)


def test_heartbeat_runs_in_a_worker_process_and_admins_see_jobs_running(worker_queue, client, plan, unit, make_user):
    admin = make_user(Role.SYSTEM_ADMIN, unit("330103"))
    force_login_verified(client, admin)
    assert "job-status" in client.get(reverse("home")).content.decode()
    assert not JobHeartbeat.objects.exists()

    result = record_heartbeat.apply_async(queue=worker_queue)
    stamp = result.get(timeout=90)

    beat = JobHeartbeat.objects.get(name="worker")
    assert beat.last_seen.isoformat() == stamp
    # The worker is another process: its host name is recorded, and it wrote
    # to the same database the page reads.
    assert beat.worker
    page = client.get(reverse("home")).content.decode()
    assert 'class="mb-0 text-success" data-testid="job-status"' in page


def test_admins_see_jobs_down_when_the_last_heartbeat_is_old(client, plan, unit, make_user):
    from django.utils import timezone

    JobHeartbeat.objects.create(name="worker", last_seen=timezone.now() - timezone.timedelta(minutes=10))
    admin = make_user(Role.SYSTEM_ADMIN, unit("330103"))
    force_login_verified(client, admin)
    page = client.get(reverse("home")).content.decode()
    assert 'class="mb-0 text-danger" data-testid="job-status"' in page
