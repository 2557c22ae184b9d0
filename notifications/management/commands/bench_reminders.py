"""The speed of the reminders at volume (issue 12), one figure a line as `name: value unit`.

    DEBUG=true python manage.py bench_reminders    # 1M hazards (100k open around today), 180 communities, 24 months

On PostgreSQL, in a database of its own. It seeds what is missing up to the volumes asked for
with the dashboard benchmark's seeder (oversight.bench.seed: the demo, communities, filers for
every street and department, the hazards and risks in bulk, the campaign's periods), then puts
--open hazards under rectification with deadlines around today (notifications.bench; every run,
--skip-seed too, since today moves). Then, inside one transaction rolled back at the end (so a
rerun measures the same thing, and nothing of it stays):

- e-mail: --emails messages queued in the outbox and sent by the outbox's sender
  (notifications.outbox) to an SMTP server on this machine that the benchmark starts
  (notifications.bench.SmtpSink, the standard library's smtpd in a thread): messages a second;
- the sweep on today, the first over these deadlines (every reminder in the window is new),
  then on each of the --sweeps days after it (only the offsets that came round that day, as a
  sweep beat runs each day finds): seconds (median), the dry run's reading alone (the sweep's
  plan) the same days, and each source's read on the first day: where the time goes;
- the queries of each sweep, split into its reading (before the first digest) and its digests
  (one batch a person: savepoint, notification, its reminders in one statement and its notices in
  another, e-mail, release: the same few whatever the lines), at the two
  volumes of the first sweep and the later ones;
- the bell (notifications.selectors.unread_count) of the person with the most unread digests.

The sweeps and the bell run with DEBUG off (as in production: no SQL kept per query); queries are
counted by a wrapper that keeps each statement's first words only."""

from __future__ import annotations

import datetime
import statistics
import time

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from campaign.lib.bench import BenchCommand
from campaign.lib.deadlines import deadline_today
from campaign.models import Campaign
from campaign.plan import DISTRICT_CODE
from districts.models import OrgUnit, User
from hazards.models import Hazard, Status
from notifications.bench import SmtpSink, open_hazards, open_with_deadlines
from notifications.models import EmailOutbox, Notification, ReminderRule
from notifications.outbox import outbox_send
from notifications.selectors import unread_count
from notifications.sources import SOURCES
from notifications.sweep import plan, sweep
from oversight.bench.common import OFFICE_USERNAME, Volumes, in_district, months_covered
from oversight.bench.seed import seed
from reporting.models import Period

DAY = datetime.timedelta(days=1)
DIGEST_START = 'INSERT INTO "notifications_notification"'


class Statements:
    """An execute wrapper counting the statements run, keeping the first words of each."""

    def __init__(self):
        self.heads: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.heads.append(sql[:60])
        return execute(sql, params, many, context)

    def reset(self) -> None:
        self.heads = []


def split_batches(heads: list[str]) -> tuple[int, list[int]]:
    """(statements before the first digest, statements of each digest): a digest's batch runs from
    the savepoint before its notification's INSERT to the savepoint of the next one."""
    starts = [
        i - 1 if i > 0 and heads[i - 1].startswith("SAVEPOINT") else i
        for i, head in enumerate(heads)
        if head.startswith(DIGEST_START)
    ]
    if not starts:
        return len(heads), []
    ends = [*starts[1:], len(heads)]
    return starts[0], [end - start for start, end in zip(starts, ends, strict=True)]


