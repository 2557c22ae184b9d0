"""Bulk writes with their history rows. django-simple-history's bulk helpers send
no signal for the rows they write, so the audit trail would never hear of an
import: every bulk write with history goes through these, which say what they
wrote (campaign.lib.signals.history_bulk_written)."""

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
