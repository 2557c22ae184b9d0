"""A rebuild is a watched job: the office starts it, the job framework runs it, its page says what
it did; the beat runs the rebuilds on a schedule; the command does the same by hand."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import override

from campaign.celery import app
from districts.models import Role
from jobs.models import Job
from oversight.job_kinds import rollups_start
from oversight.models import Metric, Rollup, RollupState
from oversight.tasks import rebuild_rollups

DAY = datetime.timedelta(days=1)


@pytest.fixture
def people(world, make_user):
    return {
        "office": make_user(Role.REVIEWER, world["office"]),
        "admin": make_user(Role.SYSTEM_ADMIN, world.district),
        "leader": make_user(Role.LEADER, world.district),
        "street": make_user(Role.STREET_STAFF, world["A"]),
    }


def test_the_office_rebuilds_the_figures_as_a_job_and_its_page_says_what_it_did(
    world, people, eager, client, sign_in, django_capture_on_commit_callbacks
):
    world.hazard("a1", found=world.at(world.start + DAY))
    with django_capture_on_commit_callbacks(execute=True), override("en"):
        job = rollups_start(district=world.district, by=people["office"])
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.report
    assert job.report["full"] and job.report["written"] == Rollup.objects.count() > 0
    state = RollupState.objects.get(district=world.district)
    assert state.built_at is not None
    assert Rollup.objects.filter(unit=world.district, sector=None, metric=Metric.HAZARDS_OPEN).exists()

    def page(who):
        sign_in(client, people[who])
        with override("en"):
            return client.get(reverse("job_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")

    answer = page("admin")
    assert answer.status_code == 200, "the district's administrators see the office's rebuild"
    text = answer.content.decode()
    assert 'data-status="done"' in text and str(job.report["written"]) in text
    assert page("street").status_code == 404, "a street's staff are told it does not exist"
    assert page("leader").status_code == 404


def test_only_the_office_and_the_administrators_start_a_rebuild(world, people):
    for who in ("street", "leader"):
        with pytest.raises(PermissionDenied):
            rollups_start(district=world.district, by=people[who])
    assert not Job.objects.exists()
    assert rollups_start(district=world.district, by=people["admin"]).kind == "rollups"


def test_the_beat_rebuilds_what_changed_every_two_minutes_and_everything_nightly():
    schedule = app.conf.beat_schedule
    incremental, full = schedule["rollups-incremental"], schedule["rollups-full"]
    assert incremental["task"] == full["task"] == rebuild_rollups.name
    assert (incremental["kwargs"], full["kwargs"]) == ({"full": False}, {"full": True})
    assert incremental["schedule"].minute == set(range(0, 60, 2))
    assert (full["schedule"].hour, full["schedule"].minute) == ({2}, {30})
    assert app.conf.timezone == "Asia/Shanghai", "02:30 in the district's time"
    assert 0 < incremental["options"]["expires"] <= 120 and full["options"]["expires"] > 0


def test_the_task_and_the_command_rebuild_every_district_with_a_campaign(world):
    world.hazard("b1", found=world.at(world.start + DAY))
    [result] = rebuild_rollups(full=True)
    assert result["district"] == world.district.pk and result["full"]
    out = StringIO()
    call_command("rebuild_rollups", stdout=out)
    assert f"{world.district.code} " in out.getvalue() and "rows written" in out.getvalue()
    call_command("rebuild_rollups", "--full", "--district", world.district.code, stdout=out)
    assert "full" in out.getvalue()
