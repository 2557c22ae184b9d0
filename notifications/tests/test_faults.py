"""The reminders under faults, on real workers over Redis, with a real SMTP server: a worker
killed mid-sweep and mid-send, Redis restarted under a running worker, two beats at once, the
broker down. Afterwards every due reminder exists exactly once, each person has one digest per
sweep that found something new for them, and no e-mail is lost; a worker killed while it sends
may send one e-mail twice (the SMTP server took it, the worker died before recording it:
notifications.outbox), never more. Each test prints its counts (pytest -s shows them)."""

import contextlib
import datetime
import email
import email.policy
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.db.models import Count, F, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from campaign.celery import app
from campaign.lib.deadlines import deadline_today
from districts.models import OrgUnit, Role, Sector, User
from hazards.models import Hazard, Source, Status
from jobs import runner
from jobs.models import Job
from jobs.tasks import fail_stalled_jobs
from notifications.defaults import install
from notifications.job_kinds import KIND
from notifications.models import EmailOutbox, Notification, Reminder, ReminderRule
from notifications.tasks import start_sweep
from notifications.tests.conftest import WULIN, ZHONGBEI

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not django_settings.CELERY_BROKER_URL.startswith("redis") or connection.vendor != "postgresql",
        reason="Redis as the broker and PostgreSQL (row locks, its activity view) are what is tried here",
    ),
]

BASE_DIR = Path(__file__).resolve().parents[2]
DEFAULT_QUEUE = app.conf.task_default_queue  # where beat's start_sweep and the jobs it starts go
# Enough people that writing their digests takes a worker a second or more: long enough to be
# caught in the middle of it.
MANY = 200
BUSY = ("running", "queued")


# ---------------------------------------------------------------- an SMTP server


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        with contextlib.suppress(OSError):  # the client went away (killed)
            self.server.smtp.converse(self.rfile, self.wfile)


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SmtpServer:
    """An SMTP server on 127.0.0.1 that takes every message. A message counts as accepted once
    its DATA has arrived, before the server answers (after `delay` seconds): a client that dies
    while waiting for the answer has had its message delivered, as with a real server."""

    def __init__(self):
        self.delay = 0.0
        self.accepted: list[tuple[str, str]] = []  # (to, subject)
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.smtp = self
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def env(self) -> dict:
        """A worker's environment for this server (EMAIL_URL also turns reminder e-mails on)."""
        return {"EMAIL_URL": f"smtp://127.0.0.1:{self.port}"}

    def by_address(self) -> Counter:
        with self._lock:
            return Counter(to for to, _subject in self.accepted)

    def count(self) -> int:
        with self._lock:
            return len(self.accepted)

    def converse(self, rfile, wfile):
        def say(*lines: str):
            wfile.write("".join(f"{line}\r\n" for line in lines).encode())
            wfile.flush()

        say("220 test SMTP")
        recipients = []
        while line := rfile.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                say("250-test", "250 8BITMIME")
            elif verb == b"MAIL":
                recipients = []
                say("250 OK")
            elif verb == b"RCPT":
                recipients.append(line.split(b"<", 1)[1].split(b">", 1)[0].decode())
                say("250 OK")
            elif verb == b"DATA":
                say("354 go on")
                body = []
                while (part := rfile.readline()) not in (b".\r\n", b""):
                    body.append(part[1:] if part.startswith(b"..") else part)
                message = email.message_from_bytes(b"".join(body), policy=email.policy.default)
                with self._lock:
                    self.accepted += [(to, str(message["Subject"])) for to in recipients]
                time.sleep(self.delay)
                say("250 accepted")
            elif verb == b"QUIT":
                say("221 bye")
                return
            else:  # HELO, RSET, NOOP
                say("250 OK")

    def close(self):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.close()


# ---------------------------------------------------------------- a Redis of the test's own


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server of this test alone (the shared one is never stopped), without persistence:
    a restart loses what it held, as a restart of a cache-configured Redis does."""

    def __init__(self, directory: Path):
        self.port = _free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        assert _wait(lambda: _pings(client), 10), "redis-server did not start"

    def stop(self):
        """SIGKILL: Redis gone at once, as when its machine or container restarts."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def restart(self):
        self.stop()
        self.start()


def _pings(client) -> bool:
    try:
        return client.ping()
    except redis.RedisError:
        return False


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    yield server
    server.stop()


# ---------------------------------------------------------------- the world and what it got


