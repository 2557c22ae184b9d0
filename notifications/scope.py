"""A notification never names what its recipient cannot open: each line is checked through the
subject's own scoping selector (the same the page behind its link uses) for that person."""

from __future__ import annotations

from collections import defaultdict

from campaign.lib.sql import any_of
from campaign.models import KeyTask
from hazards.models import Hazard
from oversight.bulletins.models import Bulletin
from reporting.models import Submission
from reporting.selectors import report_scope
from reporting.services import may_file
from risks.models import RiskPoint

MODELS = {"hazard": Hazard, "risk": RiskPoint, "key_task": KeyTask, "submission": Submission, "bulletin": Bulletin}


def openable(user, dues) -> list:
    """The dues of `dues` that `user` may open: one query per kind of record among them (the
    report form's and the reporting calendar's rules need the user's memberships only, read once
    per person)."""
    ids = defaultdict(set)
    for due in dues:
        kind, key = due.opens
        if kind in MODELS:
            ids[kind].add(key)
    visible = {
        kind: set(MODELS[kind].objects.visible_to(user).filter(pk__in=any_of(keys)).values_list("pk", flat=True))
        for kind, keys in ids.items()
    }
    kept = []
    for due in dues:
        kind, key = due.opens
        if kind == "report":
            if may_file(user, key):
                kept.append(due)
        elif kind == "report_calendar":
            # The calendar shows the units of the reader's report scope: this unit must be one.
            if report_scope(user).covers(key):
                kept.append(due)
        elif key in visible.get(kind, ()):
            kept.append(due)
    return kept
