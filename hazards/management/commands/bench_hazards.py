import datetime
import itertools
import re
import statistics
import time

from django.db import connection, transaction
from django.utils import timezone

from campaign.lib.bench import BenchCommand, percentile, sample_page, signed_in_client
from districts.models import OrgUnit, Sector, User
from districts.second_factor import force_login_verified
from hazards.models import Grade, Hazard, Source, Status, deadline_today
from hazards.notices import rectification_notice_pdf

PAGES = {
    "list": "/hazards/",
    "overdue": "/hazards/?queue=overdue",
    "search": "/hazards/?q=隐患",
    "page20": "/hazards/?page=20",
}
# The query that reads the page's rows: the hazards themselves, newest first, one page of them.
ROW_QUERY = re.compile(r'^SELECT "hazards_hazard"\."id", "hazards_hazard"\."number".* LIMIT \d+', re.DOTALL)
BATCH = 5000


class Command(BenchCommand):
    help = (
        "Seed N benchmark hazards (streamed in batches, on top of load_demo), then time the hazard list "
        "for each user: the page's server time against its own row query's."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hazards", type=int, default=0, help="Benchmark hazards to add first (bulk insert).")
        parser.add_argument("--users", nargs="+", default=["wulin", "inspector", "office"])
        parser.add_argument("--repeat", type=int, default=21)

    def _rows(self, n: int):
        places = list(OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.GRID]))
        streets = {u.pk: u for u in OrgUnit.objects.filter(kind=OrgUnit.Kind.STREET)}
        parents = dict(OrgUnit.objects.values_list("pk", "parent_id"))
        sectors = list(Sector.objects.all())
        by = User.objects.get(username="inspector")
        today = deadline_today()
        now = timezone.now()
        statuses = [Status.REPORTED, Status.RECTIFYING, Status.RECTIFYING, Status.AWAITING_VERIFICATION, Status.CLOSED]
        start = Hazard.objects.count()
        for i in range(n):
            place = places[i % len(places)]
            street = streets.get(place.parent_id) or streets.get(parents.get(place.parent_id))
            status = statuses[i % len(statuses)]
            assigned = status != Status.REPORTED
            yield Hazard(
                number=f"YHBENCH-{today.year}-{start + i:07d}",
                title=f"基准隐患{i}",
                unit=place,
                sector=sectors[i % len(sectors)],
                description="基准测试数据",
                grade=Grade.GENERAL,
                source=Source.PATROL,
                found_by=by,
                status=status,
                responsible_unit=street if assigned else None,
                responsible_person="负责人" if assigned else "",
                deadline=today + datetime.timedelta(days=15 - i % 30) if assigned else None,
                rectified_at=None if status in (Status.REPORTED, Status.RECTIFYING) else now,
                closed_at=now if status == Status.CLOSED else None,
            )

    def _seed(self, n: int) -> None:
        """n hazards in batches of BATCH: the memory of one batch, however many."""
        started = time.perf_counter()
        rows = self._rows(n)
        with transaction.atomic():
            while batch := list(itertools.islice(rows, BATCH)):
                Hazard.objects.bulk_create(batch)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.figure("hazards_seed_rows_per_second", n / (time.perf_counter() - started), "rows/s")

    def handle(self, *args, **options):
        self.begin()
        if options["hazards"]:
            self._seed(options["hazards"])
        self.note(f"{Hazard.objects.count()} hazards; {options['repeat']} requests per page after 3 untimed")
        for username in options["users"]:
            client = signed_in_client(User.objects.get(username=username), login=force_login_verified)
            for name, url in PAGES.items():
                samples = sample_page(client, url, options["repeat"], warmup=3)
                rows = [
                    next((ms for sql, ms in zip(sqls, times, strict=True) if ROW_QUERY.match(sql)), 0.0)
                    for sqls, times in zip(samples.queries, samples.query_ms, strict=True)
                ]
                row_ms = statistics.median(rows)
                label = f"hazard_{name}_{username}"
                self.figure(f"{label}_median", samples.median, "ms")
                self.figure(f"{label}_p95", samples.percentile(95), "ms")
                self.figure(f"{label}_sql_median", statistics.median(samples.sql_ms), "ms")
                self.figure(f"{label}_row_query_median", row_ms, "ms")
                if row_ms:
                    self.figure(f"{label}_over_row_query", samples.median / row_ms, "x")
                self.figure(f"{label}_queries", len(samples.queries[-1]), "queries")
        hazard = Hazard.objects.exclude(responsible_unit=None).exclude(number__startswith="YHBENCH").first()
        if hazard:
            times = []
            for _ in range(5):
                started = time.perf_counter()
                rectification_notice_pdf(hazard)
                times.append((time.perf_counter() - started) * 1000)
            self.figure("rectification_notice_first", times[0], "ms")
            self.figure("rectification_notice_median", statistics.median(times), "ms")
            self.figure("rectification_notice_p95", percentile(times, 95), "ms")
