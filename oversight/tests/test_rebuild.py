"""Rebuilding: twice gives the same rows; an incremental rebuild reads only what changed since
its watermarks, rebuilds only the units the change touched, and ends where a full one would."""

from __future__ import annotations

import datetime

from django.utils import timezone

from campaign.lib.history import save_with_history
from districts.models import OrgUnit
from hazards.models import Action, Hazard, HazardEvent, Status
from oversight.models import Metric, Rollup, RollupState
from oversight.rollups import rebuild
from oversight.tests.oracle import expected_rows, stored_rows
from reporting.models import Period, Submission, SubmissionEvent

DAY = datetime.timedelta(days=1)


def _some_records(world):
    found = world.at(world.start + 10 * DAY)
    world.hazard("a1g1", 0, found=found)
    world.hazard(
        "b1",
        1,
        found=found,
        status=Status.RECTIFYING,
        assigned_at=found,
        deadline=world.start + 20 * DAY,
    )
    world.risk("a2", 0, created=found, level="major", next_review_on=world.start + 30 * DAY)
    world.task("p", 1, due_on=world.start + 40 * DAY)
    world.accident("b2", 0, on=world.start + 5 * DAY, deaths=1)


def _rows_of(unit: OrgUnit) -> dict[tuple, tuple]:
    """(sector, period, metric, variant) → (row id, value) of one unit's rows."""
    return {
        (r.sector_id, r.granularity, r.period_start, r.metric, r.variant): (r.pk, r.value)
        for r in Rollup.objects.filter(unit=unit)
    }


def test_two_rebuilds_give_identical_rows(world):
    _some_records(world)
    first = rebuild(world.district, full=True)
    rows, ids = stored_rows(world.district), set(Rollup.objects.values_list("pk", flat=True))
    second = rebuild(world.district, full=True)
    assert stored_rows(world.district) == rows
    assert first.written == len(rows) > 0
    assert (second.written, second.deleted) == (0, 0), "the figures were as they are: nothing was written"
    assert set(Rollup.objects.values_list("pk", flat=True)) == ids
    assert rows == expected_rows(world.district, world.campaign, world.today)


def test_the_state_says_when_the_figures_were_built(world):
    before = timezone.now()
    result = rebuild(world.district, full=True)
    state = RollupState.objects.get(district=world.district)
    assert before <= state.built_at <= timezone.now()
    assert state.built_at == state.full_built_at == result.built_at
    assert state.watermarks["hazards"] >= 0 and "submission_events" in state.watermarks


def test_a_changed_hazard_in_street_a_rebuilds_a_and_the_district_and_not_street_b(world, settled):
    _some_records(world)
    hazard = world.hazard("a1g2", 1, found=world.at(world.start + 12 * DAY))
    rebuild(world.district, full=True)
    street_b, community_b = _rows_of(world["B"]), _rows_of(world["b1"])
    street_a = _rows_of(world["A"])
    marks = RollupState.objects.get(district=world.district).watermarks

    # The hazard is assigned and rectified late: a step on its timeline and a history row.
    now = timezone.now()
    hazard.status, hazard.assigned_at, hazard.deadline = Status.RECTIFYING, now, world.today - DAY
    hazard.responsible_unit = world["a1"]
    save_with_history(hazard, world.user)
    HazardEvent.objects.create(
        hazard=hazard, action=Action.ASSIGN, from_status=Status.REPORTED, to_status=Status.RECTIFYING, by=world.user
    )
    result = rebuild(world.district, full=False)

    assert not result.full
    assert result.units == 3  # the grid's community, its street, the district
    assert _rows_of(world["B"]) == street_b, "street B's rows were not touched (same ids, same values)"
    assert _rows_of(world["b1"]) == community_b
    assert _rows_of(world["A"]) != street_a
    stored = stored_rows(world.district)
    assert stored == expected_rows(world.district, world.campaign, world.today)
    overdue = stored[(world["A"].pk, None, "month", world.today.replace(day=1), Metric.HAZARDS_OVERDUE, "")]
    assert overdue == 1
    state = RollupState.objects.get(district=world.district)
    assert state.watermarks["hazards"] > marks["hazards"]
    assert state.watermarks["hazard_events"] > marks["hazard_events"]
    assert state.full_built_at < state.built_at


def test_an_incremental_rebuild_with_nothing_changed_rebuilds_nothing(world, settled):
    _some_records(world)
    rebuild(world.district, full=True)
    rows = stored_rows(world.district)
    result = rebuild(world.district, full=False)
    assert (result.full, result.units, result.written, result.deleted) == (False, 0, 0, 0)
    assert stored_rows(world.district) == rows


