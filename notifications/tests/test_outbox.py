"""The e-mail outbox: a failure is counted and retried, a row failing every attempt ends failed
with its error, and two senders at once send each e-mail once (SKIP LOCKED)."""

import threading

import pytest
from django.core import mail
from django.db import connection

from notifications.models import EmailOutbox, Notification
from notifications.outbox import outbox_send

pytestmark = pytest.mark.django_db


def _queue(user, n=1):
    rows = []
    for i in range(n):
        note = Notification.objects.create(recipient=user, title=f"提醒{i}")
        rows.append(EmailOutbox.objects.create(notification=note, to=user.email, subject="到期提醒", body="正文"))
    return rows


class Refusing:
    """An e-mail backend whose server refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server refused")


def test_a_refused_email_is_retried_then_ends_failed_with_its_error(settings, people):
    (row,) = _queue(people["wulin"])
    settings.EMAIL_BACKEND = f"{__name__}.Refusing"
    for attempt in range(1, EmailOutbox.MAX_ATTEMPTS + 1):
        assert outbox_send() == {"sent": 0, "failed": 1}
        row.refresh_from_db()
        assert row.attempts == attempt
        assert "SMTP server refused" in row.last_error
    assert row.state == EmailOutbox.State.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_send() == {"sent": 0, "failed": 0}  # a failed row is not tried again
    assert not mail.outbox


def test_a_retry_that_succeeds_is_sent_once(settings, people):
    (row,) = _queue(people["wulin"])
    settings.EMAIL_BACKEND = f"{__name__}.Refusing"
    outbox_send()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_send() == {"sent": 1, "failed": 0}
    assert outbox_send() == {"sent": 0, "failed": 0}
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error, len(mail.outbox)) == ("sent", 2, "", 1)


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_email_once(settings, plan, people):
    _queue(people["wulin"], 30)
    results, errors = [], []
    start = threading.Barrier(2)

    def send():
        try:
            start.wait(10)
            results.append(outbox_send())
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sum(r["sent"] for r in results) == 30 == len(mail.outbox)
    assert EmailOutbox.objects.filter(state="sent", attempts=1).count() == 30


class Killed(BaseException):
    """The worker dying: nothing after it runs, the open transaction is rolled back."""


def test_a_sender_killed_after_the_server_took_the_mail_causes_at_most_one_duplicate(people, monkeypatch):
    """The documented bound: the row is marked sent in the transaction that claimed it. Killed
    between the SMTP server's acceptance and that commit, the row is still pending, and the next
    sender sends it again: one duplicate, never a lost e-mail, never a third copy."""
    (row,) = _queue(people["wulin"])
    real_save = EmailOutbox.save

    def die_once(self, *args, **kwargs):
        monkeypatch.setattr(EmailOutbox, "save", real_save)
        raise Killed

    monkeypatch.setattr(EmailOutbox, "save", die_once)
    with pytest.raises(Killed):
        outbox_send()
    assert len(mail.outbox) == 1  # the server has it
    row.refresh_from_db()
    assert (row.state, row.attempts) == (EmailOutbox.State.PENDING, 0)  # the claim's record rolled back
    assert outbox_send() == {"sent": 1, "failed": 0}
    assert outbox_send() == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 2


def test_a_sender_killed_part_way_through_a_run_sends_only_the_mail_in_flight_twice(people, monkeypatch):
    """Each row is recorded sent before the next is sent: killed while recording the third of
    five, the sender leaves the first two sent and the third pending, and the next run sends the
    third again and the last two: six messages for five e-mails, one duplicate."""
    _queue(people["wulin"], 5)
    real_save = EmailOutbox.save
    saves = []

    def die_at_the_third(self, *args, **kwargs):
        saves.append(self.pk)
        if len(saves) == 3:
            raise Killed
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(EmailOutbox, "save", die_at_the_third)
    with pytest.raises(Killed):
        outbox_send()
    monkeypatch.setattr(EmailOutbox, "save", real_save)
    assert len(mail.outbox) == 3  # the server has three
    assert list(EmailOutbox.objects.order_by("pk").values_list("state", flat=True)) == ["sent"] * 2 + ["pending"] * 3
    assert outbox_send() == {"sent": 3, "failed": 0}
    assert len(mail.outbox) == 6
