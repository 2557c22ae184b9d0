"""Importing the risk list as a job the user watches: upload → preview job → confirm → import job,
run by a worker and never by the request."""

import datetime
import time
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from campaign.lib.xlsx.files import XLSX_MIME, store_upload, stored_upload
from districts.models import Role
from districts.second_factor import force_login_verified
from jobs.models import Job
from jobs.runner import Progress
from jobs.tasks import fail_stalled_jobs, run_job
from risks.defaults import install
from risks.models import Assessment, AssessmentMethod, ControlRule, MethodVersion, RiskPoint
from risks.tests.test_import import HEADERS, row, xlsx

pytestmark = pytest.mark.usefixtures("english")


def upload(content: bytes, name="风险清单.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX_MIME)


def good_file() -> bytes:
    return xlsx(HEADERS, [row("后厨液化气钢瓶间"), row("配电房", 事故类型="触电")])


@pytest.fixture
def wulin_staff(district, unit, make_user):
    return make_user(Role.STREET_STAFF, unit("330103002"))


@pytest.fixture
def signed_in(client, settings, wulin_staff):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    force_login_verified(client, wulin_staff)
    return client


@pytest.mark.django_db
def test_an_upload_is_previewed_by_a_job_and_confirming_imports_it(
    eager, signed_in, wulin_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("import_risks"), {"file": upload(good_file())})

    preview = Job.objects.get()
    assert response.url == reverse("job_detail", args=[preview.pk])
    assert (preview.kind, preview.params["dry_run"], preview.state, preview.started_by) == (
        "risks",
        True,
        "done",
        wulin_staff,
    )
    assert (preview.total, preview.processed) == (2, 2)
    assert not RiskPoint.objects.exists(), "a preview saves nothing"
    page = signed_in.get(response.url).content.decode()
    assert 'data-testid="count-new">2<' in page
    assert 'data-testid="confirm-import"' in page
    assert 'http-equiv="refresh"' not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("import_risks_confirm", args=[preview.pk]))

    job = Job.objects.exclude(pk=preview.pk).get()
    assert response.url == reverse("job_detail", args=[job.pk])
    assert (job.params, job.state) == ({"token": preview.params["token"], "dry_run": False}, "done")
    assert job.report["committed"] and job.report["new"] == 2 and job.report["assessments"] == 2
    assert sorted(RiskPoint.objects.values_list("name", flat=True)) == ["后厨液化气钢瓶间", "配电房"]
    assert Assessment.objects.count() == 2
    page = signed_in.get(response.url).content.decode()
    assert "Imported: 2 new, 0 updated, 0 unchanged." in page
    with pytest.raises(FileNotFoundError):
        stored_upload(job.params["token"])
    # The preview now leads to the import instead of offering to confirm again.
    page = signed_in.get(reverse("job_detail", args=[preview.pk])).content.decode()
    assert 'data-testid="confirm-import"' not in page
    assert reverse("job_detail", args=[job.pk]) in page


@pytest.mark.django_db
def test_a_bad_file_is_shown_with_its_problems_and_cannot_be_confirmed(
    eager, signed_in, django_capture_on_commit_callbacks
):
    content = xlsx(HEADERS, [row("好的"), row("L 不在表中", L=4)])
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("import_risks"), {"file": upload(content)})

    job = Job.objects.get()
    assert job.state == "done" and not job.report["ok"]
    page = signed_in.get(response.url).content.decode()
    assert "The file has 1 problem." in page
    assert "4 is not an allowed value of L: choose one of 10、6、3、1、0.5、0.2、0.1." in page
    assert 'data-testid="confirm-import"' not in page

    response = signed_in.post(reverse("import_risks_confirm", args=[job.pk]))

    assert Job.objects.count() == 1
    assert not RiskPoint.objects.exists()


@pytest.mark.django_db
def test_the_request_only_queues_the_job_and_the_page_refreshes_while_it_waits(signed_in):
    response = signed_in.post(reverse("import_risks"), {"file": upload(good_file())})

    job = Job.objects.get()
    assert job.state == "queued"
    page = signed_in.get(response.url).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert 'data-testid="job-progress">0 / ?<' in page
    assert not RiskPoint.objects.exists()


