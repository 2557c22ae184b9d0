"""Jobs run in a real Celery worker process, on the broker the settings name
(Redis in CI, the file-system transport on embedded defaults)."""

import pytest
from django.urls import reverse

from districts.models import Role
from districts.second_factor import force_login_verified
from jobs.models import JobHeartbeat
from jobs.tasks import record_heartbeat

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


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
