"""Jobs under faults, as the user and an assessor see them: the broker down or silent, a
worker killed mid-import, a job no worker starts, one that runs too long. The request always
answers, the job always ends (done or failed) and its page says which, in the reader's language,
and nothing of a file is ever half-written. The risk import stands for every kind: the queueing and
running are jobs.runner, shared by every kind of job."""

import datetime
import socket
import time
from pathlib import Path

import kombu.pools
import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from campaign.celery import app
from campaign.lib.xlsx.files import XLSX_MIME, store_upload
from districts.models import Role
from jobs import imports as job_imports
from jobs import runner
from jobs.models import Job
from jobs.tasks import fail_stalled_jobs, run_job
from risks.defaults import install
from risks.models import AssessmentMethod, ControlRule, MethodVersion, RiskPoint
from risks.tests.test_import import HEADERS, row, xlsx

BASE_DIR = Path(__file__).resolve().parents[2]

# The page's words, in Chinese (the screens' default language).
NOT_QUEUED = "暂时无法连接后台任务服务，此任务未能开始，未保存任何数据。"
CUT_OFF = "导入被中断（后台任务进程已停止），未写入任何数据。请重新开始导入。"
RUN_AGAIN = "运行此任务的后台任务进程中途停止，它已做的部分均未保留：另一个后台任务进程从头重新运行了此任务"


def upload(content: bytes):
    return SimpleUploadedFile("风险清单.xlsx", content, content_type=XLSX_MIME)


def good_file(rows: int = 2) -> bytes:
    return xlsx(HEADERS, [row(f"风险点{i}") for i in range(rows)])


@pytest.fixture
def wulin_staff(district, unit, make_user):
    return make_user(Role.STREET_STAFF, unit("330103002"))


@pytest.fixture
def signed_in(client, wulin_staff):
    client.force_login(wulin_staff)
    return client


def _queued_job(user, content, *, dry_run=False) -> Job:
    token = store_upload(SimpleUploadedFile("f.xlsx", content))
    return Job.objects.create(kind="risks", params={"token": token, "dry_run": dry_run}, started_by=user)


def _page(client, job) -> str:
    return client.get(reverse("job_detail", args=[job.pk])).content.decode()


def _wait_for(job, statuses, seconds) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in statuses:
            break
        time.sleep(0.3)
    return job


# ---------------------------------------------------------------- the broker down


