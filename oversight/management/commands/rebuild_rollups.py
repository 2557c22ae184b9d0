from django.core.management.base import BaseCommand, CommandError

from districts.models import OrgUnit
from oversight.rollups import rebuild
from oversight.tasks import districts_with_campaigns


class Command(BaseCommand):
    help = "Rebuild the rollups (the dashboards' figures): what changed since the last build, or everything."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Count everything again from the records.")
        parser.add_argument("--district", help="The district's code (default: every district with a campaign).")

    def handle(self, *args, full=False, district=None, **options):
        districts = districts_with_campaigns()
        if district:
            districts = OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT, code=district)
            if not districts:
                raise CommandError(f"no district with the code {district}")
        for unit in districts:
            result = rebuild(unit, full=full)
            kind = "full" if result.full else "incremental"
            self.stdout.write(
                f"{unit.code} {unit.name}: {kind}, {result.units} units, {result.written} rows written, "
                f"{result.deleted} deleted, {result.seconds:.2f} s"
            )
