"""A new kind of job is a registration and nothing else: it is queued, run, shown on the one job
page with its result file, and seen only by whom it says."""

import pytest
from django.core.files.base import ContentFile
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import override

from districts.models import Membership, Role
from districts.second_factor import force_login_verified
from jobs import registry
from jobs.models import Job
from jobs.registry import JobFailed, JobKind
from jobs.services import job_start

pytestmark = pytest.mark.django_db


def _summary(job, prepared, progress):
    """A stand-in for the summary PDFs to come: writes a result file, reports what it did."""
    job.result.save(f"summary-{job.pk}.txt", ContentFile(f"summary of {job.params['year']}".encode()), save=False)
    Job.objects.filter(pk=job.pk).update(result=job.result.name)
    return {"pages": 3}


def _refuse(job, progress):
    raise JobFailed("那一年没有数据。")


def _units_of(user):
    """Whoever holds a role in the job's unit sees it (a district's summary, say)."""
    return Q(unit_id__in=Membership.objects.filter(user=user).values("unit_id"))


@pytest.fixture
def kinds(monkeypatch, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    for kind in (
        JobKind(name="test-summary", label="年度总结", run=_summary, visible_to=_units_of),
        JobKind(name="test-private", label="私人任务", run=_summary),
        JobKind(name="test-refused", label="被拒任务", prepare=_refuse, run=_summary),
    ):
        monkeypatch.setitem(registry._KINDS, kind.name, kind)


@pytest.fixture
def people(plan, unit, make_user):
    return {
        "starter": make_user(Role.STREET_STAFF, unit("330103002")),
        "same_unit": make_user(Role.STREET_STAFF, unit("330103002")),
        "other_unit": make_user(Role.STREET_STAFF, unit("330103003")),
    }


def _start(kind, people, unit, capture, **params):
    with capture(execute=True), override("zh-hans"):
        return job_start(kind=kind, by=people["starter"], params=params, unit_id=unit("330103002").pk)


def test_a_registered_kind_runs_and_its_page_offers_the_result(
    kinds, people, unit, client, django_capture_on_commit_callbacks
):
    job = _start("test-summary", people, unit, django_capture_on_commit_callbacks, year=2026)

    job.refresh_from_db()
    assert (job.state, job.report, job.attempts) == ("done", {"pages": 3}, 1)
    assert job.started_at and job.finished_at and job.run
    force_login_verified(client, people["starter"])
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "年度总结" in page and 'data-status="done"' in page
    assert 'http-equiv="refresh"' not in page
    download = client.get(reverse("job_result", args=[job.pk]))
    assert b"".join(download.streaming_content) == b"summary of 2026"


def test_a_job_is_seen_by_its_starter_and_whom_its_kind_names_and_by_no_one_else(
    kinds, people, unit, client, django_capture_on_commit_callbacks
):
    shared = _start("test-summary", people, unit, django_capture_on_commit_callbacks, year=2026)
    private = _start("test-private", people, unit, django_capture_on_commit_callbacks, year=2026)

    def answers(who, job):
        force_login_verified(client, people[who])
        page = client.get(reverse("job_detail", args=[job.pk])).status_code
        result = client.get(reverse("job_result", args=[job.pk])).status_code
        return page, result

    assert answers("starter", shared) == (200, 200)
    assert answers("same_unit", shared) == (200, 200), "the kind shows it to the unit's people"
    assert answers("other_unit", shared) == (404, 404), "another unit's user is told it does not exist"
    assert answers("starter", private) == (200, 200)
    assert answers("same_unit", private) == (404, 404), "a kind that names no one: its starter only"
    client.logout()
    assert client.get(reverse("job_detail", args=[shared.pk])).status_code == 302


def test_a_job_its_kind_refuses_ends_failed_with_the_kinds_message(
    kinds, people, unit, client, django_capture_on_commit_callbacks
):
    job = _start("test-refused", people, unit, django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert (job.state, job.report) == ("failed", {"error": "那一年没有数据。"})
    force_login_verified(client, people["starter"])
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "那一年没有数据。" in page and 'data-status="failed"' in page


def test_a_job_of_an_unknown_kind_is_refused_before_anything_is_queued(people):
    with pytest.raises(LookupError):
        job_start(kind="no-such-kind", by=people["starter"])
    assert not Job.objects.exists()


def test_two_apps_cannot_register_the_same_kind_name(kinds):
    with pytest.raises(ValueError, match="registered already"):
        registry.register(JobKind(name="test-summary", label="x", run=lambda job, prepared, progress: {}))


def test_every_import_is_a_registered_kind():
    assert {"risks", "hazards", "units", "sites"} <= {kind.name for kind in registry.kinds()}
