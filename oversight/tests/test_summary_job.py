"""The job that makes an annual summary's version, as the user watching it sees it: its progress
rises section by section to the total while it runs; a worker killed mid-job leaves the job failed
and the earlier version as it was (same file, same sha256, no new version); two jobs of one
summary at once, in two real workers, end done with whole versions only, never a broken file."""

from __future__ import annotations

import hashlib
import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from pypdf import PdfReader

from jobs import runner
from jobs.models import Job
from jobs.tasks import fail_stalled_jobs, run_job
from oversight.models import Rollup, RollupState
from oversight.summaries import documents, services
from oversight.summaries.models import AnnualSummary, SummaryVersion
from oversight.tests.summaries import (
    YEAR,
    first_campaign,
    make_version,
    pdf_pages,
    people,
    rebuilt,
    stored,
    year_of_records,
)

# Other connections (the job page's poll, the workers) see what these tests write.
on_commit = pytest.mark.django_db(transaction=True)


@pytest.fixture
def summary(world, make_user):
    """The district's 2020 summary, its figures built."""
    first_campaign(world)
    year_of_records(world)
    rebuilt(world)
    office = people(world, make_user)["office"]
    made = services.summary_create(by=office, unit=world.district, year=YEAR)
    made.office = office
    return made


def _queued(summary: AnnualSummary) -> Job:
    """A job of the summary, queued as summary_start leaves it (sent to the test's worker by hand)."""
    return Job.objects.create(
        kind=services.KIND, params={"summary": summary.pk}, started_by=summary.office, unit_id=summary.unit_id
    )


