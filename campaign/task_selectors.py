"""Scoped reads of the key tasks: every list, count and page goes through
KeyTask.objects.visible_to (the lead unit, the co-units, the sector's lead department, and the
district's office and leaders see a task). Each selector owns its joins."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Count, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.lib.deadlines import deadline_today
from campaign.models import Campaign
from campaign.models.tasks import (
    TASK_UNIT_KINDS,
    KeyTask,
    Milestone,
    TaskEvidence,
    TaskProgress,
    due_soon_q,
    in_progress_q,
    overdue_q,
)
from campaign.services.tasks import TASK_EDITOR_ROLES, TASK_REPORTER_ROLES
from districts.models import OrgUnit, Sector, User
from districts.scoping import Subtree, memberships_of, scope_for

STATUSES = ("overdue", "due_soon", "in_progress", "done")


def status_q(status: str, today: datetime.date | None = None) -> Q:
    """The tasks in one of STATUSES (due soon ones are in progress too)."""
    today = today or deadline_today()
    match status:
        case "overdue":
            return overdue_q(today)
        case "due_soon":
            return due_soon_q(today)
        case "in_progress":
            return in_progress_q(today)
        case "done":
            return Q(completed_on__isnull=False)
    raise ValueError(status)


def mine_q(user: User) -> Q:
    """The tasks `user` reports on: their unit leads or shares them."""
    units = sorted({m.unit_id for m in memberships_of(user) if m.role in TASK_REPORTER_ROLES})
    if not units:
        return Q(pk__in=[])
    shared = KeyTask.co_units.through.objects.filter(orgunit_id__in=units).values("keytask_id")
    return Q(lead_unit_id__in=units) | Q(pk__in=shared)


# ---------------------------------------------------------------- campaigns


def campaigns_for(user: User):
    """The campaigns of the districts the user works in (every campaign for the whole platform)."""
    if scope_for(user).everything:
        return Campaign.objects.all()
    around = Q(pk__in=[])
    for membership in memberships_of(user):
        unit = membership.unit
        around |= Q(district__tree_id=unit.tree_id, district__lft__lte=unit.lft, district__rght__gte=unit.rght)
    return Campaign.objects.filter(around)


def _current_pk(user: User):
    """The user's current campaign as an expression: the one running today that started last,
    else the latest one (CampaignQuerySet.current, within the user's districts)."""
    campaigns = campaigns_for(user)
    running = campaigns.running_on(timezone.localdate()).order_by("-starts_on", "-pk").values("pk")[:1]
    latest = campaigns.order_by("-ends_on", "-pk").values("pk")[:1]
    return Coalesce(Subquery(running), Subquery(latest))


def current_campaign_for(user: User) -> Campaign | None:
    """The campaign whose tasks the list opens on, and whose tasks the home page counts: one query."""
    return Campaign.objects.filter(pk=_current_pk(user)).select_related("district").first()


# ---------------------------------------------------------------- lists and counts


def key_tasks_for(user: User):
    """The tasks `user` sees, with what a list row shows: sector, lead unit, co-units."""
    return (
        KeyTask.objects.visible_to(user)
        .select_related("sector", "lead_unit", "campaign")
        .prefetch_related(Prefetch("co_units", queryset=OrgUnit.objects.order_by("code")))
    )


def task_units(campaign: Campaign):
    """The units that may lead or share a task of `campaign`: its district's streets, departments
    and creation office, departments first."""
    district = Subtree.of(campaign.district)
    return OrgUnit.objects.filter(district.q(""), kind__in=TASK_UNIT_KINDS).order_by("kind", "code")


def lead_units_of(tasks) -> list[OrgUnit]:
    """The units leading any of `tasks`, for the list's lead-unit filter."""
    return list(OrgUnit.objects.filter(pk__in=tasks.values("lead_unit")).order_by("kind", "code"))


@dataclass(frozen=True)
class TodoCounts:
    overdue: int
    due_soon: int
    mine: bool  # counted over the tasks the user reports on (else over every task they see)


def _counts(user: User, *, mine: bool) -> TodoCounts:
    today = deadline_today()
    tasks = KeyTask.objects.visible_to(user).filter(campaign=_current_pk(user))
    if mine:
        tasks = tasks.filter(mine_q(user))
    counts = tasks.aggregate(
        overdue=Count("pk", filter=overdue_q(today)), due_soon=Count("pk", filter=due_soon_q(today))
    )
    return TodoCounts(counts["overdue"], counts["due_soon"], mine)


def todo_counts(user: User) -> TodoCounts | None:
    """What the home page lists (one query): for the creation office, the current campaign's
    overdue tasks and those due within a week, district-wide; for the staff of a lead unit or
    co-unit, those of their own tasks; None for anyone else (they report on no task)."""
    roles = {m.role for m in memberships_of(user)}
    if roles & TASK_EDITOR_ROLES:
        return _counts(user, mine=False)
    if roles & TASK_REPORTER_ROLES:
        return _counts(user, mine=True)
    return None


def overview_counts(user: User) -> TodoCounts:
    """A leader's overview: every task of the current campaign they see (one query)."""
    return _counts(user, mine=False)


# ---------------------------------------------------------------- one task


def key_task_detail_for(user: User, pk: int) -> KeyTask:
    return (
        KeyTask.objects.visible_to(user)
        .select_related("sector", "lead_unit", "campaign__district")
        .prefetch_related(Prefetch("co_units", queryset=OrgUnit.objects.order_by("code")))
        .get(pk=pk)
    )


def milestones_of(task: KeyTask) -> list[Milestone]:
    return list(task.milestones.all())


def updates_of(task: KeyTask) -> list[TaskProgress]:
    """The progress updates, newest first, with who made them and their evidence: two queries."""
    return list(
        task.updates.select_related("by")
        .prefetch_related(Prefetch("evidence", queryset=TaskEvidence.objects.order_by("id")))
        .order_by("-at", "-id")
    )


def evidence_for(user: User, pk: int) -> TaskEvidence:
    """A file of an update, only if its task is one `user` sees."""
    return TaskEvidence.objects.get(pk=pk, update__task__in=KeyTask.objects.visible_to(user).values("pk"))


# ---------------------------------------------------------------- history


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    at: datetime.datetime
    by: object
    action: str
    changes: list[Change] = field(default_factory=list)


TRACKED = ("code", "title", "description", "sector_id", "lead_unit_id", "due_on", "progress", "completed_on")


def _shown(value, names: dict) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(names.get(value, value))


def history_of(task: KeyTask) -> list[HistoryEntry]:
    """Who set the task out and changed it (what, from what to what), and its milestones as they
    were planned and reached, oldest first: four queries."""
    records = list(task.history.select_related("history_user").order_by("history_date", "history_id"))
    through = apps.get_model("campaign", "HistoricalKeyTask_co_units")
    co_units: dict[int, set[int]] = {r.history_id: set() for r in records}
    for history_id, unit_id in through.objects.filter(history__in=[r.history_id for r in records]).values_list(
        "history_id", "orgunit_id"
    ):
        co_units[history_id].add(unit_id)
    unit_ids = {r.lead_unit_id for r in records} | {u for ids in co_units.values() for u in ids}
    units = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    sectors = {s.pk: s.display_name for s in Sector.objects.all()}
    labels = {f.attname: str(f.verbose_name) for f in KeyTask._meta.concrete_fields}
    entries = []
    previous = None
    for record in records:
        if previous is None:
            entries.append(HistoryEntry(record.history_date, record.history_user, _("Task set out")))
        else:
            changes = []
            for name in TRACKED:
                before, after = getattr(previous, name), getattr(record, name)
                if before != after:
                    names = sectors if name == "sector_id" else units
                    changes.append(Change(labels[name], _shown(before, names), _shown(after, names)))
            had, has = co_units[previous.history_id], co_units[record.history_id]
            if had != has:
                changes.append(
                    Change(
                        str(KeyTask._meta.get_field("co_units").verbose_name),
                        "、".join(sorted(units.get(u, "") for u in had)) or "—",
                        "、".join(sorted(units.get(u, "") for u in has)) or "—",
                    )
                )
            if changes:
                entries.append(HistoryEntry(record.history_date, record.history_user, _("Changed"), changes))
        previous = record
    seen: dict[int, object] = {}
    for record in (
        Milestone.history.filter(task_id=task.pk).select_related("history_user").order_by("history_date", "history_id")
    ):
        before = seen.get(record.id)
        if before is None:
            action = _("Milestone planned: %(title)s, due %(date)s") % {
                "title": record.title,
                "date": record.due_on.isoformat(),
            }
            entries.append(HistoryEntry(record.history_date, record.history_user, action))
        elif before.done_on is None and record.done_on is not None:
            action = _("Milestone reached: %(title)s, on %(date)s") % {
                "title": record.title,
                "date": record.done_on.isoformat(),
            }
            entries.append(HistoryEntry(record.history_date, record.history_user, action))
        seen[record.id] = record
    return sorted(entries, key=lambda e: e.at)
