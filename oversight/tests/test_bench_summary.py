"""manage.py bench_summary runs end to end on a tiny seed and prints each figure on its own line
as `name: value unit` (its speed is measured by running it, never asserted in a test)."""

import io
import re

import pytest
from django.core.management import call_command

from jobs.models import Job
from oversight.summaries.models import AnnualSummary, SummaryVersion

FIGURE = re.compile(r"^(?P<name>[a-z][a-z0-9_]*): (?P<value>-?\d+(\.\d+)?) (?P<unit>[a-zA-Z/]+)$")


# Committed rows (transaction=True): the fresh process that measures a job's memory must see them.
@pytest.mark.django_db(transaction=True)
def test_the_benchmark_makes_a_version_each_run_and_prints_every_figure_as_name_value_unit(
    settings, tmp_path, monkeypatch
):
    settings.DEBUG = True  # it loads the demo accounts, as load_demo does only on a development database
    settings.MEDIA_ROOT = tmp_path
    sent = []
    # The jobs are run by the benchmark itself: no message for a worker of this checkout.
    monkeypatch.setattr("jobs.runner._publish", lambda job_id, language: sent.append(job_id))
    out = io.StringIO()
    call_command(
        "bench_summary",
        hazards=400,
        risks=600,
        communities=0,
        sites=0,
        months=14,
        runs=2,
        requests=5,
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    figures = [line for line in lines if not line.startswith("# ")]
    assert figures
    assert [line for line in figures if not FIGURE.match(line)] == []
    values = {m["name"]: (float(m["value"]), m["unit"]) for m in map(FIGURE.match, figures)}
    assert values["rows_hazards"] == (400, "rows")
    assert values["summary_pdf_pages"][1] == "pages" and values["summary_pdf_pages"][0] > 1
    for name in ("summary_job_seconds_median", "summary_job_first_seconds", "summary_job_unchanged_seconds_median"):
        assert values[name][1] == "s" and values[name][0] > 0
    start = "summary_start_request" if "summary_start_request_median" in values else "summary_start_service"
    assert values[f"{start}_median"][1] == values[f"{start}_p95"][1] == "ms"
    assert values[f"{start}_median"][0] <= values[f"{start}_p95"][0]
    assert values["summary_job_tracemalloc_peak"][1] == "MB"
    # A fresh process ran one job: its peak is above what it held before the job.
    assert values["summary_job_peak_rss"][1] == "MB"
    assert values["summary_job_peak_rss"][0] >= values["summary_job_rss_before"][0] > 0
    # The warm-up, each run, the traced job and the fresh process's each made a version; the
    # extra starts' jobs found nothing changed and made none.
    # (The demo's finished 2019 and 2020 summaries have their versions too: not the bench's.)
    bench = AnnualSummary.objects.get(year=int(re.search(r"# the summary of .* for (\d{4})", out.getvalue())[1]))
    assert SummaryVersion.objects.filter(summary=bench).count() == 1 + 2 + 1 + 1
    jobs = set(Job.objects.filter(params__summary=bench.pk).values_list("pk", flat=True))
    # One job and one message each: the warm-up, the 2 runs, the 2 extra starts (5 requests in
    # all, the warm-up's and the runs' included), the traced job and the fresh process's.
    assert len(jobs) == 1 + 2 + 2 + 1 + 1
    assert sorted(job for job in sent if job in jobs) == sorted(jobs)
