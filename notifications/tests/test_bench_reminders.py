"""manage.py bench_reminders runs end to end on a tiny seed and prints each figure on its own line
as `name: value unit` (its speed is measured by running it, never asserted in a test), leaving
nothing of its measuring behind."""

import io
import re

import pytest
from django.core.management import call_command

from notifications.models import EmailOutbox, Notification, Reminder

FIGURE = re.compile(r"^(?P<name>[a-z][a-z0-9_]*): (?P<value>-?\d+(\.\d+)?) (?P<unit>[a-z/]+)$")
NAMES = [
    "rows_hazards",
    "rows_hazards_open",
    "email_sent",
    "email_received_by_sink",
    "email_per_second",
    "sweep_first_seconds",
    "sweep_first_reminders",
    "sweep_first_queries_reading",
    "sweep_first_queries_per_batch_max",
    "sweep_seconds",
    "dry_run_seconds",
    "sweep_queries_reading_max",
    "sweep_queries_per_batch_min",
    "sweep_queries_per_batch_max",
    "bell_queries",
    "bell_median",
    "source_hazard_deadline_seconds",
    "bench_total",
]


@pytest.mark.django_db
def test_the_benchmark_seeds_a_tiny_district_and_prints_every_figure_as_name_value_unit(settings):
    settings.DEBUG = True  # it loads the demo accounts, as load_demo does only on a development database
    out = io.StringIO()
    call_command(
        "bench_reminders",
        hazards=400,
        open=120,
        risks=600,
        communities=0,
        sites=0,
        months=14,
        sweeps=2,
        emails=20,
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    figures = [line for line in lines if not line.startswith("# ")]
    assert [line for line in figures if not FIGURE.match(line)] == []
    values = {m["name"]: (float(m["value"]), m["unit"]) for m in map(FIGURE.match, figures)}
    assert [name for name in NAMES if name not in values] == []
    assert values["rows_hazards"] == (400, "rows")
    assert values["rows_hazards_open"][0] >= 120
    assert values["email_sent"] == values["email_received_by_sink"] == (20, "messages")
    assert values["email_per_second"][1] == "messages/s" and values["email_per_second"][0] > 0
    assert values["sweep_first_reminders"][0] > 0
    assert values["bell_queries"] == (1, "queries")
    assert values["sweep_queries_per_batch_min"][1] == "queries"
    # The measuring was rolled back: the demo's own reminders are all that stay.
    before = (Reminder.objects.count(), Notification.objects.count(), EmailOutbox.objects.count())
    call_command("bench_reminders", skip_seed=True, open=120, sweeps=1, emails=5, stdout=io.StringIO())
    assert (Reminder.objects.count(), Notification.objects.count(), EmailOutbox.objects.count()) == before
