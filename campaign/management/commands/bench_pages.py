from django.core.management.base import BaseCommand
from django.db import connection

from campaign.lib.bench import signed_in_client, time_page
from districts.models import OrgUnit, Site, User
from districts.second_factor import force_login_verified

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
            client = signed_in_client(User.objects.get(username=username), login=force_login_verified)
            for url in PAGES:
                ms, queries = time_page(client, url, options["repeat"])
                self.stdout.write(f"  {username:<8} {url:<22} {ms:7.1f} ms  {queries:3d} queries")
