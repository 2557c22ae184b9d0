"""Writes to the key tasks per sector (重点任务). Each is one transaction, checked against the
writer's role and unit, with its history row in the same transaction.

Who does what:
- the creation office's reviewers set the tasks out, district-wide: create and edit them, with
  their lead unit, co-units and due date, and plan their milestones;
- the staff of the lead unit (牵头单位) and of the co-units (配合单位) report progress, with
  evidence, and mark milestones reached; the lead unit plans milestones too. Only the lead unit
  reports a task complete (100 %): it answers for the task;
- everyone else who sees a task (sector lead departments, leaders) reads it.

Progress only moves forward: an update never reports less than the task has reached, and a
completed task takes no more updates. 100 % completes the task on that day in the district's time
zone, once every milestone is reached.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.lib.deadlines import DEADLINE_TZ, deadline_today
from campaign.lib.history import save_with_history
from campaign.lib.params import parse_int
from campaign.lib.services import refuse_unknown_fields
from campaign.lib.uploads import CleanAttachment, clean_attachment, files_removed_on_failure
from campaign.models import Campaign
from campaign.models.tasks import TASK_UNIT_KINDS, KeyTask, Milestone, TaskEvidence, TaskProgress
from districts.models import OrgUnit, Role, User
from districts.scoping import Subtree, memberships_of, scope_for

TASK_EDITOR_ROLES = frozenset({Role.REVIEWER})
# The staff of a unit that may lead or share a task (a street, a department, the creation office).
TASK_REPORTER_ROLES = frozenset({Role.STREET_STAFF, Role.DEPARTMENT_STAFF, Role.REVIEWER})
# What the creation office fills in; progress and completion are kept by the updates.
TASK_FIELDS = ("campaign", "sector", "code", "title", "description", "lead_unit", "due_on")
EDIT_FIELDS = tuple(f for f in TASK_FIELDS if f != "campaign")
MAX_EVIDENCE = 10


# ---------------------------------------------------------------- who may


def may_edit_tasks(user: User, district: OrgUnit) -> bool:
    """Whether `user` sets out the key tasks of `district`: a reviewer of its creation office."""
    return scope_for(user, TASK_EDITOR_ROLES).covers(district)


def _reporting_unit_ids(user: User) -> set[int]:
    return {m.unit_id for m in memberships_of(user) if m.role in TASK_REPORTER_ROLES}


def leads(user: User, task: KeyTask) -> bool:
    """Whether `user` works in the task's lead unit."""
    return task.lead_unit_id in _reporting_unit_ids(user)


def may_report(user: User, task: KeyTask, co_unit_ids: Iterable[int] | None = None) -> bool:
    """Whether `user` works in the task's lead unit or one of its co-units."""
    mine = _reporting_unit_ids(user)
    if not mine:
        return False
    if task.lead_unit_id in mine:
        return True
    ids = set(co_unit_ids) if co_unit_ids is not None else set(task.co_units.values_list("pk", flat=True))
    return bool(mine & ids)


def may_plan(user: User, task: KeyTask) -> bool:
    """Whether `user` adds milestones to the task: the creation office, or the lead unit."""
    return may_edit_tasks(user, task.campaign.district) or leads(user, task)


def _ensure_may_edit(by: User, district: OrgUnit) -> None:
    if not may_edit_tasks(by, district):
        raise PermissionDenied(
            _("Only the creation office sets out the key tasks of %(district)s.") % {"district": district}
        )


def _ensure_may_report(by: User, task: KeyTask) -> None:
    if not may_report(by, task):
        raise PermissionDenied(_("Only the lead unit and the co-units of a task report its progress."))


def _ensure_open(task: KeyTask) -> None:
    if task.completed_on is not None:
        raise ValidationError(
            _("This task was completed on %(date)s; it takes no more updates or milestones.")
            % {"date": task.completed_on.isoformat()},
            code="completed",
        )


# ---------------------------------------------------------------- tasks


def _co_unit_errors(task: KeyTask, co_units: Sequence[OrgUnit]) -> list[str]:
    errors = []
    district = Subtree.of(task.campaign.district)
    for unit in co_units:
        if unit.kind not in TASK_UNIT_KINDS:
            errors.append(
                _("%(unit)s cannot share a task: co-units are streets, departments or the creation office.")
                % {"unit": unit.name}
            )
        elif not district.contains(unit):
            errors.append(_("%(unit)s is not in the campaign's district.") % {"unit": unit.name})
        elif unit.pk == task.lead_unit_id:
            errors.append(_("%(unit)s leads the task; it is not also a co-unit.") % {"unit": unit.name})
    return errors