def _drop_connections():
    """Close the connection pools (as Celery does after a fork): the next publish connects anew."""
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_at(monkeypatch):
    """broker_at(url): the app publishes to `url` until the end of the test."""
    saved = app.conf.broker_url

    def point(url: str) -> None:
        # Celery prefers the environment's CELERY_BROKER_URL to its configuration.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        app.conf.broker_url = url
        _drop_connections()

    yield point
    app.conf.broker_url = saved
    _drop_connections()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 where nothing listens: Redis stopped."""
    return f"redis://127.0.0.1:{_free_port()}/0"


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers: Redis hung, or a firewall eating replies."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
    sock.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["risks", "hazards"])
def test_with_the_broker_down_an_upload_answers_at_once_and_the_job_page_says_it_did_not_start(
    kind, broker_at, closed_port, signed_in
):
    broker_at(closed_port)

    started = time.monotonic()
    response = signed_in.post(reverse(f"import_{kind}"), {"file": upload(good_file())})
    took = time.monotonic() - started

    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("job_detail", args=[job.pk])
    assert took < 5, f"the request waited {took:.1f} s for the broker"
    assert (job.kind, job.state, job.report) == (kind, "failed", {"unqueued": True}), "never left queued"
    page = signed_in.get(response.url).content.decode()
    assert NOT_QUEUED in page
    assert 'http-equiv="refresh"' not in page, "the page no longer waits for a worker"


@pytest.mark.django_db(transaction=True)
def test_with_a_broker_that_never_answers_the_request_waits_seconds_not_minutes(broker_at, silent_port, signed_in):
    broker_at(silent_port)

    started = time.monotonic()
    response = signed_in.post(reverse("import_risks"), {"file": upload(good_file())})
    took = time.monotonic() - started

    assert response.status_code == 302
    assert took < 10, f"the request waited {took:.1f} s for a broker that does not answer"
    assert Job.objects.get().state == "failed"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_import_that_could_not_be_queued_is_started_again_once_the_broker_is_back(
    start_worker, broker_at, closed_port, signed_in
):
    install(AssessmentMethod, MethodVersion, ControlRule)
    with app.connection_for_write() as connection:
        # The queue the screens publish to, on this test's Redis database: left-overs of an earlier run go.
        connection.default_channel.queue_purge(app.conf.task_default_queue)
    start_worker(queue=app.conf.task_default_queue)
    signed_in.post(reverse("import_risks"), {"file": upload(good_file())})
    preview = _wait_for(Job.objects.get(), {"done", "failed"}, 90)
    assert preview.state == "done" and preview.report["ok"], preview.report

    broker_at(closed_port)
    response = signed_in.post(reverse("import_risks_confirm", args=[preview.pk]))

    failed = Job.objects.get(params__dry_run=False)
    assert response.url == reverse("job_detail", args=[failed.pk])
    assert failed.state == "failed"
    page = _page(signed_in, failed)
    assert NOT_QUEUED in page
    assert reverse("import_risks_confirm", args=[preview.pk]) in page, "the page offers to start it again"
    assert 'data-testid="confirm-import"' in _page(signed_in, preview), "so does the preview"
    assert not RiskPoint.objects.exists()

    broker_at(django_settings.CELERY_BROKER_URL)
    response = signed_in.post(reverse("import_risks_confirm", args=[preview.pk]))

    again = Job.objects.get(params__dry_run=False, state__in=["queued", "running", "done"])
    assert response.url == reverse("job_detail", args=[again.pk])
    again = _wait_for(again, {"done", "failed"}, 90)
    assert (again.state, again.report["committed"], again.report["new"]) == ("done", True, 2), again.report
    assert RiskPoint.objects.count() == 2
    assert "导入完成：新增 2 条" in _page(signed_in, again)


# ---------------------------------------------------------------- housekeeping


@pytest.mark.django_db
def test_a_job_no_worker_starts_in_time_is_failed_and_a_late_message_changes_nothing(settings, signed_in, wulin_staff):
    settings.JOB_QUEUE_TIMEOUT = 30 * 60
    forgotten = _queued_job(wulin_staff, good_file())
    waiting = _queued_job(wulin_staff, good_file())
    now = timezone.now()
    Job.objects.filter(pk=forgotten.pk).update(created_at=now - datetime.timedelta(minutes=31))
    Job.objects.filter(pk=waiting.pk).update(created_at=now - datetime.timedelta(minutes=29))

    assert fail_stalled_jobs() == 1

    forgotten.refresh_from_db()
    assert (forgotten.state, forgotten.report) == ("failed", {"unstarted": True, "minutes": 30})
    assert "此任务在 30 分钟内没有后台任务进程开始处理，已被取消，未保存任何数据。" in _page(signed_in, forgotten)
    assert Job.objects.get(pk=waiting.pk).state == "queued"

    run_job(forgotten.pk)  # the message turns up after all

    forgotten.refresh_from_db()
    assert forgotten.state == "failed"
    assert not RiskPoint.objects.exists()


@pytest.mark.django_db
def test_a_message_delivered_again_for_a_job_already_failed_runs_nothing(wulin_staff):
    job = _queued_job(wulin_staff, good_file())
    Job.objects.filter(pk=job.pk).update(state="failed", run="", report={"stalled": True})

    runner.run_job(job.pk, redelivered=True)

    job.refresh_from_db()
    assert (job.state, job.report) == ("failed", {"stalled": True})
    assert not RiskPoint.objects.exists()


@pytest.mark.django_db
def test_a_run_whose_job_was_taken_over_cannot_record_an_outcome(wulin_staff):
    job = _queued_job(wulin_staff, good_file())
    first, _ = runner._claim(job.pk, redelivered=False)
    second, restarted = runner._claim(job.pk, redelivered=True)

    assert restarted and first != second
    assert not runner._finish(job.pk, first, "done", {"ok": True}), "the first run lost the job"
    assert runner._finish(job.pk, second, "done", {"ok": True})
    assert runner._claim(job.pk, redelivered=True) is None, "a finished job is never run again"


@pytest.mark.django_db
def test_a_job_whose_worker_stops_twice_is_failed_rather_than_run_a_third_time(signed_in, wulin_staff):
    job = _queued_job(wulin_staff, good_file())
    runner._claim(job.pk, redelivered=False)
    runner._claim(job.pk, redelivered=True)  # the first worker was killed: run again

    assert runner._claim(job.pk, redelivered=True) is None  # so was the second

    job.refresh_from_db()
    assert (job.state, job.report) == ("failed", {"stalled": True})
    assert CUT_OFF in _page(signed_in, job)


# ---------------------------------------------------------------- time limits


@pytest.mark.django_db
def test_an_import_stopped_at_the_soft_time_limit_is_rolled_back_and_says_it_took_too_long(
    settings, monkeypatch, signed_in, wulin_staff
):
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 600
    real_run_import = job_imports.run_import

    def import_then_run_out_of_time(*args, **kwargs):
        real_run_import(*args, **kwargs)
        assert RiskPoint.objects.count() == 2, "the rows were written inside the transaction"
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(job_imports, "run_import", import_then_run_out_of_time)
    job = _queued_job(wulin_staff, good_file())

    run_job(job.pk)

    job.refresh_from_db()
    assert (job.state, job.report) == ("failed", {"timed_out": True, "minutes": 10})
    assert not RiskPoint.objects.exists()
    assert "此任务运行超过允许的 10 分钟，已被停止，未保存任何数据。" in _page(signed_in, job)


def test_the_worker_runs_with_time_limits_and_a_visibility_timeout_above_them():
    options = app.conf.broker_transport_options
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit < options["visibility_timeout"] < 3600
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost


def test_a_visibility_timeout_not_above_the_hard_time_limit_stops_the_start(start_django):
    result = start_django(CELERY_TASK_TIME_LIMIT="900", CELERY_VISIBILITY_TIMEOUT="600")

    assert result.returncode != 0
    assert (
        "CELERY_TASK_SOFT_TIME_LIMIT (600) < CELERY_TASK_TIME_LIMIT (900) < CELERY_VISIBILITY_TIMEOUT (600) "
        "must hold, in seconds."
    ) in result.stderr


# ---------------------------------------------------------------- a worker killed mid-import

# Short limits for the workers of these tests, so that Redis hands the killed worker's message on
# within seconds (the order soft < hard < visibility timeout is the one the settings insist on).
QUICK = {"CELERY_TASK_SOFT_TIME_LIMIT": "40", "CELERY_TASK_TIME_LIMIT": "45", "CELERY_VISIBILITY_TIMEOUT": "50"}
BIG = 3000  # rows: several seconds of work for a worker, even on a quiet machine


def _kill_mid_import(start_worker, job, **env):
    """Start a worker, give it the job, SIGKILL it (and its pool) while it imports. Returns the
    worker's queue and when the job was claimed (about when Redis handed out the message)."""
    worker = start_worker(pool="prefork", **env)
    run_job.apply_async(args=[job.pk, "zh-hans"], queue=worker.queue)
    _wait_for(job, {"running", "done", "failed"}, 90)
    claimed = time.monotonic()
    assert job.state == "running", job.report
    time.sleep(0.5)  # into the rows (1,500 of them took a quiet worker about 2 s)
    worker.kill()
    job.refresh_from_db()
    assert job.state == "running", "the worker was killed before it finished"
    return worker.queue, claimed


