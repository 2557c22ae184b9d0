"""The demo's reporting calendar is live: on time, late, missing, returned, awaiting review
and not yet due, all on one screen; the demo street finds work waiting; loading twice adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from campaign.demo import DEMO_PASSWORD, load_demo
from campaign.models import Campaign
from reporting.models import ReportType, Status, Submission
from reporting.selectors import CellState, grids


@pytest.fixture(scope="module")
def demo_for_module(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_for_module, db):
    return Campaign.objects.current()


def test_the_demo_calendar_shows_every_state(demo):
    monthly = ReportType.objects.get(code="monthly_item")
    grid = grids(demo, [monthly], today=timezone.localdate())[0]
    states = {cell.state for row in grid.rows for cell in row.cells}
    assert {CellState.ON_TIME, CellState.LATE, CellState.MISSING, CellState.RETURNED, CellState.NOT_DUE} <= states
    assert any(cell.filed and not cell.accepted for row in grid.rows for cell in row.cells)  # awaiting review
    assert 0 < grid.total.timeliness < grid.total.completeness < 1


def test_the_demo_street_finds_a_returned_item_and_a_draft(demo, client):
    client.post(reverse("login"), {"username": "wulin", "password": DEMO_PASSWORD})
    page = client.get(reverse("my_reports")).content.decode()
    todo = page.split('data-testid="todo"')[1].split("</ul>")[0]
    assert 'data-state="returned"' in todo
    draft = Submission.objects.get(unit__code="330103002", status=Status.DRAFT)
    assert reverse("submission_edit", args=[draft.pk]) in todo


def test_the_office_reads_the_demo_calendar_but_not_the_draft(demo, client):
    client.post(reverse("login"), {"username": "office", "password": DEMO_PASSWORD})
    # A reviewer: the second factor, as the demo prints it (`manage.py demo_code office`).
    out = io.StringIO()
    call_command("demo_code", "office", stdout=out)
    client.post(reverse("otp_verify"), {"code": out.getvalue().strip()})
    page = client.get(reverse("report_calendar")).content.decode()
    assert page.count("<tr data-unit=") == 15
    draft = Submission.objects.get(status=Status.DRAFT)
    assert client.get(reverse("submission_detail", args=[draft.pk])).status_code == 404


def test_loading_the_demo_again_adds_no_report(demo):
    before = Submission.objects.count()
    load_demo()
    assert Submission.objects.count() == before
