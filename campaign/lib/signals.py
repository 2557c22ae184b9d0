"""Security events, told to whoever keeps the audit trail.

The records and their screens never import the audit trail (it sits above
everything and only listens): they send this signal for what no model write
shows — a refused action, a second factor that failed, a password reset — and
the trail writes one row for each.

    security_event.send(sender=__name__, kind="denied", request=request,
                        user=None, obj=None, detail={"reason": "..."})

`kind` is one of audit.models.AuditEvent.Kind's values; `request` may be None
(a command, a task); `user` is the actor when there is no request (defaults to
the request's user); `obj` the object acted on, if any; `detail` a small dict
of JSON values.
"""

from django.dispatch import Signal

security_event = Signal()


def tell(kind: str, *, request=None, user=None, obj=None, detail=None, sender="campaign") -> None:
    security_event.send(sender=sender, kind=kind, request=request, user=user, obj=obj, detail=detail or {})

# Sent after history rows were written in bulk (django-simple-history sends
# post_create_historical_record only for rows written one by one):
# sender=the history model, pks=the primary keys of the objects written.
history_bulk_written = Signal()