@pytest.mark.django_db
def test_only_the_user_who_started_a_job_sees_or_confirms_it(
    eager, client, signed_in, wulin_staff, unit, make_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(reverse("import_risks"), {"file": upload(good_file())})
    job = Job.objects.get()
    colleague = make_user(Role.STREET_STAFF, unit("330103002"))
    force_login_verified(client, colleague)

    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404
    assert client.post(reverse("import_risks_confirm", args=[job.pk])).status_code == 404
    assert Job.objects.count() == 1


@pytest.mark.django_db
def test_only_risk_editors_may_upload(client, unit, make_user):
    force_login_verified(client, make_user(Role.REVIEWER, unit("330103")))

    assert client.get(reverse("import_risks")).status_code == 403
    assert client.post(reverse("import_risks"), {"file": upload(good_file())}).status_code == 403
    assert client.get(reverse("export_risks")).status_code == 200, "a reviewer exports what they may see"


@pytest.mark.django_db
def test_editors_find_the_import_in_the_menu_and_readers_do_not(signed_in, client, unit, make_user):
    assert reverse("import_risks") in signed_in.get(reverse("home")).content.decode()
    force_login_verified(client, make_user(Role.REVIEWER, unit("330103")))
    assert reverse("import_risks") not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_the_upload_page_offers_the_template_and_the_export(signed_in):
    page = signed_in.get(reverse("import_risks")).content.decode()
    assert reverse("import_risks_template") in page
    assert reverse("export_risks") in page


@pytest.mark.django_db
def test_the_template_and_the_export_download_as_workbooks(signed_in):
    template = load_workbook(BytesIO(signed_in.get(reverse("import_risks_template")).content))
    headers = [c.value for c in template.worksheets[0][1]]
    assert headers[:3] == ["风险编号", "风险点名称", "所在街道"]
    assert "风险等级" not in headers, "computed columns are not filled in"

    response = signed_in.get(reverse("export_risks"))
    assert response["Content-Type"] == XLSX_MIME
    assert [c.value for c in load_workbook(BytesIO(response.content)).worksheets[0][1]][:2] == ["序号", "风险编号"]


def _queued_job(user, content, *, dry_run) -> Job:
    token = store_upload(SimpleUploadedFile("f.xlsx", content))
    return Job.objects.create(kind="risks", params={"token": token, "dry_run": dry_run}, started_by=user)


@pytest.mark.django_db
def test_a_task_delivered_twice_imports_once(wulin_staff):
    job = _queued_job(wulin_staff, good_file(), dry_run=False)

    run_job(job.pk)
    run_job(job.pk)

    assert RiskPoint.objects.count() == 2, "new rows have no code: a second run would add them again"
    job.refresh_from_db()
    assert (job.state, job.report["new"]) == ("done", 2)


@pytest.mark.django_db
def test_a_job_whose_file_is_gone_fails_with_a_message(wulin_staff):
    job = _queued_job(wulin_staff, good_file(), dry_run=True)
    stored_upload(job.params["token"]).unlink()

    run_job(job.pk, "en")

    job.refresh_from_db()
    assert (job.state, job.report) == (
        "failed",
        {"error": "The uploaded file is no longer available; upload it again."},
    )


def test_a_job_cut_off_with_its_worker_ends_as_failed_and_says_so(signed_in, wulin_staff, settings):
    cut_off = _queued_job(wulin_staff, good_file(), dry_run=False)
    busy = _queued_job(wulin_staff, good_file(), dry_run=False)
    now = timezone.now()
    # No task runs past the hard time limit: silent for longer, the job's worker is gone.
    hard_limit = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    Job.objects.filter(pk=cut_off.pk).update(
        state="running", progress_at=now - hard_limit - datetime.timedelta(minutes=2)
    )
    Job.objects.filter(pk=busy.pk).update(state="running", progress_at=now - hard_limit + datetime.timedelta(minutes=1))

    assert fail_stalled_jobs() == 1

    page = signed_in.get(reverse("job_detail", args=[cut_off.pk])).content.decode()
    assert "The import was cut off (the worker stopped) and nothing was written" in page
    assert Job.objects.get(pk=busy.pk).state == "running", "a job within the hard time limit runs on"
    assert RiskPoint.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_by_others_while_the_import_transaction_is_open(district, wulin_staff):
    job = _queued_job(wulin_staff, good_file(), dry_run=True)
    progress = Progress(job.pk)
    try:
        with transaction.atomic():
            progress(200)
            # Committed by its own connection: the page (another request) reads it now.
            assert Job.objects.get(pk=job.pk).processed == 200
    finally:
        progress.close()


# ---------------------------------------------------------------- a real worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_runs_the_import(worker_queue, district, wulin_staff):
    # A transactional test starts from empty tables: the shipped methods are installed again.
    install(AssessmentMethod, MethodVersion, ControlRule)
    job = _queued_job(wulin_staff, good_file(), dry_run=False)

    run_job.apply_async(args=[job.pk, "en"], queue=worker_queue)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in ("done", "failed"):
            break
        time.sleep(0.5)

    assert (job.state, job.report["committed"], job.report["new"]) == ("done", True, 2), job.report
    assert sorted(RiskPoint.objects.values_list("name", flat=True)) == ["后厨液化气钢瓶间", "配电房"]
    assert RiskPoint.objects.get(name="配电房").history.earliest().history_user == wulin_staff