def test_a_hazard_moved_to_another_street_is_taken_out_of_the_old_one(world, settled):
    hazard = world.hazard("b1g1", 0, found=world.at(world.start + 3 * DAY))
    rebuild(world.district, full=True)
    district = _rows_of(world.district)
    hazard.unit = world["a2"]
    save_with_history(hazard, world.user)
    result = rebuild(world.district, full=False)
    assert not result.full and result.units == 4  # b1, B, a2, A: the district's figures stay
    assert _rows_of(world.district) == district
    found = (None, "year", world.start.replace(month=1), Metric.HAZARDS_FOUND, "")
    assert found not in _rows_of(world["B"])
    assert _rows_of(world["A"])[found][1] == 1
    assert stored_rows(world.district) == expected_rows(world.district, world.campaign, world.today)


def test_a_report_filed_is_counted_through_its_event(world, settled):
    rebuild(world.district, full=True)
    period = Period.objects.filter(campaign=world.campaign, report_type__code="monthly_item").order_by("due_on")[0]
    sent = world.at(period.due_on)
    submission = Submission.objects.create(
        unit=world["B"],
        period=period,
        status="submitted",
        created_by=world.user,
        first_submitted_at=sent,
        submitted_at=sent,
    )
    SubmissionEvent.objects.create(
        submission=submission, action="submit", from_status="draft", to_status="submitted", by=world.user, at=sent
    )
    result = rebuild(world.district, full=False)
    assert not result.full and result.units == 2  # the street and the district
    key = (None, "month", period.due_on.replace(day=1), Metric.REPORTS_ON_TIME, "monthly_item")
    assert _rows_of(world["B"])[key][1] == 1
    assert stored_rows(world.district) == expected_rows(world.district, world.campaign, world.today)


def test_a_changed_org_unit_makes_it_a_full_rebuild(world, settled):
    rebuild(world.district, full=True)
    unit = world["a2"]
    unit.name = "新名称"
    unit.save()
    assert rebuild(world.district, full=False).full


def test_a_new_day_makes_it_a_full_rebuild(world, settled):
    rebuild(world.district, full=True)
    RollupState.objects.filter(district=world.district).update(built_at=timezone.now() - DAY)
    assert rebuild(world.district, full=False).full


def test_a_cancelled_hazard_counts_nowhere(world):
    hazard = world.hazard("a1", 0, found=world.at(world.start + 3 * DAY))
    rebuild(world.district, full=True)
    assert Rollup.objects.filter(metric=Metric.HAZARDS_FOUND).exists()
    Hazard.objects.filter(pk=hazard.pk).update(status=Status.CANCELLED)
    rebuild(world.district, full=True)
    assert not Rollup.objects.filter(metric__startswith="hazard").exists()


def test_a_change_committed_late_with_an_id_below_the_watermark_is_read_again(world, settled):
    hazard = world.hazard("a1", 0, found=world.at(world.start + 3 * DAY))
    rebuild(world.district, full=True)
    # A transaction that took its history id before the last rebuild read the watermark, and
    # committed after it: the id is below the watermark, the row stamped after that rebuild began.
    hazard.unit = world["b1"]
    save_with_history(hazard, world.user)
    state = RollupState.objects.get(district=world.district)
    state.watermarks = {key: mark + 1000 for key, mark in state.watermarks.items()}
    state.save()
    result = rebuild(world.district, full=False)
    assert not result.full and result.units == 4  # a1, A, b1, B
    assert stored_rows(world.district) == expected_rows(world.district, world.campaign, world.today)


def test_a_tree_changed_minutes_before_a_full_rebuild_does_not_make_the_next_ones_full(world):
    # The district was set up a moment ago (its units' history rows are seconds old), as after
    # load_demo: the rebuild after the next full one is an incremental one all the same.
    hazard = world.hazard("a1", 0, found=world.at(world.start + 3 * DAY))
    assert rebuild(world.district, full=True).full
    hazard.status, hazard.closed_at, hazard.rectified_at = Status.CLOSED, timezone.now(), timezone.now()
    hazard.deadline, hazard.responsible_unit = world.today, world["a1"]
    save_with_history(hazard, world.user)
    result = rebuild(world.district, full=False)
    assert not result.full and result.units == 3
    assert stored_rows(world.district) == expected_rows(world.district, world.campaign, world.today)
