"""The key tasks on a person's home page (campaign.lib.todo): those of the current campaign past
their due date, and those due within 7 days. The creation office counts the district's; the staff
of a lead unit or co-unit, their own; a leader reads both counts as an overview. Each count is
the row count of the task list its link opens."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from campaign import task_selectors as selectors
from campaign.lib.todo import Item
from campaign.task_selectors import TodoCounts


def _list(counts: TodoCounts, status: str) -> str:
    params = {"status": status, "mine": "true"} if counts.mine else {"status": status}
    return f"{reverse('key_task_list')}?{urlencode(params)}"


def _items(counts: TodoCounts) -> list[Item]:
    return [
        Item(
            "key_tasks_overdue",
            _("Key tasks past their due date"),
            counts.overdue,
            _list(counts, "overdue"),
            urgent=True,
        ),
        Item("key_tasks_due_soon", _("Key tasks due within 7 days"), counts.due_soon, _list(counts, "due_soon")),
    ]


def tasks(user) -> list[Item]:
    counts = selectors.todo_counts(user)
    return _items(counts) if counts is not None else []


def overview(user) -> list[Item]:
    return _items(selectors.overview_counts(user))
