"""Seed a reporting calendar of a given size and time its pages: query count and milliseconds.

    python manage.py bench_reporting --units 180 --months 24

Runs in one transaction that is rolled back at the end (unless --keep), so the database is
left as it was. Needs the plan (load_plan or load_demo) for the district and its office."""

import datetime
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from campaign.lib.bench import signed_in_client, time_page
from campaign.lib.deadlines import DEADLINE_TZ
from campaign.models import Campaign
from campaign.plan import DISTRICT_CODE
from districts.models import Membership, OrgUnit, Role, User
from districts.second_factor import force_login_verified
from reporting.models import Period, Status, Submission

BENCH_CAMPAIGN = "报送日历基准测试"


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time the reporting calendar at a given number of filing units × months (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=180, help="Filing units (streets and departments) in all.")
        parser.add_argument("--months", type=int, default=24)
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--keep", action="store_true", help="Commit the seeded data instead of rolling back.")

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                self._run(options)
                if not options["keep"]:
                    raise Rollback
        except Rollback:
            self.stdout.write("rolled back")

    def _run(self, options):
        district = OrgUnit.objects.filter(code=DISTRICT_CODE).first()
        if district is None:
            raise CommandError("Load the plan first: python manage.py load_plan")
        started = time.perf_counter()
        units = self._units(district, options["units"])
        campaign = self._campaign(district, options["months"])
        office = self._office(district)
        reports = self._reports(campaign, units, office)
        self.stdout.write(
            f"seeded {len(units)} filing units × {options['months']} months, {reports} reports "
            f"in {time.perf_counter() - started:.1f} s on {connection.vendor}"
        )
        client = signed_in_client(office, login=force_login_verified)
        base = f"?campaign={campaign.pk}"
        pages = [
            ("calendar, monthly item", f"/reports/calendar/{base}&type=monthly_item"),
            ("calendar, quarterly", f"/reports/calendar/{base}&type=quarterly_progress"),
            ("compilation, a month", f"/reports/compilation/{base}&type=monthly_item"),
            ("submission list", "/reports/submissions/?status=submitted"),
        ]
        for label, url in pages:
            ms, count = time_page(client, url, options["repeat"])
            self.stdout.write(f"  {label:<24} {ms:8.1f} ms  {count:3d} queries")

    def _units(self, district, wanted: int) -> list[OrgUnit]:
        filers = list(OrgUnit.objects.filter(parent=district, kind__in=["street", "department"]))
        extra = wanted - len(filers)
        if extra > 0:
            new = [
                OrgUnit(
                    code=f"{DISTRICT_CODE}B{i:04d}",
                    name=f"基准街道{i}",
                    kind=OrgUnit.Kind.STREET,
                    parent=district,
                    tree_id=0,
                    lft=0,
                    rght=0,
                    level=0,
                )
                for i in range(extra)
            ]
            with OrgUnit.objects.disable_mptt_updates():
                OrgUnit.objects.bulk_create(new, batch_size=2000)
            OrgUnit.objects.rebuild()
            filers = list(OrgUnit.objects.filter(parent=district, kind__in=["street", "department"]))
        return filers

    def _campaign(self, district, months: int) -> Campaign:
        start = datetime.date(2019, 1, 1)
        year, month = divmod(months - 1, 12)
        last = datetime.date(start.year + year, month + 1, 28)
        end = (last + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
        campaign, _ = Campaign.objects.update_or_create(
            name=BENCH_CAMPAIGN,
            defaults={"district": district, "starts_on": start, "ends_on": end, "baseline_year": 2016},
        )
        return campaign

    def _reports(self, campaign, units, by) -> int:
        rng = random.Random(180 * 24)  # noqa: S311 (benchmark data)
        periods = list(Period.objects.filter(campaign=campaign).select_related("report_type"))
        rows = []
        for unit in units:
            for period in periods:
                roll = rng.random()
                if roll < 0.12:
                    continue  # missing
                status = Status.ACCEPTED if roll < 0.75 else Status.SUBMITTED if roll < 0.9 else Status.RETURNED
                late = rng.random() < 0.15
                day = period.due_on + datetime.timedelta(days=rng.randint(1, 5) if late else -rng.randint(0, 10))
                sent = datetime.datetime.combine(day, datetime.time(10), tzinfo=DEADLINE_TZ)
                rows.append(
                    Submission(
                        unit=unit,
                        period=period,
                        title=f"{unit.name}{period.key}",
                        body="基准测试正文",
                        status=status,
                        created_by=by,
                        first_submitted_at=sent,
                        submitted_at=sent,
                    )
                )
        Submission.objects.bulk_create(rows, batch_size=5000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE reporting_submission, reporting_period, districts_orgunit")
        return len(rows)

    def _office(self, district) -> User:
        office_unit = OrgUnit.objects.filter(parent=district, kind=OrgUnit.Kind.OFFICE).first()
        user, _ = User.objects.get_or_create(username="bench-office", defaults={"full_name": "基准测试审核员"})
        Membership.objects.get_or_create(user=user, unit=office_unit, role=Role.REVIEWER)
        return user
