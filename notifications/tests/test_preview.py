"""The dry run: what the sweep would send on a day, read by the sweep's own plan and written
nowhere; the system administrator starts it for tomorrow and reads it on its job page; nobody
else sees the page or its jobs."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from districts.models import Role, User
from districts.services import membership_create
from jobs.models import Job
from notifications.job_kinds import PREVIEW_KIND
from notifications.models import EmailOutbox, Notification, Reminder, Subject
from notifications.preview import preview
from notifications.services import mute_set
from notifications.sweep import sweep

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _keys(rows):
    return sorted((r["username"], r["kind"], r["offset"], r["line"]) for r in rows)


def test_the_dry_run_lists_what_the_sweep_of_that_day_then_writes(settings, people, january):
    settings.REMINDER_EMAIL = True
    sweep(today=january.due_on - 7 * DAY)
    mute_set(by=people["tianshui"], kind=Subject.REPORT_DUE, muted=True)
    day = january.due_on - 3 * DAY
    last = Reminder.objects.latest("pk").pk
    report = preview(today=day)
    assert report["day"] == day.isoformat() and report["reminders"] == len(report["rows"]) > 0
    assert {r["username"] for r in report["rows"]} == {"wulin"}  # Tianshui's filer muted the kind
    assert {r["offset"] for r in report["rows"]} == {-3}
    sweep(today=day)
    written = Reminder.objects.filter(pk__gt=last)
    assert _keys(report["rows"]) == sorted(
        (r.recipient.username, r.kind, r.offset, r.text) for r in written.select_related("recipient")
    )
    # Once that day's sweep has run, it would send nothing more.
    assert preview(today=day)["rows"] == []


def test_the_dry_run_writes_nothing(settings, people, january):
    settings.REMINDER_EMAIL = True
    before = (Notification.objects.count(), Reminder.objects.count(), EmailOutbox.objects.count())
    with CaptureQueriesContext(connection) as queries:
        report = preview(today=january.due_on)
    assert report["reminders"] > 0
    assert (Notification.objects.count(), Reminder.objects.count(), EmailOutbox.objects.count()) == before
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []


@pytest.fixture
def sysadmin(unit):
    admin = User.objects.create_user(username="sys")
    membership_create(user=admin, unit=unit("330103"), role=Role.SYSTEM_ADMIN)
    return User.objects.get(pk=admin.pk)


def test_the_system_administrator_asks_what_tomorrow_would_send_and_reads_it_on_the_job_page(
    client, sign_in, eager, monkeypatch, people, january, sysadmin, django_capture_on_commit_callbacks
):
    tomorrow = january.due_on - 3 * DAY
    monkeypatch.setattr("notifications.job_kinds.deadline_today", lambda: tomorrow - DAY)
    sign_in(client, sysadmin)
    url = reverse("notification_preview")
    page = client.get(url)
    assert page.status_code == 200 and tomorrow.isoformat() in page.content.decode()
    before = Reminder.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    job = Job.objects.get(kind=PREVIEW_KIND)
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert (job.state, job.params["day"], job.started_by) == (Job.State.DONE, tomorrow.isoformat(), sysadmin)
    page = client.get(response["Location"]).content.decode()
    assert page.count('data-testid="preview-row"') == job.report["reminders"] >= 2
    assert "武林街道" in page and "还有 3 天到期" in page and 'data-username="wulin"' in page
    assert Reminder.objects.count() == before
    assert str(job.pk) in client.get(url).content.decode()  # listed among the latest dry runs


def test_a_street_user_sees_neither_the_dry_run_nor_its_jobs(client, sign_in, people, sysadmin):
    job = Job.objects.create(kind=PREVIEW_KIND, state=Job.State.DONE, started_by=sysadmin, report={"rows": []})
    sign_in(client, people["wulin"])
    assert client.get(reverse("notification_preview")).status_code == 404
    assert client.post(reverse("notification_preview")).status_code == 404
    assert not Job.objects.filter(kind=PREVIEW_KIND).exclude(pk=job.pk).exists()
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404
