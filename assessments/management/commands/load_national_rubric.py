"""Load the national rubric (campaign/data/national-rubric-2019.json) as a scoring template."""

from pathlib import Path

from django.core.management.base import BaseCommand

from assessments import rubric


class Command(BaseCommand):
    help = "Load the national evaluation rubric (2019) as a scoring template; a second run changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=rubric.RUBRIC_FILE, help="the rubric's JSON file")
        parser.add_argument(
            "--fill-gaps",
            action="store_true",
            help="add an unverified item worth the difference wherever the items do not add up to their parent",
        )

    def handle(self, *args, file, fill_gaps, **options):
        loaded = rubric.load(file, fill_gaps=fill_gaps)
        t = loaded.template
        if loaded.action == "unchanged":
            self.stdout.write(f"unchanged: {t.code} v{t.version} is already as the file has it")
        else:
            verb = {"created": "created", "rebuilt": "rebuilt", "new_version": "new version"}[loaded.action]
            self.stdout.write(
                f"{verb}: {t.code} v{t.version}: {loaded.items} items, {loaded.rules} typed rules, "
                f"{loaded.unverified} to be verified (待核实)"
            )
        if loaded.problems:
            self.stdout.write(f"not usable until completed ({len(loaded.problems)}):")
            for problem in loaded.problems:
                self.stdout.write(f"  {problem}")
