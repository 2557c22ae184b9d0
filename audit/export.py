"""The audit trail as a workbook, and one row's changes as lines to read."""

import io
import json

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from audit.models import AuditEvent

MAX_ROWS = 100_000


def change_rows(event: AuditEvent) -> list[tuple[str, str, str]]:
    """(field label, before, after) for each changed field."""
    model = event.content_type.model_class() if event.content_type_id else None
    labels = {}
    if model is not None:
        for field in model._meta.concrete_fields:
            labels[field.attname] = str(field.verbose_name)
            labels[field.name] = str(field.verbose_name)
    rows = []
    for name, pair in (event.changes or {}).items():
        old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        rows.append((labels.get(name, name), _shown(old), _shown(new)))
    return rows


def detail_rows(event: AuditEvent) -> list[tuple[str, str]]:
    """(label, value) for what the event's detail holds, labelled in the reader's language."""
    labels = {
        "history_id": _("History version"),
        "status": _("Answer"),
        "view": _("Page"),
        "kwargs": _("Parameters"),
        "reason": _("Reason"),
        "content_type": _("File type"),
        "disposition": _("File"),
        "username": _("Account"),
        "ip_address": _("IP address"),
        "failures": _("Failed attempts"),
        "deleted": _("Rows deleted"),
        "before": _("Older than"),
        "days": _("Days kept"),
        "account_exists": _("Account exists"),
        "model": _("Object type"),
        "action": _("Back-office action"),
        "message": _("Message"),
        "ok": _("Succeeded"),
    }
    return [(str(labels.get(key, key)), _shown(value)) for key, value in (event.detail or {}).items()]


def _shown(value) -> str:
    if value is None:
        return "—"
    if value == "":
        return _("(empty)")
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def workbook(queryset) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Audit trail"))
    header = [
        _("Time"),
        _("Kind"),
        _("Action"),
        _("User name"),
        _("IP address"),
        _("Org unit"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Method"),
        _("Address"),
        _("Changes"),
        _("Detail"),
    ]
    sheet.append(header)
    kinds = dict(AuditEvent.Kind.choices)
    for event in queryset.select_related("unit", "content_type").iterator(chunk_size=2000):
        sheet.append(
            [
                timezone.localtime(event.at).replace(tzinfo=None),
                str(kinds.get(event.kind, event.kind)),
                event.get_action_display(),
                event.username,
                event.ip or "",
                event.unit.name if event.unit_id and event.unit else "",
                event.content_type.name if event.content_type_id and event.content_type else "",
                event.object_id,
                event.object_repr,
                event.method,
                event.path,
                "; ".join(f"{label}: {old} → {new}" for label, old, new in change_rows(event)),
                "; ".join(f"{label}: {value}" for label, value in detail_rows(event)),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()