def _as_stored(task: KeyTask, co_units: Iterable[OrgUnit]) -> list[OrgUnit]:
    """The task's campaign and lead unit, and the co-units, as stored now: a caller's copies may
    carry tree numbers from before the tree last changed, and the district rule reads them."""
    co_units = list(dict.fromkeys(co_units))
    stored = OrgUnit.objects.in_bulk({u.pk for u in co_units} | {task.lead_unit_id} - {None})
    if task.lead_unit_id in stored:
        task.lead_unit = stored[task.lead_unit_id]
    if task.campaign_id is not None:
        task.campaign = Campaign.objects.select_related("district").get(pk=task.campaign_id)
    return [stored[u.pk] for u in co_units if u.pk in stored]


def _clean_text(task: KeyTask) -> None:
    task.code = (task.code or "").strip()
    task.title = (task.title or "").strip()
    task.description = (task.description or "").strip()


def _dated(obj, at: datetime.datetime | None):
    """A write made earlier than now (the demo plays past stories): its history row says when.
    Never in the future."""
    if at is None:
        return obj
    if at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError(_("A change cannot be dated in the future."), code="future")
    obj._history_date = at
    return obj


@contextmanager
def _history_paused(task: KeyTask):
    """Co-units are set without a history row of their own: the task's row of the same call,
    written once they are set, holds them."""
    task.skip_history_when_saving = True
    try:
        yield
    finally:
        del task.skip_history_when_saving


def _record_co_units(task: KeyTask) -> None:
    """Put the co-units into the history row just written for a new task (simple-history writes a
    row's co-units when it writes the row; a new task gets its co-units only after that)."""
    record = task.history.order_by("-history_id").first()
    history = apps.get_model("campaign", "HistoricalKeyTask_co_units")
    rows = KeyTask.co_units.through.objects.filter(keytask=task).values_list("id", "orgunit_id")
    history.objects.bulk_create(
        history(id=pk, history=record, keytask_id=task.pk, orgunit_id=unit) for pk, unit in rows
    )


@transaction.atomic
def key_task_create(
    *, by: User, co_units: Iterable[OrgUnit] = (), at: datetime.datetime | None = None, **fields
) -> KeyTask:
    """A key task of the campaign, with its lead unit, co-units and due date (`at`: set out earlier)."""
    refuse_unknown_fields("key_task_create", fields, TASK_FIELDS)
    task = KeyTask(**fields)
    if task.campaign_id is None:
        raise ValidationError({"campaign": _("Name the campaign the task belongs to.")})
    co_units = _as_stored(task, co_units)
    _ensure_may_edit(by, task.campaign.district)
    _clean_text(task)
    task.full_clean()
    if errors := _co_unit_errors(task, co_units):
        raise ValidationError({"co_units": errors})
    save_with_history(_dated(task, at), by)
    if at is not None:
        task.created_at = at
        KeyTask.objects.filter(pk=task.pk).update(created_at=at)
    if co_units:
        with _history_paused(task):
            task.co_units.set(co_units)
        _record_co_units(task)
    return task


@transaction.atomic
def key_task_update(*, task: KeyTask, by: User, co_units: Iterable[OrgUnit] | None = None, **fields) -> KeyTask:
    """Change what the task is, who leads and shares it, when it is due. Progress is the updates'."""
    refuse_unknown_fields("key_task_update", fields, EDIT_FIELDS)
    task = KeyTask.objects.select_for_update(of=("self",)).select_related("campaign__district").get(pk=task.pk)
    _ensure_may_edit(by, task.campaign.district)
    before = {name: getattr(task, name) for name in EDIT_FIELDS}
    for name, value in fields.items():
        setattr(task, name, value)
    _clean_text(task)
    had = set(task.co_units.values_list("pk", flat=True))
    wanted = _as_stored(task, co_units or ()) if co_units is not None else None
    if co_units is None:
        _as_stored(task, ())
    changed_units = wanted is not None and {u.pk for u in wanted} != had
    if not changed_units and all(getattr(task, name) == value for name, value in before.items()):
        return task  # nothing to write, and no history row saying something was
    task.full_clean()
    if wanted is not None and (errors := _co_unit_errors(task, wanted)):
        raise ValidationError({"co_units": errors})
    if changed_units:
        with _history_paused(task):
            task.co_units.set(wanted)
    save_with_history(task, by)  # its history row holds the co-units as they are now
    return task


# ---------------------------------------------------------------- progress


def parse_percent(value) -> int:
    """A percent from 0 to 100 written in the digits 0-9; ValidationError for anything else
    ("６０", "٦٠", "60.5", "²", 101, True)."""
    number = parse_int(value.strip() if isinstance(value, str) else value, minimum=0, maximum=100)
    if number is None:
        raise ValidationError(
            _("Write the progress as a whole number from 0 to 100 in the digits 0-9, e.g. 60."),
            code="invalid_percent",
        )
    return number


