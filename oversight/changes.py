"""What changed since a district's rollups were last built: the records' own event and history
rows after the watermarks (RollupState.watermarks), read as the records they are of (what the
rollups hold of each is in its Counted row: where it sat before is there) and, for reports, as
the units that file them. No record signals the rollups; a bulk write that leaves no event or
history row is taken in by the nightly full rebuild."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max, Q

from campaign.models import Accident, Campaign, KeyTask, Target, TaskProgress, YearlyValue
from districts.models import OrgUnit
from hazards.models import Hazard, HazardEvent, SupervisionListing
from reporting.models import Period, ReportType, SubmissionEvent
from risks.models import RiskPoint

# An event or history row written by a transaction that committed after a rebuild read the
# watermark can carry a lower id than it: rows stamped this shortly before the last rebuild
# began are read again by the next one.
OVERLAP = datetime.timedelta(minutes=5)


@dataclass
class Changes:
    """`records`: {kind of record (figures.FAMILY_METRICS): {record id}}, the records changed;
    `cells`: {"reports": {(unit id, None)}}, the units whose reports changed. `targets`:
    whether a target, yearly value or accident changed (oversight.targets measures again)."""

    records: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    cells: dict[str, set[tuple[int, int | None]]] = field(default_factory=lambda: defaultdict(set))
    targets: bool = False


def _history(model):
    return model.history.model


@dataclass(frozen=True)
class Source:
    """Event or history rows of one kind of record: what a rebuild reads after its watermark."""

    key: str
    model: object
    id_field: str
    at_field: str | None
    # cells(rows, changes): the records (or filers) these rows change; None: everything is counted again.
    cells: object = None


def _records(family: str, id_field: str):
    def read(rows, changes: Changes) -> None:
        changes.records[family].update(rows.order_by().values_list(id_field, flat=True).distinct())

    return read


def _targets(rows, changes: Changes) -> None:
    changes.targets = changes.targets or rows.exists()


def _accidents(rows, changes: Changes) -> None:
    _records("accidents", "id")(rows, changes)
    _targets(rows, changes)


def _filers(rows, changes: Changes) -> None:
    changes.cells["reports"].update((u, None) for u in rows.values_list("submission__unit_id", flat=True))


SOURCES = [
    Source("hazard_events", HazardEvent, "id", "at", _records("hazards", "hazard_id")),
    Source("hazards", _history(Hazard), "history_id", "history_date", _records("hazards", "id")),
    Source("listings", _history(SupervisionListing), "history_id", "history_date", _records("hazards", "hazard_id")),
    Source("risks", _history(RiskPoint), "history_id", "history_date", _records("risks", "id")),
    Source("tasks", _history(KeyTask), "history_id", "history_date", _records("tasks", "id")),
    Source("task_progress", TaskProgress, "id", "at", _records("tasks", "task_id")),
    Source("accidents", _history(Accident), "history_id", "history_date", _accidents),
    # What the targets are measured with, beside the accidents.
    Source("targets", _history(Target), "history_id", "history_date", _targets),
    Source("yearly_values", _history(YearlyValue), "history_id", "history_date", _targets),
    Source("submission_events", SubmissionEvent, "id", "at", _filers),
    # The tree, the campaign and the reporting calendar: everything is counted again.
    Source("units", _history(OrgUnit), "history_id", "history_date"),
    Source("campaigns", _history(Campaign), "history_id", "history_date"),
    Source("report_types", _history(ReportType), "history_id", "history_date"),
    Source("periods", Period, "id", None),
]


def watermarks() -> dict[str, int]:
    """The last row of every source now."""
    return {s.key: s.model.objects.aggregate(n=Max(s.id_field))["n"] or 0 for s in SOURCES}


def changes_since(old: dict, built_at: datetime.datetime | None, now_marks: dict[str, int]) -> Changes | None:
    """What the rows after the watermarks `old` (up to `now_marks`) change; None when everything
    must be counted again (no earlier build, a new source, a changed tree, campaign or calendar)."""
    if built_at is None or any(s.key not in old for s in SOURCES):
        return None
    since = built_at - OVERLAP
    changes = Changes()
    for source in SOURCES:
        new = Q(**{f"{source.id_field}__gt": old[source.key], f"{source.id_field}__lte": now_marks[source.key]})
        # Read again: the recent rows of records (cheap: a record counted again as it was adds nothing). Not those
        # of the tree or the calendar: each would make every rebuild in the next minutes a full one.
        if source.at_field and source.cells is not None:
            new |= Q(**{f"{source.at_field}__gte": since})
        rows = source.model.objects.filter(new)
        if source.cells is None:
            if rows.exists():
                return None
        else:
            source.cells(rows, changes)
    return changes