class Command(BenchCommand):
    help = "Seed the reminders benchmark's volumes on PostgreSQL (if missing) and print its speed figures."

    def add_arguments(self, parser):
        Volumes.add_arguments(parser)
        parser.add_argument("--open", type=int, default=100_000, help="Of them open, deadlines around today (100k).")
        parser.add_argument("--sweeps", type=int, default=3, help="Sweeps timed on the days after today (3).")
        parser.add_argument("--emails", type=int, default=1000, help="E-mails sent to the SMTP sink (1000).")
        parser.add_argument(
            "--skip-seed", action="store_true", help="Seed no records (the open hazards still follow today)."
        )

    ONE_DECIMAL = ("ms", "messages/s")

    def handle(self, *args, **options):
        started = self.begin()
        if not options["skip_seed"]:
            volumes = Volumes.from_options(options)
            figures = seed(volumes, out=self.note)
            for name in ("seed_demo", "seed_hazards", "seed_risks", "seed_reports", "seed_total"):
                self.figure(name, figures[name], "s")
            self.figure("seed_hazards_added", int(figures["hazards_added"]), "rows")
        district = OrgUnit.objects.filter(code=DISTRICT_CODE).first()
        if district is None:
            raise CommandError("No demo district: run without --skip-seed first.")
        today = deadline_today()
        step = time.perf_counter()
        self.figure("seed_open_changed", open_hazards(district, options["open"], today=today), "rows")
        self.figure("seed_open", time.perf_counter() - step, "s")
        self._volumes(district, today)
        if not ReminderRule.objects.filter(enabled=True).exists():
            raise CommandError("No reminder rule is enabled: the sweep would read nothing.")

        with transaction.atomic():
            self._email(options["emails"])
            self.load()
            with override_settings(DEBUG=False, REMINDER_EMAIL=True):
                self._sources(today)
                self._sweeps(today, options["sweeps"])
                self._bell()
            transaction.set_rollback(True)  # nothing of the measuring stays
        self.figure("bench_total", time.perf_counter() - started, "s")

    # ------------------------------------------------------------ volumes

    def _volumes(self, district: OrgUnit, today: datetime.date) -> None:
        hazards = in_district(Hazard.objects, district)
        self.figure("rows_hazards", hazards.count(), "rows")
        self.figure("rows_hazards_open", hazards.filter(status=Status.RECTIFYING).count(), "rows")
        self.figure("rows_hazards_open_deadline_within_30_days", open_with_deadlines(district, today=today), "rows")
        self.figure(
            "communities", OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY, parent__parent=district).count(), "units"
        )
        campaign = Campaign.objects.filter(district=district).current()
        self.figure("campaign_months", months_covered(campaign, today), "months")
        self.figure("periods", Period.objects.filter(campaign=campaign).count(), "rows")
        self.figure("people_with_a_role", User.objects.filter(memberships__isnull=False).distinct().count(), "users")

    # ------------------------------------------------------------ e-mail

    def _email(self, count: int) -> None:
        office = User.objects.get(username=OFFICE_USERNAME)
        body = "\n".join(
            f"- YH330103-2026-{n:06d} 消防通道堵塞 · 整改还有 {n % 7 + 1} 天到期\n  http://localhost:8000/hazards/{n}/"
            for n in range(12)
        )
        # Read already: the bell below is of the sweeps' digests, not of these.
        now = timezone.now()
        notes = Notification.objects.bulk_create(
            [Notification(recipient=office, title=f"基准测试提醒 {n}", read_at=now) for n in range(count)]
        )
        EmailOutbox.objects.bulk_create(
            [
                EmailOutbox(notification=note, to=f"bench-{n}@example.cn", subject=note.title, body=body)
                for n, note in enumerate(notes)
            ]
        )
        pending = EmailOutbox.objects.filter(state=EmailOutbox.State.PENDING).count()
        if pending > count:
            self.note(f"{pending - count} e-mails were pending before: they are sent (and counted) too")
        with (
            SmtpSink() as sink,
            override_settings(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=sink.port,
                EMAIL_HOST_USER="",
                EMAIL_HOST_PASSWORD="",
                EMAIL_USE_TLS=False,
                EMAIL_USE_SSL=False,
                EMAIL_TIMEOUT=10,
                DEBUG=False,
            ),
        ):
            step = time.perf_counter()
            result = outbox_send()
            seconds = time.perf_counter() - step
            received = sink.received
        self.note(f"SMTP sink: the standard library's smtpd on 127.0.0.1:{sink.port}, in a thread of this process")
        self.figure("email_sent", result["sent"], "messages")
        self.figure("email_failed", result["failed"], "messages")
        self.figure("email_received_by_sink", received, "messages")
        self.figure("email_seconds", seconds, "s")
        self.figure("email_per_second", result["sent"] / seconds if seconds else 0.0, "messages/s")

    # ------------------------------------------------------------ the sweep

    def _sources(self, today: datetime.date) -> None:
        """Each source's read on the first day: the sweep's reading, rule by rule."""
        for rule in ReminderRule.objects.filter(enabled=True).order_by("pk"):
            step = time.perf_counter()
            found = SOURCES[rule.subject](rule, today)
            self.figure(f"source_{rule.subject}_seconds", time.perf_counter() - step, "s")
            self.figure(f"source_{rule.subject}_subjects", len(found), "rows")

    def _sweep(self, day: datetime.date, statements: Statements):
        statements.reset()
        with connection.execute_wrapper(statements):
            step = time.perf_counter()
            result = sweep(today=day)
            seconds = time.perf_counter() - step
        return seconds, result, split_batches(statements.heads)

    def _sweeps(self, today: datetime.date, days: int) -> None:
        statements = Statements()
        seconds, result, (reading, batches) = self._sweep(today, statements)
        self.figure("sweep_first_seconds", seconds, "s")
        self.figure("sweep_first_reminders", result.reminders, "rows")
        self.figure("sweep_first_digests", result.people, "rows")
        self.figure("sweep_first_queries_reading", reading, "queries")
        if batches:
            self.figure("sweep_first_queries_per_batch_min", min(batches), "queries")
            self.figure("sweep_first_queries_per_batch_max", max(batches), "queries")
        timed, planned, written, people, readings, per_batch = [], [], [], [], [], []
        for n in range(1, days + 1):
            day = today + n * DAY
            step = time.perf_counter()
            plan(today=day)
            planned.append(time.perf_counter() - step)
            seconds, result, (reading, batches) = self._sweep(day, statements)
            timed.append(seconds)
            written.append(result.reminders)
            people.append(result.people)
            readings.append(reading)
            per_batch += batches
            self.note(
                f"sweep on {day}: {seconds:.2f} s (its reading alone {planned[-1]:.2f} s), {result.due} subjects "
                f"due, {result.reminders} reminders in {result.people} digests, {reading} queries reading, "
                f"batches of {sorted(set(batches))} queries"
            )
        if not timed:
            return
        self.figure("sweep_seconds", statistics.median(timed), "s")
        self.figure("sweep_seconds_max", max(timed), "s")
        self.figure("dry_run_seconds", statistics.median(planned), "s")
        self.figure("sweep_reminders", int(statistics.median(written)), "rows")
        self.figure("sweep_digests", int(statistics.median(people)), "rows")
        self.figure("sweep_queries_reading_min", min(readings), "queries")
        self.figure("sweep_queries_reading_max", max(readings), "queries")
        if per_batch:
            self.figure("sweep_queries_per_batch_min", min(per_batch), "queries")
            self.figure("sweep_queries_per_batch_max", max(per_batch), "queries")

    # ------------------------------------------------------------ the bell

    def _bell(self) -> None:
        busiest = (
            Notification.objects.filter(read_at__isnull=True)
            .values("recipient")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        if busiest is None:
            self.note("nobody has an unread notification: no bell to ring")
            return
        user = User.objects.get(pk=busiest["recipient"])
        statements = Statements()
        with connection.execute_wrapper(statements):
            unread = unread_count(user)
        self.figure("bell_queries", len(statements.heads), "queries")
        self.figure("bell_unread", unread, "rows")
        ms = []
        for _ in range(20):
            step = time.perf_counter()
            unread_count(user)
            ms.append((time.perf_counter() - step) * 1000)
        self.figure("bell_median", statistics.median(ms), "ms")
