"""The speed of the annual summary (issue 14), one figure a line as `name: value unit`.

    python manage.py bench_summary              # 1M hazards, 200k risks, 180 communities, 50k sites, 24 months
    python manage.py bench_summary --skip-seed --runs 5 --year 2025

On PostgreSQL, in a database of its own: it seeds what is missing up to the dashboards' volumes
(oversight.bench.seed, as bench_dashboard does; a rerun finds the rows there), brings the rollups
up to date (oversight.rollups.rebuild: incremental when it can, full when it must), makes the
district's summary of the year (services.summary_create, as the office's reviewer), then
- starts it as the office does (POST oversight:summary_start through Django's test client,
  signed in past the second factor; services.summary_start in this process, said so, while that
  view is not there) and runs the job it queued as a worker does (jobs.runner.run_job, in this
  process): one warm-up, then --runs timed, the narrative edited before each
  (services.narrative_save) so that each makes a new version (an unchanged summary is skipped);
- the start request's median and p95 over --requests in all (the jobs of the extra ones find
  nothing changed and are run too: their seconds are the skipping job's);
- the job's peak memory: the resident set's high-water mark (ru_maxrss) of a fresh process
  (`manage.py bench_summary --child-job N`, as a worker that has started and runs one job:
  Django and the apps loaded, no earlier job), and the Python heap's peak (tracemalloc) of one
  job in this process, which leaves out what C libraries (cairo, pango, harfbuzz) allocate.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from campaign.lib.bench import BenchCommand, percentile, signed_in_client
from campaign.lib.deadlines import deadline_today
from campaign.models import Campaign
from campaign.plan import DISTRICT_CODE
from districts.models import OrgUnit, User
from districts.second_factor import force_login_verified
from hazards.models import Hazard
from jobs import runner
from jobs.models import Job
from oversight.bench.common import OFFICE_USERNAME, Volumes, in_district
from oversight.bench.seed import seed
from oversight.summaries import services
from oversight.summaries.models import AnnualSummary, SummaryVersion
from risks.models import RiskPoint

# The request's language, and so the job's (its messages, the PDF's words): the office's.
LANGUAGE = "zh-hans"
# The line each run writes at the end of the narrative's first part: a new one makes a new version.
MARK = re.compile(r"\n*〔基准测试 \d+〕$")
CHILD_PREFIX = "child-job "
MB = 1024 * 1024


def rss_mb() -> float:
    """This process's resident set now (VmRSS), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    """This process's resident set high-water mark since it started (Linux: ru_maxrss in KB), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BenchCommand):
    help = "Seed the dashboards' benchmark volumes on PostgreSQL (if missing) and time the annual summary's job."

    def add_arguments(self, parser):
        Volumes.add_arguments(parser)
        parser.add_argument("--year", type=int, default=None, help="The summary's year (default: this year).")
        parser.add_argument("--runs", type=int, default=3, help="Timed jobs, each making a new version (default 3).")
        parser.add_argument(
            "--requests", type=int, default=20, help="Start requests timed in all, the runs' included (default 20)."
        )
        parser.add_argument("--skip-seed", action="store_true", help="Measure what is there; seed nothing.")
        parser.add_argument("--no-fresh-process", action="store_true", help="No child process: no peak RSS figure.")
        parser.add_argument("--no-tracemalloc", action="store_true", help="No traced job: no Python heap peak.")
        parser.add_argument("--profile", default="", help="Write a cProfile of the first timed job to this file.")
        # The fresh process's part: run this job as a worker would and print what it took, as JSON.
        parser.add_argument("--child-job", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["child_job"] is not None:
            return self._child(options["child_job"])
        started = self.begin()
        volumes = Volumes.from_options(options)
        if not options["skip_seed"]:
            figures = seed(volumes, out=self.note)
            self.figure("seed_total", figures["seed_total"], "s")
            for name in ("hazards_added", "risks_added", "reports_added"):
                self.figure(f"seed_{name}", int(figures[name]), "rows")
        district = OrgUnit.objects.filter(code=DISTRICT_CODE).first()
        if district is None:
            raise CommandError("No demo district: run without --skip-seed first.")
        campaign = Campaign.objects.filter(district=district).current()
        self.figure("rows_hazards", in_district(Hazard.objects, district).count(), "rows")
        self.figure("rows_risks", in_district(RiskPoint.objects, district).count(), "rows")
        self.figure(
            "communities", OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY, parent__parent=district).count(), "units"
        )
        self._rollups(district)

        office = User.objects.get(username=OFFICE_USERNAME)
        year = options["year"] or min(deadline_today(), campaign.ends_on).year
        summary = services.summary_create(by=office, unit=district, year=year)
        self.note(f"the summary of {district.name} for {year} (pk {summary.pk}), made by {office.username}")
        self.load()
        starter = self._starter(office, summary)

        # The first job of a process loads WeasyPrint, its fonts and the templates: not counted.
        warmup = self._make(summary, office, starter, "warm-up")
        self.figure("summary_job_first_seconds", warmup["seconds"], "s")

        runs = [
            self._make(summary, office, starter, f"run {n}", profile=options["profile"] if n == 1 else "")
            for n in range(1, options["runs"] + 1)
        ]
        pages = {run["pages"] for run in runs}
        if len(pages) != 1:
            self.note(f"the page count varied between runs: {sorted(pages)}")
        self.figure("summary_pdf_pages", runs[-1]["pages"], "pages")
        self.figure("summary_pdf_size", round(runs[-1]["pdf_bytes"] / 1024), "kB")
        self.figure("summary_job_seconds_median", statistics.median(r["seconds"] for r in runs), "s")
        self.figure("summary_job_seconds_max", max(r["seconds"] for r in runs), "s")
        # What the version records (the job's own clock: from its lock to the files stored).
        self.figure("summary_version_seconds_median", statistics.median(r["version_seconds"] for r in runs), "s")

        request_ms = [warmup["start_ms"], *(r["start_ms"] for r in runs)]
        request_ms += self._extra_starts(summary, office, starter, options["requests"] - len(request_ms))
        name = "summary_start_request" if starter.by_request else "summary_start_service"
        self.figure(f"{name}_median", statistics.median(request_ms), "ms")
        self.figure(f"{name}_p95", percentile(request_ms, 95), "ms")
        self.figure(f"{name}_max", max(request_ms), "ms")
        self.figure(f"{name}_queries", starter.queries, "queries")

        if not options["no_tracemalloc"]:
            self._traced(summary, office)
        if not options["no_fresh_process"]:
            self._fresh_process(summary, office)
        self.figure("bench_total", time.perf_counter() - started, "s")

    # ------------------------------------------------------------ rollups

    def _rollups(self, district: OrgUnit) -> None:
        """The rollups as of now: only what changed since the last build, or all of them on a new
        day, a new shape or a first build (rebuild decides), as the beat would have it."""
        from oversight.rollups import rebuild

        result = rebuild(district, full=False)
        self.figure("rollup_rebuild", result.seconds, "s")
        self.note(f"the rollups were rebuilt {'in full' if result.full else 'incrementally'} ({result.units} units)")

    # ------------------------------------------------------------ starting and running

    def _starter(self, office: User, summary: AnnualSummary) -> Starter:
        try:
            path = reverse("oversight:summary_start", args=[summary.pk])
        except NoReverseMatch:
            self.note(
                "oversight:summary_start is not there yet: timing services.summary_start in this process "
                "(no request, no middleware), the figures named summary_start_service_*"
            )
            return Starter(office, None)
        self.note(f"starting through POST {path} as {office.username}, past the second factor")
        return Starter(office, path)

    def _make(self, summary: AnnualSummary, office: User, starter: Starter, label: str, *, profile: str = "") -> dict:
        """Edit the narrative, start the job, run it as a worker does; what it took."""
        summary = self._edit(summary, office)
        job, start_ms = starter.start(summary)
        seconds = self._run(job, profile=profile)
        report = job.report or {}
        if job.state != Job.State.DONE or report.get("unchanged") or "pages" not in report:
            raise CommandError(f"{label}: the summary's job ended {job.state} without a new version: {report}")
        version = SummaryVersion.objects.get(summary=summary, version=report["version"])
        if seconds > settings.CELERY_TASK_SOFT_TIME_LIMIT:
            self.note(
                f"{label}: {seconds:.0f} s is past the workers' soft time limit "
                f"({settings.CELERY_TASK_SOFT_TIME_LIMIT} s): a worker would have stopped it and failed the job"
            )
        self.note(
            f"{label}: version {version.version}, {version.pdf_pages} pages, job {seconds:.2f} s "
            f"(the version says {version.seconds} s), start {start_ms:.1f} ms"
        )
        return {
            "seconds": seconds,
            "version_seconds": float(version.seconds),
            "pages": version.pdf_pages,
            "pdf_bytes": version.pdf.size,
            "start_ms": start_ms,
        }

    def _edit(self, summary: AnnualSummary, office: User) -> AnnualSummary:
        practices = MARK.sub("", summary.practices) + f"\n\n〔基准测试 {time.time_ns()}〕"
        return services.narrative_save(summary=summary, by=office, practices=practices)

    def _run(self, job: Job, *, profile: str = "") -> float:
        """Run the queued `job` in this process as a worker's task does; its wall-clock seconds."""
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        runner.run_job(job.pk, language=LANGUAGE)
        seconds = time.perf_counter() - started
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
            self.note(f"the profile of this job is in {profile} (python -m pstats {profile})")
        job.refresh_from_db()
        return seconds

    def _extra_starts(self, summary: AnnualSummary, office: User, starter: Starter, count: int) -> list[float]:
        """Start requests beyond the runs'; their jobs find the summary unchanged and make nothing."""
        if count <= 0:
            return []
        # Each run before the next start: a start while a job still waits returns that job
        # (the view's rule), and would time no start of a job of its own.
        timed, seconds = [], []
        for _n in range(count):
            job, ms = starter.start(summary)
            timed.append(ms)
            seconds.append(self._run(job))
            if job.state != Job.State.DONE or not (job.report or {}).get("unchanged"):
                raise CommandError(f"a job of an unchanged summary ended {job.state}: {job.report}")
        self.figure("summary_job_unchanged_seconds_median", statistics.median(seconds), "s")
        return timed

    # ------------------------------------------------------------ memory

    def _traced(self, summary: AnnualSummary, office: User) -> None:
        """One job under tracemalloc: the peak of what Python allocated (not the C libraries')."""
        summary = self._edit(summary, office)
        job = services.summary_start(summary=summary, by=office)
        tracemalloc.start()
        try:
            seconds = self._run(job)
            _now, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        if job.state != Job.State.DONE or "pages" not in (job.report or {}):
            raise CommandError(f"the traced job ended {job.state}: {job.report}")
        self.note(f"the traced job took {seconds:.2f} s (tracemalloc slows it)")
        self.figure("summary_job_tracemalloc_peak", peak / MB, "MB")

    def _fresh_process(self, summary: AnnualSummary, office: User) -> None:
        """One job in a new process, as a worker's: the resident set's high-water mark."""
        if connection.in_atomic_block:
            self.note("in a transaction (a test's): a fresh process would not see the job; no peak RSS figure")
            return
        summary = self._edit(summary, office)
        job = services.summary_start(summary=summary, by=office)
        db = connection.settings_dict
        auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
        url = f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"
        env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
        if settings.DEBUG:
            env["DEBUG"] = "true"
        command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "bench_summary", "--child-job", str(job.pk)]
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600, check=False)
        except subprocess.TimeoutExpired as error:
            raise CommandError(f"the fresh process's job took over {error.timeout} s") from error
        lines = [line for line in done.stdout.splitlines() if line.startswith(CHILD_PREFIX)]
        if done.returncode or not lines:
            raise CommandError(f"the fresh process failed ({done.returncode}): {done.stderr[-2000:]}")
        child = json.loads(lines[-1].removeprefix(CHILD_PREFIX))
        job.refresh_from_db()
        if job.state != Job.State.DONE or "pages" not in (job.report or {}):
            raise CommandError(f"the fresh process's job ended {job.state}: {job.report}")
        self.figure("summary_job_fresh_process_seconds", child["seconds"], "s")
        self.figure("summary_job_rss_before", child["rss_before_mb"], "MB")
        self.figure("summary_job_peak_rss", child["peak_rss_mb"], "MB")
        self.figure("summary_job_peak_rss_growth", child["peak_rss_mb"] - child["rss_before_mb"], "MB")

    def _child(self, job_id: int) -> None:
        """In the fresh process: run one job as a worker does, print its seconds and the RSS."""
        connection.ensure_connection()  # a worker's connection is open before its job
        before = rss_mb()
        started = time.perf_counter()
        runner.run_job(job_id, language=LANGUAGE)
        seconds = time.perf_counter() - started
        figures = {
            "seconds": round(seconds, 2),
            "rss_before_mb": round(before, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }
        self.stdout.write(CHILD_PREFIX + json.dumps(figures))


class Starter:
    """Starts a summary's job as the office does: POST to the start view (following nothing: the
    redirect names the job), or, while there is no view, services.summary_start in this process."""

    def __init__(self, office: User, path: str | None):
        self.office = office
        self.path = path
        self.by_request = path is not None
        self.queries = 0
        self.client = signed_in_client(office, login=force_login_verified) if path else None

    def start(self, summary: AnnualSummary) -> tuple[Job, float]:
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            if self.path is None:
                job = services.summary_start(summary=summary, by=self.office)
                ms = (time.perf_counter() - started) * 1000
            else:
                response = self.client.post(self.path, HTTP_ACCEPT_LANGUAGE=LANGUAGE)
                ms = (time.perf_counter() - started) * 1000
                job = self._job_of(response)
        self.queries = len(captured.captured_queries)
        if job.state != Job.State.QUEUED:
            raise CommandError(f"the summary's job was {job.state} once started, not queued: is a worker running?")
        return job, ms

    def _job_of(self, response) -> Job:
        if response.status_code not in (302, 303):
            raise CommandError(f"POST {self.path} answered {response.status_code}, not a redirect to the job")
        location = response["Location"]
        try:
            match = resolve(urlsplit(location).path)
        except Resolver404 as error:
            raise CommandError(f"POST {self.path} redirected to {location}, not a job's page") from error
        if "pk" not in match.kwargs:
            raise CommandError(f"POST {self.path} redirected to {location}, not a job's page")
        return Job.objects.get(pk=match.kwargs["pk"], kind=services.KIND)