@pytest.mark.worker
@pytest.mark.skipif(
    not django_settings.CELERY_BROKER_URL.startswith("redis"),
    reason="Redis hands on an unacknowledged message; the file-system transport has no such thing",
)
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_writes_nothing_and_another_worker_runs_the_job_again(
    start_worker, signed_in, wulin_staff
):
    install(AssessmentMethod, MethodVersion, ControlRule)
    job = _queued_job(wulin_staff, good_file(BIG))

    queue, claimed = _kill_mid_import(start_worker, job, **QUICK)

    assert not RiskPoint.objects.exists(), "nothing of the file is written"
    # Redis hands the unacknowledged message on once the visibility timeout has passed.
    time.sleep(max(0, claimed + int(QUICK["CELERY_VISIBILITY_TIMEOUT"]) + 1 - time.monotonic()))
    start_worker(queue, pool="prefork", **QUICK)
    job = _wait_for(job, {"done", "failed"}, 120)

    assert job.state == "done", job.report
    assert (job.report["committed"], job.report["new"], job.report["restarted"]) == (True, BIG, True)
    assert RiskPoint.objects.count() == BIG, "imported once, not once and a half"
    page = _page(signed_in, job)
    assert RUN_AGAIN in page
    assert f"导入完成：新增 {BIG} 条" in page


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_a_job_that_housekeeping_fails_and_the_page_says_so(
    start_worker, signed_in, wulin_staff
):
    install(AssessmentMethod, MethodVersion, ControlRule)
    job = _queued_job(wulin_staff, good_file(BIG))

    _kill_mid_import(start_worker, job)
    # Housekeeping runs later: by then the job has been silent longer than any task may run.
    Job.objects.filter(pk=job.pk).update(progress_at=timezone.now() - runner.stalled_after())

    assert fail_stalled_jobs() == 1

    job.refresh_from_db()
    assert (job.state, job.report) == ("failed", {"stalled": True})
    assert not RiskPoint.objects.exists(), "nothing of the file is written"
    assert CUT_OFF in _page(signed_in, job)
