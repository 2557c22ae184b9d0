"""The speed of issue 13's assessments and bulletins, one figure a line as `name: value unit`:

    python manage.py bench_assessments [--repeat 20] [--only scoring,ranking,bulletin]

- scoring (assessments.bench): a 132-item template scored for 15 units: the scoring page's
  queries (with no item and with every item answered) and its median and p95 server time;
- ranking (oversight.bench.ranking): the ranking of 15 units over 24 months from the rollups;
- bulletin (oversight.bench.bulletin): a 6-page bulletin PDF rendered in its job.

Each part seeds what it needs in this (development, PostgreSQL) database. The parts are imported
one by one when they run: a part not there yet is named and skipped, the others still measured.
"""

from __future__ import annotations

import importlib
import time

from campaign.lib.bench import BenchCommand

PARTS = [
    ("scoring", "assessments.bench"),
    ("ranking", "oversight.bench.ranking"),
    ("bulletin", "oversight.bench.bulletin"),
]


class Command(BenchCommand):
    help = "Time the scoring page, the ranking and a bulletin's PDF (issue 13)."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20, help="Runs of each measurement (default 20).")
        parser.add_argument("--only", default="", help="Comma-separated parts: scoring, ranking, bulletin.")

    def handle(self, *args, repeat, only, **options):
        started = self.begin()
        wanted = {name.strip() for name in only.split(",") if name.strip()}
        for name, module_name in PARTS:
            if wanted and name not in wanted:
                continue
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise
                self.note(f"{name}: {module_name} is not there yet, skipped")
                continue
            part_started = time.perf_counter()
            module.run(self.figure, repeat=repeat)
            self.note(f"{name} took {time.perf_counter() - part_started:.1f} s")
        self.note(f"all took {time.perf_counter() - started:.1f} s")
