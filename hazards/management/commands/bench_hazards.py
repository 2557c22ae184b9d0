import datetime
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from campaign.lib.bench import signed_in_client, time_page
from districts.models import OrgUnit, Sector, User
from districts.second_factor import force_login_verified
from hazards.models import Grade, Hazard, Source, Status, deadline_today
from hazards.notices import rectification_notice_pdf

PAGES = ["/hazards/", "/hazards/?queue=overdue", "/hazards/?q=隐患", "/hazards/?page=20"]


class Command(BaseCommand):
    help = "Seed N benchmark hazards (bulk, on top of load_demo), then time the hazard list and one notice."

    def add_arguments(self, parser):
        parser.add_argument("--hazards", type=int, default=0, help="Benchmark hazards to add first (bulk insert).")
        parser.add_argument("--users", nargs="+", default=["wulin", "inspector", "office"])
        parser.add_argument("--repeat", type=int, default=5)

    def _seed(self, n: int) -> None:
        places = list(OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.GRID]))
        streets = {u.pk: u for u in OrgUnit.objects.filter(kind=OrgUnit.Kind.STREET)}
        sectors = list(Sector.objects.all())
        by = User.objects.get(username="inspector")
        today = deadline_today()
        now = timezone.now()
        statuses = [Status.REPORTED, Status.RECTIFYING, Status.RECTIFYING, Status.AWAITING_VERIFICATION, Status.CLOSED]
        year = today.year
        start = Hazard.objects.count()
        rows = []
        for i in range(n):
            place = places[i % len(places)]
            street = streets.get(place.parent_id) or streets.get(getattr(place.parent, "parent_id", None))
            status = statuses[i % len(statuses)]
            assigned = status != Status.REPORTED
            rows.append(
                Hazard(
                    number=f"YHBENCH-{year}-{start + i:07d}",
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
            )
        started = time.perf_counter()
        with transaction.atomic():
            Hazard.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"added {n} hazards in {time.perf_counter() - started:.1f} s")

    def handle(self, *args, **options):
        if options["hazards"]:
            self._seed(options["hazards"])
        self.stdout.write(
            f"{Hazard.objects.count()} hazards on {connection.vendor}; median of {options['repeat']} runs"
        )
        for username in options["users"]:
            client = signed_in_client(User.objects.get(username=username), login=force_login_verified)
            for url in PAGES:
                ms, queries = time_page(client, url, options["repeat"])
                self.stdout.write(f"  {username:<9} {url:<26} {ms:7.1f} ms  {queries:3d} queries")
        hazard = Hazard.objects.exclude(responsible_unit=None).exclude(number__startswith="YHBENCH").first()
        if hazard:
            times = []
            for _ in range(options["repeat"]):
                started = time.perf_counter()
                rectification_notice_pdf(hazard)
                times.append(time.perf_counter() - started)
            first, median = times[0] * 1000, statistics.median(times) * 1000
            self.stdout.write(f"  rectification notice: first {first:.0f} ms, median {median:.0f} ms")