def _wait_for(jobs, done, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for job in jobs:
            job.refresh_from_db()
        if all(done(job) for job in jobs):
            return True
        time.sleep(0.2)
    return False


def _whole(version: SummaryVersion) -> None:
    """The version's files are those it names: the PDF opens, with its pages; both sha256 match."""
    pdf, xlsx = stored(version.pdf), stored(version.xlsx)
    assert hashlib.sha256(pdf).hexdigest() == version.pdf_sha256
    assert hashlib.sha256(xlsx).hexdigest() == version.xlsx_sha256
    assert len(PdfReader(io.BytesIO(pdf)).pages) == version.pdf_pages > 1


# ---------------------------------------------------------------- versions


def test_a_job_with_nothing_changed_makes_no_version_and_an_edited_narrative_makes_the_next(summary):
    office = summary.office
    _job, v1 = make_version(summary, office)
    again, latest = make_version(summary, office)
    assert again.state == "done" and again.report == {"summary": summary.pk, "version": 1, "unchanged": True}
    assert latest == v1 and summary.versions.count() == 1

    services.narrative_save(summary=summary, by=office, plans="明年开展电动自行车充电专项整治")
    edited, v2 = make_version(summary, office)

    assert edited.state == "done" and v2.version == 2 and edited.report["version"] == 2
    v1.refresh_from_db()
    _whole(v1)
    _whole(v2)
    assert "电动自行车充电专项整治" in "".join("".join(pdf_pages(stored(v2.pdf))).split())
    assert "电动自行车充电专项整治" not in "".join("".join(pdf_pages(stored(v1.pdf))).split()), "v1 as it was"
    assert v1.narrative["plans"] != v2.narrative["plans"] and v1.snapshot_sha256 == v2.snapshot_sha256


def test_a_year_no_campaign_covers_has_no_summary(world, summary):
    with pytest.raises(ValidationError):
        services.summary_create(by=summary.office, unit=world.district, year=2022)
    assert list(AnnualSummary.objects.values_list("year", flat=True)) == [YEAR]


# ---------------------------------------------------------------- progress


@on_commit
def test_the_job_s_progress_rises_section_by_section_to_its_total_as_others_see_it(summary, monkeypatch):
    job = _queued(summary)
    seen = []
    observer = connections.create_connection(DEFAULT_DB_ALIAS)  # the job page's poll, outside the job

    def observed(method):
        def record(self, value):
            method(self, value)
            with observer.cursor() as cursor:
                cursor.execute("SELECT state, processed, total FROM jobs_job WHERE id = %s", [job.pk])
                seen.append(cursor.fetchone())

        return record

    monkeypatch.setattr(runner.Progress, "start", observed(runner.Progress.start))
    monkeypatch.setattr(runner.Progress, "__call__", observed(runner.Progress.__call__))
    try:
        runner.run_job(job.pk, language="zh-hans")
    finally:
        observer.close()

    job.refresh_from_db()
    assert job.state == "done", job.report
    steps = documents.STEPS
    assert seen[0] == ("running", 0, steps), "the total is known from the start"
    assert [processed for _state, processed, _total in seen[1:]] == list(range(1, steps + 1))
    assert all(state == "running" for state, _p, _t in seen), "each step is seen while the job runs"
    assert (job.processed, job.total, job.percent) == (steps, steps, 100)
    assert job.report["version"] == 1 and SummaryVersion.objects.get().job_id == job.pk


# ---------------------------------------------------------------- a worker killed


@pytest.mark.worker
@on_commit
def test_a_worker_killed_mid_job_leaves_the_job_failed_and_the_earlier_version_as_it_was(summary, start_worker):
    if connection.vendor != "postgresql":
        pytest.skip("the row lock that holds the job mid-way is PostgreSQL's")
    runner.run_job(_queued(summary).pk, language="zh-hans")  # version 1, made here (nothing queued)
    v1 = SummaryVersion.objects.get()
    before = (v1.pdf.name, v1.pdf_sha256, hashlib.sha256(stored(v1.pdf)).hexdigest(), v1.xlsx_sha256)
    assert before[1] == before[2]
    services.narrative_save(summary=summary, by=summary.office, plans="明年的计划（改过）")  # so a v2 is due
    job = _queued(summary)
    worker = start_worker()

    # Another transaction holds version 2's number: the job renders both files, stores them, and
    # waits at its very last write, its transaction open. There its worker is killed.
    with transaction.atomic():
        SummaryVersion.objects.create(
            **{f.name: getattr(v1, f.name) for f in SummaryVersion._meta.concrete_fields if f.name != "id"}
            | {"version": 2}
        )
        run_job.apply_async(args=[job.pk, "zh-hans"], queue=worker.queue)
        assert _wait_for([job], lambda j: j.state != "queued" and j.processed == j.total > 0, 120), (
            job.state,
            job.processed,
            job.report,
        )
        assert job.state == "running"
        time.sleep(1)  # on to the version's INSERT
        worker.kill()
        transaction.set_rollback(True)

    job.refresh_from_db()
    assert job.state == "running", "killed before it ended"
    # Housekeeping runs later: by then the job has been silent longer than any task may run.
    Job.objects.filter(pk=job.pk).update(progress_at=timezone.now() - runner.stalled_after())
    assert fail_stalled_jobs() == 1
    job.refresh_from_db()
    assert (job.state, job.report) == ("failed", {"stalled": True})

    time.sleep(1)  # the killed run's backend, once unblocked, finds its client gone and rolls back
    assert list(SummaryVersion.objects.values_list("version", flat=True)) == [1], "no new version"
    v1 = SummaryVersion.objects.get()
    assert (v1.pdf.name, v1.pdf_sha256, hashlib.sha256(stored(v1.pdf)).hexdigest(), v1.xlsx_sha256) == before
    _whole(v1)


# ---------------------------------------------------------------- two at once


@pytest.mark.worker
@on_commit
def test_two_jobs_of_one_summary_at_once_in_real_workers_end_with_whole_versions_only(summary, start_worker):
    if connection.vendor != "postgresql":
        pytest.skip("the lock and the workers are PostgreSQL's")
    jobs = [_queued(summary), _queued(summary)]
    queue = start_worker().queue
    start_worker(queue)
    # Hold the figures while both workers claim their job: neither can read the year until both
    # are running, and then both go on at once (each to its summary's lock, if it takes one).
    with transaction.atomic():
        with connection.cursor() as cursor:
            tables = ", ".join(model._meta.db_table for model in (Rollup, RollupState))
            cursor.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
        for job in jobs:
            run_job.apply_async(args=[job.pk, "zh-hans"], queue=queue)
        assert _wait_for(jobs, lambda j: j.state == "running", 120), [(j.state, j.report) for j in jobs]
        time.sleep(0.5)
    assert _wait_for(jobs, lambda j: j.state in ("done", "failed"), 120), [j.state for j in jobs]

    assert [job.state for job in jobs] == ["done", "done"], [job.report for job in jobs]
    first, second = sorted(jobs, key=lambda job: job.finished_at)
    assert second.started_at < first.finished_at, "the two jobs ran at once"
    versions = list(SummaryVersion.objects.order_by("version"))
    assert [v.version for v in versions] in ([1], [1, 2])
    for version in versions:
        _whole(version)
    if len(versions) == 1:
        assert second.report == {"summary": summary.pk, "version": 1, "unchanged": True}, second.report
