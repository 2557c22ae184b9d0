"""Writing audit rows: who (from the request being served, or as given), from
where, about what. Everything that records goes through record() or
record_history()."""

from __future__ import annotations

import contextvars
import datetime
import decimal
import ipaddress
import uuid

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models

from audit.models import AuditEvent
from campaign.lib.sql import copy_insert

# The request being served, for rows written while it runs (history rows,
# signals that carry no request).
current_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)

# Writes to these models are filed under their own kind.
KIND_BY_MODEL = {
    "districts.membership": AuditEvent.Kind.ROLE_CHANGE,
    "districts.securitypolicy": AuditEvent.Kind.POLICY_CHANGE,
}
KINDS = frozenset(AuditEvent.Kind.values)
# A text longer than this is cut in the change list (the history row keeps it whole).
MAX_VALUE_CHARS = 4000


def client_ip(request) -> str | None:
    from axes.helpers import get_client_ip_address

    # The same address the lockout counts, so the two agree.
    raw = get_client_ip_address(request) or request.META.get("REMOTE_ADDR")
    try:
        return str(ipaddress.ip_address(raw)) if raw else None
    except ValueError:
        return None


def _user_of(request):
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


def _first_unit_id(user) -> int | None:
    if user is None:
        return None
    cached = getattr(user, "_audit_unit_id", False)
    if cached is False:
        cached = user.memberships.order_by("pk").values_list("unit_id", flat=True).first()
        user._audit_unit_id = cached
    return cached


def _unit_id_of(obj) -> int | None:
    if obj is None:
        return None
    if obj._meta.label_lower == "districts.orgunit":
        return obj.pk
    return getattr(obj, "unit_id", None)


def jsonable(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_VALUE_CHARS else value[:MAX_VALUE_CHARS] + "…"
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if hasattr(value, "name"):  # a file field
        return value.name or None
    return str(value)


def _repr(obj) -> str:
    try:
        return str(obj)[:200]
    except Exception:  # a __str__ that needs a row that is gone
        return f"{obj._meta.verbose_name} {obj.pk}"[:200]


def build(
    kind: str,
    *,
    request=None,
    user=None,
    username: str = "",
    obj=None,
    content_type=None,
    object_id="",
    object_repr: str = "",
    unit_id: int | None = None,
    action: str = "",
    changes: dict | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    if kind not in KINDS:
        raise ValueError(f"unknown audit kind {kind!r}")
    request = request if request is not None else current_request.get()
    user = user if user is not None else _user_of(request)
    if obj is not None:
        content_type = content_type or ContentType.objects.get_for_model(type(obj), for_concrete_model=False)
        object_id = object_id or obj.pk
        object_repr = object_repr or _repr(obj)
    return AuditEvent(
        kind=kind,
        action=action,
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        ip=client_ip(request) if request is not None else None,
        unit_id=unit_id or _unit_id_of(obj) or _first_unit_id(user),
        content_type=content_type,
        object_id="" if object_id is None else str(object_id)[:64],
        object_repr=object_repr[:200],
        method=(request.method or "")[:10] if request is not None else "",
        path=request.get_full_path()[:500] if request is not None else "",
        changes=jsonable(changes or {}),
        detail=jsonable(detail or {}),
    )


def record(kind: str, **kwargs) -> AuditEvent:
    event = build(kind, **kwargs)
    event.save()
    return event


# --- Data changes, from django-simple-history's rows -------------------------

ACTIONS = {"+": "create", "~": "update", "-": "delete"}


def _fields(history_model) -> list[str]:
    # A change's time is the row's own; "updated at" stamps would only repeat it.
    return [f.attname for f in history_model.tracked_fields if not getattr(f, "auto_now", False)]


def changes_between(previous, row, fields: list[str]) -> dict:
    """{"field": [old, new]} for what differs; a creation lists every field it set."""
    changed = {}
    for name in fields:
        new = getattr(row, name)
        if previous is None:
            if row.history_type == "-":
                if new not in (None, ""):
                    changed[name] = [new, None]
            elif new not in (None, ""):
                changed[name] = [None, new]
        else:
            old = getattr(previous, name)
            if old != new:
                changed[name] = [old, new]
    return changed


def _event_for(row, previous, instance, request=None, user=None) -> AuditEvent | None:
    model = type(row).instance_type
    action = ACTIONS[row.history_type]
    changes = changes_between(previous if action == "update" else None, row, _fields(type(row)))
    if action == "update" and not changes:
        return None  # nothing changed (e.g. a sign-in stamping last_login): nothing to audit
    return build(
        KIND_BY_MODEL.get(model._meta.label_lower, AuditEvent.Kind.WRITE),
        request=request,
        user=user if user is not None else row.history_user,
        obj=instance,
        content_type=ContentType.objects.get_for_model(model),
        unit_id=getattr(row, "unit_id", None),
        action=action,
        changes=changes,
        detail={"history_id": row.pk, **({"reason": row.history_change_reason} if row.history_change_reason else {})},
    )


def record_history(row, instance) -> None:
    """One history row written one by one (in a request, a task or a command)."""
    previous = row.prev_record if row.history_type == "~" else None
    event = _event_for(row, previous, instance)
    if event is not None:
        event.save()


def record_history_bulk(history_model, pks) -> int:
    """The rows a bulk write just made: the newest history row of each object,
    against the one before it."""
    pk_name = history_model.instance_type._meta.pk.attname
    users: dict = {}  # one query for the writers of thousands of rows, not one a row
    events = []
    for start in range(0, len(pks), 1000):
        batch = pks[start : start + 1000]
        newest: dict = {}
        before: dict = {}
        rows = history_model.objects.filter(**{f"{pk_name}__in": batch}).order_by(pk_name, "-history_id")
        for row in rows.iterator(chunk_size=2000):
            key = getattr(row, pk_name)
            if key not in newest:
                newest[key] = row
            elif key not in before:
                before[key] = row
        wanted = {row.history_user_id for row in newest.values()} - set(users) - {None}
        if wanted:
            users.update(get_user_model()._default_manager.in_bulk(wanted))
        for key, row in newest.items():
            writer = users.get(row.history_user_id)
            event = _event_for(row, before.get(key), _HistoryView(row, key), user=writer)
            if event is not None:
                events.append(event)
    copy_insert(AuditEvent, events)
    return len(events)


class _HistoryView:
    """Stands for the object of a history row without loading it (a bulk write
    names thousands): its type, key and a readable name from the row itself."""

    def __init__(self, row, pk):
        self._meta = type(row).instance_type._meta
        self.pk = pk
        label = next((getattr(row, f) for f in ("code", "number", "name", "title") if getattr(row, f, None)), pk)
        self._label = f"{self._meta.verbose_name} {label}"

    def __str__(self):
        return str(self._label)
