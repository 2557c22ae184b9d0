"""Two rebuilds of one district at once, each in a real Celery worker on PostgreSQL: the second
waits for the first (the lock on the district's RollupState), both end done, and the rows are
those one rebuild gives, none twice."""

from __future__ import annotations

import datetime
import time

import pytest
from django.db import connection, transaction

from jobs.models import Job
from jobs.tasks import run_job
from oversight.models import RollupState
from oversight.rollups import rebuild
from oversight.tests.conftest import make_world
from oversight.tests.oracle import expected_rows, stored_rows

DAY = datetime.timedelta(days=1)


def _wait_for(jobs, states, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for job in jobs:
            job.refresh_from_db()
        if all(job.state in states for job in jobs):
            return True
        time.sleep(0.2)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_rebuilds_at_once_in_real_workers_end_with_the_same_rows_and_none_twice(start_worker):
    if connection.vendor != "postgresql":
        pytest.skip("the lock and the workers are PostgreSQL's")
    world = make_world()
    for i in range(30):
        found = world.at(world.start + (i * 5 % 150) * DAY)
        world.hazard(["a1g1", "a2", "b1", "b2", "A"][i % 5], i % 2, found=found)
        world.task(["p", "q", "a1"][i % 3], i % 2, due_on=world.start + (i * 7 % 150) * DAY)
    RollupState.objects.create(district=world.district)  # the row both rebuilds will lock
    jobs = [
        Job.objects.create(kind="rollups", params={"full": True}, unit_id=world.district.pk) for _rebuild in range(2)
    ]
    queue = start_worker().queue
    start_worker(queue)
    # Hold the district's lock while both workers claim their job, so that they run at once.
    with transaction.atomic():
        RollupState.objects.select_for_update().get(district=world.district)
        for job in jobs:
            run_job.apply_async(args=[job.pk, "zh-hans"], queue=queue)
        assert _wait_for(jobs, {"running"}, 90), [job.state for job in jobs]
        time.sleep(0.5)
    assert _wait_for(jobs, {"done", "failed"}, 90)
    assert [job.state for job in jobs] == ["done", "done"], [job.report for job in jobs]
    first, second = sorted(jobs, key=lambda job: job.finished_at)
    assert second.started_at < first.finished_at, "the two rebuilds ran at once"
    # The second found the first's rows, as it would have counted them: nothing to write.
    assert first.report["written"] > 0 and (second.report["written"], second.report["deleted"]) == (0, 0)

    rows = stored_rows(world.district)  # fails on a row stored twice
    assert len(rows) == first.report["written"]
    assert rows == expected_rows(world.district, world.campaign, world.today)
    rebuild(world.district, full=True)
    assert stored_rows(world.district) == rows
