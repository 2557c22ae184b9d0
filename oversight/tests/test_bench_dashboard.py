"""manage.py bench_dashboard runs end to end on a tiny seed and prints each figure on its own
line as `name: value unit` (its speed is measured by running it, never asserted in a test)."""

import io
import re

import pytest
from django.core.management import call_command

FIGURE = re.compile(r"^(?P<name>[a-z][a-z0-9_]*): (?P<value>-?\d+(\.\d+)?) (?P<unit>[a-z/]+)$")


@pytest.mark.django_db
def test_the_benchmark_seeds_a_tiny_district_and_prints_every_figure_as_name_value_unit(settings):
    settings.DEBUG = True  # it loads the demo accounts, as load_demo does only on a development database
    out = io.StringIO()
    call_command(
        "bench_dashboard",
        hazards=400,
        risks=600,
        communities=0,
        sites=0,
        months=14,
        runs=3,
        rebuilds=1,
        changed=6,
        skip_browser=True,
        no_wait=True,  # the demo's hazards were just logged: no waiting for them to age
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    figures = [line for line in lines if not line.startswith("# ")]
    assert figures
    assert [line for line in figures if not FIGURE.match(line)] == []
    values = {m["name"]: (float(m["value"]), m["unit"]) for m in map(FIGURE.match, figures)}
    # The volumes asked for are there, the demo's own hazards and risks counting toward them.
    assert values["rows_hazards"] == (400, "rows")
    assert values["rows_risks"] == (600, "rows")
    assert values["campaign_months"] == (14, "months")
    assert 0 < values["seed_hazards_added"][0] < 400
    assert 0 < values["seed_risks_added"][0] < 600
    assert values["rows_hazard_events"][0] >= 400  # each hazard's timeline starts with its logging
    for name in ("dashboard_median", "dashboard_p95"):
        assert values[name][1] == "ms" and values[name][0] > 0
    assert values["dashboard_queries_400"][1] == values["dashboard_queries_10"][1] == "queries"
    assert values["rollup_full_rebuild"][1] == values["rollup_incremental_6"][1] == "s"
    assert values["rollup_incremental_6_one_community"][1] == "s"
    assert values["rollup_rows"][0] > 0

    # A second run finds the volumes there and adds nothing.
    again = io.StringIO()
    call_command(
        "bench_dashboard", hazards=400, risks=600, communities=0, sites=0, months=14, seed_only=True, stdout=again
    )
    assert "seed_hazards_added: 0 rows" in again.getvalue().splitlines()
    assert "seed_risks_added: 0 rows" in again.getvalue().splitlines()
