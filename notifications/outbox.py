"""Sending the reminder e-mails: claim pending outbox rows with SELECT … FOR UPDATE SKIP LOCKED
(two senders never take the same row), send, record sent or the error, commit.

The bound on duplicates: a row is marked sent in the transaction that claimed it. A sender killed
after the SMTP server accepted a message and before that commit leaves the row pending, and the
next sender sends it again: at most one duplicate per row per such death, never a lost e-mail."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from notifications.models import EmailOutbox

logger = logging.getLogger(__name__)
State = EmailOutbox.State
BATCH = 100


def outbox_send(*, limit: int | None = None) -> dict:
    """Send the pending e-mails (all, or up to `limit`); returns how many were sent and failed."""
    sent = failed = 0
    tried: set[int] = set()
    while limit is None or sent + failed < limit:
        with transaction.atomic():
            rows = list(
                EmailOutbox.objects.select_for_update(skip_locked=True)
                .filter(state=State.PENDING)
                .exclude(pk__in=tried)
                .order_by("pk")[: BATCH if limit is None else min(BATCH, limit - sent - failed)]
            )
            if not rows:
                break
            mail = get_connection()
            try:
                mail.open()
            except Exception as exc:
                # The server cannot be reached: every row of the batch counts an attempt.
                opened = exc
            else:
                opened = None
            try:
                for row in rows:
                    tried.add(row.pk)
                    ok = _send_one(row, mail, opened)
                    sent += ok
                    failed += not ok
            finally:
                if opened is None:
                    mail.close()
    return {"sent": sent, "failed": failed}


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