def _wait(condition, seconds=90.0, every=0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def _people(make_user, n: int) -> list[User]:
    """`n` street staff of Wulin (the responsible unit of every hazard here), each with an address."""
    street = OrgUnit.objects.get(code=WULIN)
    made = [make_user(Role.STREET_STAFF, street, f"staff-{i:03d}") for i in range(n)]
    User.objects.filter(pk__in=[u.pk for u in made]).update(email=Concat(F("username"), Value("@example.cn")))
    return list(User.objects.filter(pk__in=[u.pk for u in made]).order_by("pk"))


def _hazard(number: str, days: int, by: User) -> Hazard:
    """A hazard under rectification in Zhongbei, Wulin responsible, its deadline in `days` days
    (1 or 3: a reminder is due today whatever today is)."""
    street = OrgUnit.objects.get(code=WULIN)
    return Hazard.objects.create(
        number=number,
        title="消防通道堵塞",
        unit=OrgUnit.objects.get(code=ZHONGBEI),
        sector=Sector.objects.get(code="fire_safety"),
        description="消防通道堵塞",
        source=Source.INSPECTION,
        found_by=by,
        status=Status.RECTIFYING,
        issuing_unit=street,
        responsible_unit=street,
        responsible_person="王芳",
        deadline=deadline_today() + datetime.timedelta(days=days),
        assigned_at=timezone.now(),
    )


def _purge():
    """Left-overs of an earlier run go from the queue the beat's messages go to."""
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(DEFAULT_QUEUE)


def _queue_length() -> int:
    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen(DEFAULT_QUEUE)


def _sweeps_finished(count: int) -> bool:
    jobs = Job.objects.filter(kind=KIND)
    return jobs.count() >= count and not jobs.filter(state__in=BUSY).exists()


def _writing_reminders() -> bool:
    """A sweep is in the middle of writing digests: a connection other than this one, in a
    transaction, last ran the reminders' INSERT."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND query LIKE %s",
            [f'INSERT INTO "{Reminder._meta.db_table}"%'],
        )
        return cursor.fetchone()[0] > 0


def _reminders_each_once(people: list[User], hazards: list[Hazard]) -> list[str]:
    """What is wrong with the reminders: each person must have one for each hazard, no more."""
    got = Counter(Reminder.objects.filter(recipient__in=people).values_list("recipient_id", "subject"))
    wanted = {(p.pk, f"hazard:{h.pk}") for p in people for h in hazards}
    twice = [f"{key} ×{n}" for key, n in got.items() if n > 1]
    lost = sorted(wanted - set(got))
    extra = sorted(set(got) - wanted)
    found = {"twice": twice, "lost": lost, "extra": extra}
    return [f"{what}: {keys[:10]} ({len(keys)})" for what, keys in found.items() if keys]


def _digests(people: list[User]) -> Counter:
    rows = Notification.objects.filter(recipient__in=people).values_list("recipient").annotate(n=Count("id"))
    return Counter(dict(rows))


def _empty_digests() -> int:
    return Notification.objects.annotate(lines=Count("reminders")).filter(lines=0).count()


def _duplicates(sent: Counter) -> dict:
    return {to: n for to, n in sent.items() if n > 1}


# ---------------------------------------------------------------- a worker killed


def test_a_worker_killed_mid_sweep_then_mid_send_leaves_each_reminder_once_and_one_email_twice_at_most(
    start_worker, plan, make_user, smtp
):
    install(ReminderRule)
    people = _people(make_user, MANY)
    hazards = [_hazard("K-1", 1, people[0]), _hazard("K-3", 3, people[0])]
    _purge()

    first = start_worker(queue=DEFAULT_QUEUE, **smtp.env)
    start_sweep.apply_async()
    assert _wait(_writing_reminders, 90), "the sweep never got to writing digests"
    first.kill()
    (job,) = Job.objects.filter(kind=KIND)
    assert job.state == "running", "the worker was killed before the sweep ended"
    # (The job's writes commit with its end: the killed sweep left nothing, the next one writes it all.)
    left_by_the_killed_sweep = (Notification.objects.count(), smtp.count())

    # Housekeeping, later: the job has been silent longer than any task may run.
    Job.objects.filter(pk=job.pk).update(progress_at=timezone.now() - runner.stalled_after())
    assert fail_stalled_jobs() == 1

    # The next beat, on a new worker; it is killed while it sends the e-mails, each of which the
    # server takes its time to answer.
    smtp.delay = 0.05
    second = start_worker(queue=DEFAULT_QUEUE, **smtp.env)
    start_sweep.apply_async()
    assert _wait(lambda: smtp.count() >= 20, 90), "the e-mails were never sent"
    second.kill()
    accepted_before_kill = smtp.count()
    assert Job.objects.filter(kind=KIND, state="done").count() == 1, "the sweep had committed"
    assert accepted_before_kill < MANY, "the worker was killed before it had sent every e-mail"

    # The beat after that, on a third worker: the e-mails left pending go, the sweep adds nothing.
    smtp.delay = 0
    start_worker(queue=DEFAULT_QUEUE, **smtp.env)
    start_sweep.apply_async()
    assert _wait(lambda: _sweeps_finished(3) and not EmailOutbox.objects.filter(state="pending").exists(), 120)

    last = Job.objects.filter(kind=KIND).latest("pk")
    assert (last.state, last.report.get("people"), last.report.get("reminders")) == ("done", 0, 0), last.report
    assert not _reminders_each_once(people, hazards), _reminders_each_once(people, hazards)
    digests = _digests(people)
    assert set(digests.values()) == {1} and len(digests) == MANY, "one digest a person, for the one sweep done"
    assert EmailOutbox.objects.filter(state="sent").count() == MANY
    sent = smtp.by_address()
    assert set(sent) == {p.email for p in people}, "no one's e-mail is lost"
    duplicates = _duplicates(sent)
    print(
        f"\nkill -9 mid-sweep, then mid-send: {Reminder.objects.count()} reminders for {MANY} people × "
        f"{len(hazards)} hazards, {sum(digests.values())} digests, {smtp.count()} e-mails accepted for "
        f"{len(sent)} addresses ({accepted_before_kill} before the second kill), duplicates: {duplicates}; "
        f"(digests, e-mails) left by the sweep killed mid-way: {left_by_the_killed_sweep}"
    )
    assert sum(n - 1 for n in duplicates.values()) <= 1, f"more than one e-mail sent twice: {duplicates}"


# ---------------------------------------------------------------- Redis restarted


def test_redis_restarted_under_a_running_sweep_and_between_beats_leaves_each_reminder_once(
    own_redis, broker_at, start_worker, plan, make_user, smtp
):
    # (own_redis first: it stops after the worker, whose warm shutdown would wait for it.)
    install(ReminderRule)
    people = _people(make_user, MANY)
    hazards = [_hazard("R-1", 1, people[0])]
    broker_at(own_redis.url)  # this process and the workers it starts (their environment) use it
    worker = start_worker(queue=DEFAULT_QUEUE, **smtp.env)

    start_sweep.apply_async()
    assert _wait(_writing_reminders, 90), "the sweep never got to writing digests"
    own_redis.restart()  # under the running sweep: its message is lost with what Redis held
    assert _wait(lambda: _sweeps_finished(1), 60)

    own_redis.restart()  # between beats
    hazards.append(_hazard("R-3", 3, people[0]))
    start_sweep.apply_async()  # the next beat, published through a connection Redis dropped
    assert _wait(lambda: _sweeps_finished(2), 60), "no sweep ran after the restart"
    assert _wait(lambda: smtp.count() >= 2 * MANY, 30)

    assert worker.proc.poll() is None, "the worker rode out both restarts"
    states = list(Job.objects.filter(kind=KIND).order_by("pk").values_list("state", "report__reminders"))
    assert states == [("done", MANY), ("done", MANY)], states
    assert not _reminders_each_once(people, hazards), _reminders_each_once(people, hazards)
    digests = _digests(people)
    assert set(digests.values()) == {2} and len(digests) == MANY, "a digest a person for each sweep"
    sent = smtp.by_address()
    print(
        f"\nRedis restarted mid-sweep and between beats: {Reminder.objects.count()} reminders for {MANY} "
        f"people × {len(hazards)} hazards, {sum(digests.values())} digests, {smtp.count()} e-mails "
        f"({sorted(set(sent.values()))} a person)"
    )
    assert set(sent.values()) == {2} and len(sent) == MANY, {to: n for to, n in sent.items() if n != 2}


# ---------------------------------------------------------------- two beats


def _beat(tmp_path: Path, n: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "notifications.tests.beat_every_second",
            "beat",
            "-l",
            "info",
            "-s",
            str(tmp_path / f"beat-{n}-schedule"),
            "--pidfile",
            str(tmp_path / f"beat-{n}.pid"),
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
    return out


def test_two_beats_for_several_cycles_with_two_workers_write_each_reminder_and_email_once(
    start_worker, plan, make_user, smtp, tmp_path
):
    install(ReminderRule)
    people = _people(make_user, 5)
    hazards = [_hazard("B-1", 1, people[0])]
    # A slow server: one worker is still sending a sweep's e-mails when the other's start_sweep
    # sends those left pending; the row locks keep each e-mail with one of them.
    smtp.delay = 0.2
    _purge()
    start_worker(queue=DEFAULT_QUEUE, **smtp.env)
    start_worker(queue=DEFAULT_QUEUE, **smtp.env)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "campaign.settings", **smtp.env}
    beats = [_beat(tmp_path, n, env) for n in (1, 2)]
    outputs = []
    try:
        assert _wait(lambda: _sweeps_finished(1) and Reminder.objects.exists(), 60), "no beat started a sweep"
        for number in ("B-2", "B-3"):  # something new comes due while both beats go on
            time.sleep(2)
            hazards.append(_hazard(number, 3, people[0]))
        time.sleep(3)
    finally:
        outputs = [_stop(beat) for beat in beats]
    sends = [out.count("Sending due task reminders-sweep") for out in outputs]
    assert min(sends) >= 5, f"each beat sent the sweep every second: {sends}\n" + "\n".join(outputs)
    # The beats' last messages are taken (or dropped, expired), their sweeps end.
    assert _wait(lambda: _queue_length() == 0 and _sweeps_finished(1), 60)
    time.sleep(1)
    assert _wait(lambda: _queue_length() == 0 and _sweeps_finished(1), 60)
    # One more sweep after the beats stopped finds everything written already.
    jobs_before = Job.objects.filter(kind=KIND).count()
    start_sweep.apply_async()
    assert _wait(lambda: _sweeps_finished(jobs_before + 1), 60)

    states = Counter(Job.objects.filter(kind=KIND).values_list("state", flat=True))
    assert set(states) == {"done"}, states
    assert not _reminders_each_once(people, hazards), _reminders_each_once(people, hazards)
    assert not _empty_digests(), "a digest without a line"
    digests = _digests(people)
    assert _wait(lambda: smtp.count() >= sum(digests.values()), 30)
    time.sleep(1)  # any e-mail sent twice would arrive by now
    sent = smtp.by_address()
    print(
        f"\ntwo beats, {sum(sends)} start_sweep messages ({sends}), {sum(states.values())} sweep jobs: "
        f"{Reminder.objects.count()} reminders for {len(people)} people × {len(hazards)} hazards, "
        f"{sum(digests.values())} digests ({sorted(set(digests.values()))} a person), {smtp.count()} e-mails"
    )
    assert sent == Counter({p.email: digests[p.pk] for p in people}), "one e-mail a digest, none twice"


# ---------------------------------------------------------------- the broker down


def test_with_the_broker_down_pages_answer_at_once_nothing_entered_is_lost_and_the_next_sweep_sends_what_is_due(
    start_worker, plan, make_user, smtp, sign_in, client, broker_at, closed_port, settings
):
    install(ReminderRule)
    (person,) = _people(make_user, 1)
    hazards = [_hazard("D-1", 1, person), _hazard("D-3", 3, person)]
    sign_in(client, person)
    real_broker = settings.CELERY_BROKER_URL
    broker_at(closed_port)

    took = {}
    for name in ("home", "notification_list", "notification_unread", "hazard_list"):
        started = time.monotonic()
        response = client.get(reverse(name))
        took[name] = round(time.monotonic() - started, 2)
        assert response.status_code == 200, name
    assert max(took.values()) < 2, f"a page waited for the broker: {took}"
    # A beat's message cannot go; the sender is told within seconds rather than hanging.
    started = time.monotonic()
    with pytest.raises(OperationalError):
        start_sweep.apply_async()
    took["start_sweep"] = round(time.monotonic() - started, 2)
    assert took["start_sweep"] < 10, took
    started = time.monotonic()
    response = client.post(
        reverse("hazard_create"),
        {
            "title": "配电箱门损坏",
            "unit": OrgUnit.objects.get(code=ZHONGBEI).pk,
            "sector": Sector.objects.get(code="fire_safety").pk,
            "grade": "general",
            "source": "inspection",
            "description": "配电箱门缺失，带电部位外露",
            "found_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    took["hazard_create"] = round(time.monotonic() - started, 2)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert took["hazard_create"] < 2, took
    filed = Hazard.objects.get(title="配电箱门损坏")
    assert (filed.status, filed.found_by) == (Status.REPORTED, person), "the hazard filed is saved"
    assert not Notification.objects.exists()

    broker_at(real_broker)
    _purge()
    start_worker(queue=DEFAULT_QUEUE, **smtp.env)
    start_sweep.apply_async()  # the first beat once the broker is back
    assert _wait(lambda: _sweeps_finished(1) and smtp.count() >= 1, 60)

    assert not _reminders_each_once([person], hazards), _reminders_each_once([person], hazards)
    assert Hazard.objects.filter(pk=filed.pk, status=Status.REPORTED).exists()
    page = client.get(reverse("notification_list")).content.decode()
    assert "D-1" in page and "D-3" in page
    print(f"\nbroker down: seconds taken {took}; back: {Reminder.objects.count()} reminders, {smtp.count()} e-mail")
    assert smtp.by_address() == Counter({person.email: 1})
