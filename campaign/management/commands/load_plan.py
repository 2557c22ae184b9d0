from django.core.management.base import BaseCommand

from campaign.plan import load_plan
from districts.models import OrgUnit
from districts.structure import CITY_COMMUNITIES, load_city


class Command(BaseCommand):
    help = (
        "Load Xiacheng's 2019–2020 plan: org tree, sectors and lead departments, campaign and targets; "
        "with --city, the whole of Hangzhou as it stood in 2020 around it. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--city",
            action="store_true",
            help="Also load Hangzhou's 13 districts and 196 township-level units (2020 statistical codes), "
            "each district's office, leading group and sector departments, the city's office and leading "
            "group, and generated communities.",
        )
        parser.add_argument(
            "--communities",
            type=int,
            default=CITY_COMMUNITIES,
            help=f"With --city: communities in the whole city (default {CITY_COMMUNITIES:,}).",
        )

    def handle(self, *args, **options):
        campaign = load_plan()
        if options["city"]:
            load_city(options["communities"])
        counts = {k: OrgUnit.objects.filter(kind=k).count() for k in ("district", "street", "community", "department")}
        self.stdout.write(
            self.style.SUCCESS(
                f"Plan loaded: {campaign.name}; {counts['district']} districts, {counts['street']} streets, "
                f"{counts['community']} communities, {counts['department']} departments."
            )
        )