def _clean_evidence(files: Sequence) -> list[CleanAttachment]:
    """Every file through the upload checks (a form's AttachmentUploadField has run them already)."""
    if len(files) > MAX_EVIDENCE:
        raise ValidationError(
            {"files": _("An update takes at most %(count)d files.") % {"count": MAX_EVIDENCE}}, code="too_many"
        )
    cleaned, errors = [], []
    for upload in files:
        if isinstance(upload, CleanAttachment):
            cleaned.append(upload)
            continue
        try:
            cleaned.append(clean_attachment(upload))
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError({"files": errors})
    return cleaned


@transaction.atomic
def key_task_report_progress(
    *,
    task: KeyTask,
    by: User,
    percent,
    note: str,
    files: Sequence = (),
    at: datetime.datetime | None = None,
) -> TaskProgress:
    """A progress update from the lead unit or a co-unit: the percent reached, what was done, the
    evidence. 100 % completes the task (the lead unit's to report, every milestone reached).
    `at` dates an update made earlier (the demo); it defaults to now."""
    task = KeyTask.objects.select_for_update(of=("self",)).select_related("campaign", "lead_unit").get(pk=task.pk)
    _ensure_may_report(by, task)
    _ensure_open(task)
    try:
        percent = parse_percent(percent)
    except ValidationError as exc:
        raise ValidationError({"percent": exc.error_list}) from None
    errors = {}
    note = (note or "").strip()
    if not note:
        errors["note"] = _("Say what was done.")
    if percent < task.progress:
        errors["percent"] = _("The task has reached %(current)d%%; an update cannot report less.") % {
            "current": task.progress
        }
    elif percent == 100 and not leads(by, task):
        errors["percent"] = _("Only the lead unit %(unit)s reports the task complete.") % {"unit": task.lead_unit.name}
    elif percent == 100 and (open_milestones := list(task.milestones.filter(done_on__isnull=True))):
        errors["percent"] = _("Reach every milestone first; still open: %(milestones)s.") % {
            "milestones": "、".join(m.title for m in open_milestones)
        }
    now = timezone.now()
    last = task.updates.order_by("-at", "-id").values_list("at", flat=True).first()
    at = at or now
    if at > now + datetime.timedelta(minutes=5):
        errors["at"] = _("An update cannot be dated in the future.")
    elif last is not None and at < last:
        errors["at"] = _("An update cannot be dated before the last one.")
    elif at < task.created_at:
        errors["at"] = _("An update cannot be dated before the task was set out.")
    if errors:
        raise ValidationError(errors)
    evidence = _clean_evidence(list(files))
    update = TaskProgress(task=task, percent=percent, note=note, by=by, at=at)
    update.full_clean()
    with files_removed_on_failure() as written:
        update.save()
        for clean in evidence:
            stored = TaskEvidence(
                update=update,
                original_name=clean.original_name[:200],
                kind=clean.kind,
                mime=clean.mime,
                size=clean.content.size,
                uploaded_by=by,
            )
            stored.file.save(clean.content.name, clean.content, save=False)
            written.append(stored.file)
            stored.save()
        task.progress = percent
        if percent == 100:
            task.completed_on = timezone.localdate(at, timezone=DEADLINE_TZ)
        save_with_history(_dated(task, at), by)
    return update


# ---------------------------------------------------------------- milestones


@transaction.atomic
def milestone_add(
    *, task: KeyTask, by: User, title: str, due_on: datetime.date, at: datetime.datetime | None = None
) -> Milestone:
    """A step of the task with its own due date, planned by the creation office or the lead unit."""
    task = KeyTask.objects.select_for_update(of=("self",)).select_related("campaign__district").get(pk=task.pk)
    if not may_plan(by, task):
        raise PermissionDenied(_("Only the creation office and the lead unit plan a task's milestones."))
    _ensure_open(task)
    milestone = Milestone(task=task, title=(title or "").strip(), due_on=due_on)
    return save_with_history(_dated(milestone, at), by)


@transaction.atomic
def milestone_done(*, milestone: Milestone, by: User, at: datetime.datetime | None = None) -> Milestone:
    """The lead unit or a co-unit marks a milestone reached: now, or at `at` (reported later)."""
    milestone = Milestone.objects.select_for_update(of=("self",)).select_related("task").get(pk=milestone.pk)
    task = milestone.task
    _ensure_may_report(by, task)
    if milestone.done_on is not None:
        raise ValidationError(
            _("The milestone %(title)s was reached on %(date)s already.")
            % {"title": milestone.title, "date": milestone.done_on.isoformat()},
            code="done",
        )
    _ensure_open(task)
    _dated(milestone, at)
    milestone.done_on = timezone.localdate(at, timezone=DEADLINE_TZ) if at is not None else deadline_today()
    return save_with_history(milestone, by)
