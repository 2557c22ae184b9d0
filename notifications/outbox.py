"""Sending the reminder e-mails: claim a pending outbox row with SELECT … FOR UPDATE SKIP LOCKED
(two senders never take the same row), send it, record sent or the error, commit; then the next.

The bound on duplicates: each row is marked sent in the transaction that claimed it, committed as
soon as the SMTP server has answered, before the next row is sent. A sender killed after the
server accepted a message and before that commit leaves that one row pending, and the next sender
sends it again: at most one duplicate e-mail per such death, never a lost one. (Rows claimed and
recorded a batch a transaction would put every message of the batch sent so far back to pending.)"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from notifications.models import EmailOutbox

logger = logging.getLogger(__name__)
State = EmailOutbox.State


def outbox_send(*, limit: int | None = None) -> dict:
    """Send the pending e-mails (all, or up to `limit`); returns how many were sent and failed.
    Each row is tried once a call, in the order of its id, on one connection to the server."""
    sent = failed = 0
    last = 0
    mail = refused = None
    try:
        while limit is None or sent + failed < limit:
            with transaction.atomic():
                row = (
                    EmailOutbox.objects.select_for_update(skip_locked=True)
                    .filter(state=State.PENDING, pk__gt=last)
                    .order_by("pk")
                    .first()
                )
                if row is None:
                    break
                last = row.pk
                if mail is None:
                    mail, refused = _open()
                ok = _send_one(row, mail, refused)
                sent += ok
                failed += not ok
    finally:
        if mail is not None and refused is None:
            mail.close()
    return {"sent": sent, "failed": failed}


def _open():
    """The connection to the e-mail server, and why it could not be opened (then every row
    tried counts an attempt)."""
    mail = get_connection()
    try:
        mail.open()
    except Exception as exc:
        return mail, exc
    return mail, None


def _send_one(row: EmailOutbox, mail, refused: Exception | None) -> bool:
    row.attempts += 1
    try:
        if refused is not None:
            raise refused
        EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.to], connection=mail).send()
    except Exception as exc:
        logger.warning("reminder e-mail %s to %s not sent: %s", row.pk, row.to, exc)
        row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        if row.attempts >= EmailOutbox.MAX_ATTEMPTS:
            row.state = State.FAILED
        ok = False
    else:
        row.state = State.SENT
        row.sent_at = timezone.now()
        row.last_error = ""
        ok = True
    row.save(update_fields=["attempts", "state", "sent_at", "last_error"])
    return ok
