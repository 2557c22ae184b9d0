"""The move of the import jobs and the heartbeat into jobs keeps every earlier job: its page,
under its number, says what it said before."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("jobs", "0001_initial"), ("districts", "0007_security_policy"), ("campaign", "0002_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_earlier_import_jobs_and_heartbeats_are_copied_into_jobs():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = _migrate(BEFORE)
    User = old.get_model("districts", "User")
    ImportJob = old.get_model("districts", "ImportJob")
    user = User.objects.create(username="wulin-staff")
    created = timezone.now() - datetime.timedelta(days=3)
    done = ImportJob.objects.create(
        kind="risks",
        dry_run=False,
        token="a" * 32,
        created_by=user,
        status="done",
        total=2,
        processed=2,
        report={"run": "r1", "ok": True, "committed": True, "new": 2},
        finished_at=created,
        touched_at=created,
    )
    ImportJob.objects.filter(pk=done.pk).update(created_at=created)
    queued = ImportJob.objects.create(kind="hazards", dry_run=True, token="b" * 32, created_by=user)
    old.get_model("campaign", "JobHeartbeat").objects.create(name="worker", last_seen=created, worker="host-1")

    new = _migrate(leaves)

    Job = new.get_model("jobs", "Job")
    copied = Job.objects.get(pk=done.pk)
    assert (copied.kind, copied.state, copied.started_by_id, copied.run) == ("risks", "done", user.pk, "r1")
    assert copied.params == {"token": "a" * 32, "dry_run": False}
    assert copied.report == {"ok": True, "committed": True, "new": 2}
    assert (copied.created_at, copied.finished_at, copied.total, copied.processed) == (created, created, 2, 2)
    waiting = Job.objects.get(pk=queued.pk)
    assert (waiting.state, waiting.started_at, waiting.params["dry_run"]) == ("queued", None, True)
    beat = new.get_model("jobs", "JobHeartbeat").objects.get()
    assert (beat.name, beat.last_seen, beat.worker) == ("worker", created, "host-1")
    # New jobs number on after the copied ones.
    assert Job.objects.create(kind="risks", started_by_id=user.pk).pk > queued.pk
    with pytest.raises(LookupError):
        new.get_model("districts", "ImportJob")
