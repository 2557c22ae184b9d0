from django.core.management.base import BaseCommand

from campaign.plan import load_plan
from districts.models import OrgUnit


class Command(BaseCommand):
    help = "Load Xiacheng's 2019–2020 plan: org tree, sectors and lead departments, campaign and targets. Idempotent."

    def handle(self, *args, **options):
        campaign = load_plan()
        counts = {k: OrgUnit.objects.filter(kind=k).count() for k in ("street", "community", "department")}
        self.stdout.write(
            self.style.SUCCESS(
                f"Plan loaded: {campaign.name}; {counts['street']} streets, "
                f"{counts['community']} communities, {counts['department']} departments."
            )
        )
