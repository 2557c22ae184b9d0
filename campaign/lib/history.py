"""Bulk writes with their history rows. django-simple-history's bulk helpers send
no signal for the rows they write, so the audit trail would never hear of an
import: every bulk write with history goes through these, which say what they
wrote (campaign.lib.signals.history_bulk_written). And a record's versions as a page
shows them (versions_of)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import ForeignKey
from simple_history import utils

from campaign.lib.signals import history_bulk_written


def _written(model, objs) -> None:
    history = utils.get_history_manager_for_model(model).model
    pks = [obj.pk for obj in objs if obj.pk is not None]
    if pks:
        history_bulk_written.send(sender=history, pks=pks)


def bulk_create_with_history(objs, model, **kwargs):
    created = utils.bulk_create_with_history(objs, model, **kwargs)
    _written(model, created)
    return created


def bulk_update_with_history(objs, model, fields, **kwargs):
    result = utils.bulk_update_with_history(objs, model, fields, **kwargs)
    _written(model, objs)
    return result


def bulk_history_create(model, objs, **kwargs):
    """History rows for objects already written (e.g. by a plain UPDATE)."""
    rows = utils.get_history_manager_for_model(model).bulk_history_create(objs, **kwargs)
    _written(model, objs)
    return rows


def save_with_history(obj, by):
    """The one way a service saves a row: validated (full_clean), then saved with a
    history row that names `by` (None: the console or a loader). Call it inside the
    service's transaction."""
    obj.full_clean()
    obj._history_user = by
    obj.save()
    return obj


# ---------------------------------------------------------------- reading a record's history


@dataclass
class Change:
    label: str
    old: str | None  # None: a related record changed, shown by name only
    new: str | None


@dataclass
class Version:
    record: object
    changes: list[Change]


def _shown(field, value) -> str:
    if value in (None, ""):
        return "—"
    choices = dict(field.flatchoices) if field.choices else {}
    return str(choices.get(value, value))


def versions_of(obj, *, hidden: Iterable[str] = (), limit: int = 20) -> list[Version]:
    """The record's versions, newest first, each with what it changed from the one before it;
    `hidden` fields (kept by the platform, not typed) are not worth a line. Fields nobody types
    but the platform computes (a grade) are shown: simple-history leaves them out. One query."""
    model, hidden = type(obj), set(hidden)
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    versions = []
    for record, previous in zip(records, [*records[1:], None], strict=True):
        if len(versions) == limit:
            break
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=hidden)
            pairs = [(c.field, c.old, c.new) for c in delta.changes]
            # diff_against reads editable fields only (model_to_dict): the computed ones by hand.
            for field in previous.tracked_fields:
                if not field.editable and field.name not in hidden:
                    old, new = getattr(previous, field.attname), getattr(record, field.attname)
                    if old != new:
                        pairs.append((field.name, old, new))
            for name, old, new in pairs:
                field = model._meta.get_field(name)
                if isinstance(field, ForeignKey):
                    changes.append(Change(str(field.verbose_name), None, None))
                else:
                    changes.append(Change(str(field.verbose_name), _shown(field, old), _shown(field, new)))
        versions.append(Version(record, changes))
    return versions
