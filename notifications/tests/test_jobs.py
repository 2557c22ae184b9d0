"""The sweep runs as a watched job that beat starts: its report says what it wrote; a second
start while one waits or runs adds no job; e-mail left pending by an earlier run goes out; a
sweep's page shows the schedule's last run, its duration and its recent failures."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from campaign.celery import app
from districts.models import Role, User
from districts.services import membership_create
from jobs.models import Job
from notifications.job_kinds import KIND
from notifications.models import EmailOutbox, Notification
from notifications.tasks import start_sweep

pytestmark = pytest.mark.django_db


def test_beat_starts_the_sweep_every_few_minutes_and_every_entry_expires():
    entry = app.conf.beat_schedule["reminders-sweep"]
    assert entry["task"] == "notifications.tasks.start_sweep"
    assert 0 < entry["options"]["expires"] < 300


def test_the_beat_task_runs_the_sweep_as_a_job_and_its_report_says_what_it_wrote(
    eager, settings, people, january, monkeypatch, django_capture_on_commit_callbacks
):
    settings.REMINDER_EMAIL = True
    monkeypatch.setattr("notifications.sweep.deadline_today", lambda: january.due_on - datetime.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        job_id = start_sweep()
    job = Job.objects.get(pk=job_id)
    assert (job.kind, job.state, job.started_by) == (KIND, Job.State.DONE, None)
    assert job.report["people"] == Notification.objects.count() >= 2
    assert job.report["reminders"] >= job.report["people"]
    # The e-mails went after the job's commit.
    assert job.report["emails"] == len(mail.outbox) == EmailOutbox.objects.filter(state="sent").count()


def test_no_second_sweep_is_started_while_one_waits(people):
    Job.objects.create(kind=KIND, state=Job.State.QUEUED)
    assert start_sweep() is None
    assert Job.objects.filter(kind=KIND).count() == 1


def test_the_beat_task_sends_what_an_earlier_run_left_pending(settings, people, january):
    from notifications.sweep import sweep

    settings.REMINDER_EMAIL = True
    EmailOutbox.objects.all().delete()
    sweep(today=january.due_on)  # its e-mails are queued; here nothing sends them after the commit
    pending = EmailOutbox.objects.filter(state="pending").count()
    assert pending >= 2 and not mail.outbox
    Job.objects.create(kind=KIND, state=Job.State.RUNNING)  # so that no job is started here
    start_sweep()
    assert len(mail.outbox) == pending


def test_the_system_administrator_sees_a_sweeps_job_page_and_a_street_does_not(client, sign_in, plan, unit, people):
    job = Job.objects.create(kind=KIND, state=Job.State.DONE, report={"people": 3, "reminders": 7})
    admin = User.objects.create_user(username="sys")
    membership_create(user=admin, unit=unit("330103"), role=Role.SYSTEM_ADMIN)
    sign_in(client, admin)
    page = client.get(reverse("job_detail", args=[job.pk]))
    assert page.status_code == 200 and "提醒扫描" in page.content.decode()
    sign_in(client, people["wulin"])
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404


def test_a_sweeps_page_shows_the_schedules_last_run_its_duration_and_recent_failures(
    client, sign_in, plan, unit, people
):
    now = timezone.now()

    def run(minutes_ago, state, seconds, report):
        started = now - datetime.timedelta(minutes=minutes_ago)
        return Job.objects.create(
            kind=KIND,
            state=state,
            created_at=started,
            started_at=started,
            finished_at=started + datetime.timedelta(seconds=seconds),
            report=report,
        )

    run(60, Job.State.DONE, 2, {"people": 1, "reminders": 1})
    run(30, Job.State.FAILED, 240, {"timed_out": True, "minutes": 4})
    run(20, Job.State.FAILED, 1, {"error": "数据库连接中断"})
    last = run(5, Job.State.DONE, 3.5, {"people": 3, "reminders": 7, "due": 9, "emails": 2, "hidden": 0})
    Job.objects.create(kind=KIND, state=Job.State.FAILED, started_by=people["wulin"])  # not beat's
    admin = User.objects.create_user(username="sys")
    membership_create(user=admin, unit=unit("330103"), role=Role.SYSTEM_ADMIN)
    sign_in(client, admin)
    page = client.get(reverse("job_detail", args=[last.pk])).content.decode()
    assert 'data-testid="scheduled-runs"' in page and "*/5 * * * *" in page
    last_run = page.split('data-testid="last-run"')[1].split("</dl>")[0]
    assert reverse("job_detail", args=[last.pk]) in last_run and "3.5" in last_run
    failed = page.split('data-testid="failed-count"')[1].split("</dd>")[0]
    assert failed.strip(">").strip() == "2"
    failures = page.split('data-testid="failures"')[1].split("</ul>")[0]
    assert "数据库连接中断" in failures and failures.count("<li") == 2
    assert page.count("<tr", page.index('data-testid="recent-runs"')) == 1 + 4  # header and the four runs of beat
    assert 'data-testid="report-reminders">7<' in page
    sign_in(client, people["wulin"])
    assert client.get(reverse("job_detail", args=[last.pk])).status_code == 404
