"""Random records across the units, sectors and months of a campaign running now: every rollup
figure (every unit, sector, period, metric, variant) equals the from-scratch count of the oracle,
which reads the records only through their own querysets and reporting's own calendar. The
district has a community set up and one dissolved in mid-campaign, and grids that count in their
community."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaign.lib.deadlines import DEADLINE_TZ
from campaign.models import Accident, KeyTask
from hazards.models import Grade, Hazard, Status
from oversight.rollups import rebuild
from oversight.tests.conftest import PLACES
from oversight.tests.oracle import expected_rows, stored_rows
from reporting.models import Period, Submission, SubmissionEvent
from reporting.models import Status as ReportStatus
from risks.models import Level, RiskPoint

DAY = datetime.timedelta(days=1)
HOURS = st.sampled_from([0, 1, 10, 23])  # around midnight too: days are the district's days
LEADS = ["district", "A", "a1", "a3", "b2", "a1g1", "p", "q"]
FILERS = ["A", "B", "a1", "a2", "a3", "b1", "b2", "p", "q"]


class _Rollback(Exception):
    pass


def _offsets(span: int):
    return st.integers(-40, span + 30)


def records(span: int):
    offset = _offsets(span)
    hazard = st.fixed_dictionaries(
        {
            "place": st.sampled_from(PLACES),
            "sector": st.integers(0, 1),
            "found": offset,
            "hour": HOURS,
            "status": st.sampled_from(Status.values),
            "major": st.booleans(),
            "assigned_after": st.none() | st.integers(0, 20),  # None: no stamp (a bulk load)
            "deadline_after": st.integers(0, 40),
            "rectified_after": st.integers(0, 40),
            "closed_after": st.integers(0, 20),
            "listed_after": st.none() | st.integers(0, 30),
        }
    )
    risk = st.fixed_dictionaries(
        {
            "place": st.sampled_from(PLACES),
            "sector": st.integers(0, 1),
            "created": offset,
            "hour": HOURS,
            "level": st.none() | st.sampled_from(Level.values),
            "retired_after": st.none() | st.integers(0, 60),
            "review": st.none() | offset,
        }
    )
    task = st.fixed_dictionaries(
        {
            "lead": st.sampled_from(LEADS),
            "sector": st.integers(0, 1),
            "due": offset,
            "completed": st.none() | offset,
        }
    )
    accident = st.fixed_dictionaries(
        {
            "place": st.sampled_from(PLACES),
            "sector": st.integers(0, 1),
            "on": offset,
            "deaths": st.sampled_from([0, 1, 3, 10]),
        }
    )
    report = st.fixed_dictionaries(
        {
            "filer": st.sampled_from(FILERS),
            "period": st.integers(0, 200),
            "status": st.sampled_from(ReportStatus.values),
            "sent": st.integers(-10, 10),  # days from the due date
            "hour": HOURS,
        }
    )
    return st.fixed_dictionaries(
        {
            "hazards": st.lists(hazard, max_size=12),
            "risks": st.lists(risk, max_size=6),
            "tasks": st.lists(task, max_size=5),
            "accidents": st.lists(accident, max_size=4),
            "reports": st.lists(report, max_size=10),
        }
    )


def _load(world, data, *, events: bool = False) -> None:
    now = timezone.now()
    today = world.today

    def at(offset, hour=10):
        return min(world.at(world.start + offset * DAY, hour), now)

    def day(offset):
        return min(world.start + offset * DAY, today)

    for h in data["hazards"]:
        found = at(h["found"], h["hour"])
        fields = {"status": h["status"], "grade": Grade.MAJOR if h["major"] else Grade.GENERAL}
        if h["status"] in (Status.RECTIFYING, Status.AWAITING_VERIFICATION, Status.CLOSED):
            assigned = None if h["assigned_after"] is None else min(found + h["assigned_after"] * DAY, now)
            since = assigned or found
            deadline = timezone.localdate(since, DEADLINE_TZ) + h["deadline_after"] * DAY
            fields.update(assigned_at=assigned, deadline=deadline)
            if h["status"] != Status.RECTIFYING:
                fields["rectified_at"] = min(since + h["rectified_after"] * DAY, now)
            if h["status"] == Status.CLOSED:
                fields["closed_at"] = min(fields["rectified_at"] + h["closed_after"] * DAY, now)
        hazard = world.hazard(h["place"], h["sector"], found=found, **fields)
        if h["major"] and h["listed_after"] is not None:
            world.listing(hazard, min(timezone.localdate(found, DEADLINE_TZ) + h["listed_after"] * DAY, today))
    for r in data["risks"]:
        created = at(r["created"], r["hour"])
        retired = None if r["retired_after"] is None else min(created + r["retired_after"] * DAY, now)
        review = None if r["review"] is None else world.start + r["review"] * DAY
        world.risk(r["place"], r["sector"], created=created, level=r["level"], retired=retired, next_review_on=review)
    for t in data["tasks"]:
        completed = None if t["completed"] is None else day(t["completed"])
        world.task(t["lead"], t["sector"], due_on=world.start + t["due"] * DAY, completed_on=completed)
    for a in data["accidents"]:
        world.accident(a["place"], a["sector"], on=day(a["on"]), deaths=a["deaths"])
    periods = list(Period.objects.filter(campaign=world.campaign).order_by("due_on", "pk"))
    for s in data["reports"]:
        period = periods[s["period"] % len(periods)]
        sent = None
        if s["status"] != ReportStatus.DRAFT:
            sent = min(world.at(period.due_on + s["sent"] * DAY, s["hour"]), now)
        submission = Submission.objects.create(
            unit=world[s["filer"]],
            period=period,
            status=s["status"],
            created_by=world.user,
            first_submitted_at=sent,
            submitted_at=sent,
        )
        if events and sent:
            SubmissionEvent.objects.create(
                submission=submission,
                action="submit",
                from_status="draft",
                to_status=s["status"],
                by=world.user,
                at=sent,
            )


def _check_today_rules(world) -> None:
    """On today the as-of rules give what the lists give (the dashboard drills into those)."""
    today = world.today
    assert Hazard.objects.open_at(today).count() == Hazard.objects.open().count()
    assert Hazard.objects.overdue_at(today).count() == Hazard.objects.overdue(today).count()
    assert RiskPoint.objects.on_register_at(today).count() == RiskPoint.objects.filter(status="active").count()
    assert RiskPoint.objects.review_overdue_at(today).count() == RiskPoint.objects.review_overdue(today).count()
    assert KeyTask.objects.overdue_at(today).count() == KeyTask.objects.overdue(today).count()


def test_every_rollup_figure_equals_a_count_from_scratch(world):
    span = (world.today - world.start).days

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=records(span))
    def check(data):
        try:
            with transaction.atomic():
                _load(world, data)
                _check_today_rules(world)
                rebuild(world.district, full=True)
                stored = stored_rows(world.district)
                expected = expected_rows(world.district, world.campaign, world.today)
                missing = {k: v for k, v in expected.items() if stored.get(k) != v}
                extra = {k: v for k, v in stored.items() if k not in expected}
                assert not missing and not extra, f"wrong or missing: {missing}; not expected: {extra}"
                raise _Rollback
        except _Rollback:
            pass

    check()


CHANGES = st.lists(
    st.tuples(
        st.sampled_from(["move_hazard", "close_hazard", "move_risk", "move_task", "delete_accident"]),
        st.integers(0, 50),
        st.sampled_from(PLACES),
        st.sampled_from(LEADS),
    ),
    max_size=6,
)


def _change(world, changes) -> None:
    """Changes as the services leave them: a saved row with its history row."""
    now = timezone.now()
    for what, index, place, lead in changes:
        model = {"move_hazard": Hazard, "close_hazard": Hazard, "move_risk": RiskPoint}.get(what)
        model = model or (KeyTask if what == "move_task" else Accident)
        rows = list(model.objects.order_by("pk"))
        if not rows:
            continue
        row = rows[index % len(rows)]
        if what == "delete_accident":
            row.delete()
            continue
        if what == "move_task":
            row.lead_unit = world[lead]
        elif what == "close_hazard" and row.status != Status.CLOSED:
            row.status, row.closed_at = Status.CLOSED, now
            row.rectified_at = row.rectified_at or now
            row.deadline = row.deadline or world.today
            row.responsible_unit = row.responsible_unit or row.unit
        else:
            row.unit = world[place]
        row.save()


def test_an_incremental_rebuild_after_changes_ends_where_a_full_one_would(world, settled):
    span = (world.today - world.start).days

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(before=records(span), after=records(span), changes=CHANGES)
    def check(before, after, changes):
        try:
            with transaction.atomic():
                _load(world, before, events=True)
                rebuild(world.district, full=True)
                _load(world, after, events=True)
                _change(world, changes)
                assert not rebuild(world.district, full=False).full
                incremental = stored_rows(world.district)
                assert incremental == expected_rows(world.district, world.campaign, world.today)
                rebuild(world.district, full=True)
                assert stored_rows(world.district) == incremental
                raise _Rollback
        except _Rollback:
            pass

    check()
