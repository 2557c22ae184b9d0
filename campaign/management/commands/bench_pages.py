import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from districts.models import OrgUnit, Site, User

PAGES = ["/", "/units/", "/sites/", "/sites/?q=加油站", "/sites/?page=20"]


class Command(BaseCommand):
    help = "Time the main pages for demo users on the current database (run load_demo --scale first)."

    def add_arguments(self, parser):
        parser.add_argument("--users", nargs="+", default=["wulin", "yingji", "office"])
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, **options):
        self.stdout.write(
            f"{OrgUnit.objects.count()} org units, {Site.objects.count()} sites on {connection.vendor}; "
            f"median of {options['repeat']} runs"
        )
        for username in options["users"]:
            client = Client(HTTP_HOST="localhost")
            client.force_login(User.objects.get(username=username))
            for url in PAGES:
                times = []
                for _ in range(options["repeat"]):
                    reset_queries()
                    with CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        response = client.get(url)
                        times.append(time.perf_counter() - started)
                    assert response.status_code == 200, (url, response.status_code)
                self.stdout.write(
                    f"  {username:<8} {url:<22} {statistics.median(times) * 1000:7.1f} ms  {len(queries):3d} queries"
                )
