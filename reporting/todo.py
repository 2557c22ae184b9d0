"""The reports on a person's home page (campaign.lib.todo): per unit they file for, what is
overdue, due in a period running now, and sent back; for a reviewer, what waits for review;
a leader's overview. Each count is what the page its link opens shows."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.lib.todo import Item
from reporting import selectors
from reporting.models import Status


def _url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)


def tasks(user) -> list[Item]:
    units, awaiting = selectors.todo_for(user, timezone.localdate())
    items = []
    for todo in units:
        # Someone who files for several units reads which one each line is about.
        suffix = f" · {todo.unit.name}" if len(units) > 1 else ""
        mine = _url("my_reports", unit=todo.unit.pk)
        items += [
            Item(
                f"reports_returned_{todo.unit.pk}",
                _("Reports returned for correction") + suffix,
                todo.returned,
                _url("submission_list", status=Status.RETURNED, unit=todo.unit.pk),
                urgent=True,
            ),
            Item(f"reports_overdue_{todo.unit.pk}", _("Reports overdue") + suffix, todo.overdue, mine, urgent=True),
            Item(f"reports_due_{todo.unit.pk}", _("Reports due this period") + suffix, todo.due, mine),
        ]
    if awaiting is not None:
        items.append(
            Item(
                "reports_awaiting_review",
                _("Reports awaiting your review"),
                awaiting,
                _url("submission_list", status=Status.SUBMITTED),
            )
        )
    return items


def overview(user) -> list[Item]:
    counts = selectors.overview_for(user, timezone.localdate())
    return [
        Item("reports_missing", _("Reports missing"), counts.missing, _url("report_calendar"), urgent=True),
        Item(
            "reports_awaiting_review",
            _("Reports awaiting review"),
            counts.awaiting,
            _url("submission_list", status=Status.SUBMITTED),
        ),
        Item(
            "reports_returned",
            _("Reports returned for correction"),
            counts.returned,
            _url("submission_list", status=Status.RETURNED),
        ),
    ]
