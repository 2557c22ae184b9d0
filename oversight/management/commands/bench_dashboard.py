"""The speed of the dashboards at volume (issue 11), one figure a line as `name: value unit`.

    python manage.py bench_dashboard            # 1M hazards, 200k risks, 180 communities, 50k sites, 24 months

On PostgreSQL, in a database of its own: it seeds what is missing up to the volumes asked for
(oversight.bench: load_demo, scale_up, then bulk SQL; a rerun finds the rows there and only
measures), then times
- the full rollup rebuild (median of --rebuilds) and the incremental one after --changed hazards
  were changed through the hazard services (median of --rebuilds, fresh changes each time);
- the district dashboard as the office's reviewer through Django's test client: median and
  p95 of --runs requests after a warm-up, and its query count, here and in a small district
  of ten hazards set up beside it (the same code, database and run);
- largest contentful paint of the dashboard in Chromium (Playwright, /usr/bin/chromium) against
  a live server thread: median of --loads page loads, each in a fresh browser context.
"""

from __future__ import annotations

import datetime
import random
import re
import statistics
import time

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Max
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from campaign.lib.bench import BenchCommand, percentile, sample_page, signed_in_client
from campaign.lib.deadlines import deadline_today
from campaign.models import Campaign
from campaign.plan import DISTRICT_CODE
from districts.models import OrgUnit, Site, User
from districts.second_factor import force_login_verified
from hazards.models import Hazard, HazardEvent, SupervisionListing
from oversight.bench.changes import change_hazards
from oversight.bench.common import OFFICE_USERNAME, Volumes, in_district, months_covered
from oversight.bench.seed import seed
from oversight.bench.small import small_district
from oversight.models import Rollup
from reporting.models import Submission
from risks.models import Assessment, Review, RiskPoint

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-sync"]
# The record tables a dashboard must never read (the issue: it reads the rollups).
RECORD_TABLES = re.compile(r'"(hazards_[a-z]+|risks_[a-z]+|reporting_submission[a-z]*)"')
LCP_SCRIPT = """() => new Promise((resolve) => {
    let last = null;
    new PerformanceObserver((list) => {
        const entries = list.getEntries();
        last = entries[entries.length - 1];
    }).observe({type: "largest-contentful-paint", buffered: true});
    setTimeout(() => {
        const nav = performance.getEntriesByType("navigation")[0];
        resolve({lcp: last ? last.startTime : null, ttfb: nav ? nav.responseStart : null});
    }, 500);
})"""


def volume_label(n: int) -> str:
    """10 → "10", 1000 → "1k", 1000000 → "1m": the suffix of a figure's name."""
    for size, suffix in ((1_000_000, "m"), (1_000, "k")):
        if n >= size and n % size == 0:
            return f"{n // size}{suffix}"
    return str(n)


class Command(BenchCommand):
    help = "Seed the dashboard benchmark's volumes on PostgreSQL (if missing) and print its speed figures."

    def add_arguments(self, parser):
        Volumes.add_arguments(parser)
        parser.add_argument("--runs", type=int, default=50, help="Timed dashboard requests (default 50).")
        parser.add_argument("--rebuilds", type=int, default=3, help="Full and incremental rebuilds timed (3).")
        parser.add_argument("--changed", type=int, default=100, help="Hazards changed before each incremental (100).")
        parser.add_argument("--loads", type=int, default=5, help="Page loads in Chromium for LCP (default 5).")
        parser.add_argument("--skip-seed", action="store_true", help="Measure what is there; seed nothing.")
        parser.add_argument("--skip-browser", action="store_true", help="No Chromium: no LCP figure.")
        parser.add_argument("--seed-only", action="store_true", help="Seed, print the volumes, measure nothing.")
        parser.add_argument(
            "--no-wait",
            action="store_true",
            help="Rebuild at once even if hazards changed within the rebuilds' overlap (the incremental "
            "figures then count those changes too).",
        )

    def handle(self, *args, **options):
        started = self.begin()
        volumes = Volumes.from_options(options)
        if not options["skip_seed"]:
            figures = seed(volumes, out=self.note)
            for name in ("seed_demo", "seed_hazards", "seed_risks", "seed_reports", "seed_vacuum", "seed_total"):
                self.figure(name, figures[name], "s")
            for name in ("hazards_added", "risks_added", "reports_added"):
                self.figure(f"seed_{name}", int(figures[name]), "rows")
            if figures["hazards_added"]:
                self.figure("seed_hazards_rate", round(figures["hazards_added"] / figures["seed_hazards"]), "rows/s")
        district = OrgUnit.objects.filter(code=DISTRICT_CODE).first()
        if district is None:
            raise CommandError("No demo district: run without --skip-seed first.")
        campaign = Campaign.objects.filter(district=district).current()
        self._volumes(district, campaign)
        if options["seed_only"]:
            return

        rebuild = self._rebuild()
        self._rollups(rebuild, district, options)
        label = volume_label(options["hazards"])
        self.load()
        queries = self._dashboard(OFFICE_USERNAME, options["runs"], label)
        small, reviewer = small_district(campaign)
        rebuild(small, full=True)
        small_queries = self._dashboard(reviewer.username, max(5, options["runs"] // 5), "10", timed=False)
        if small_queries != queries:
            self.note(f"the query count differs: {small_queries} at 10 hazards, {queries} at {label}")
        if not options["skip_browser"]:
            self._lcp(options["loads"])
        self.figure("bench_total", time.perf_counter() - started, "s")

    # ------------------------------------------------------------ volumes

    def _volumes(self, district: OrgUnit, campaign: Campaign) -> None:
        hazards = in_district(Hazard.objects, district)
        risks = in_district(RiskPoint.objects, district)
        self.figure("rows_hazards", hazards.count(), "rows")
        self.figure("rows_hazard_events", HazardEvent.objects.filter(hazard__in=hazards).count(), "rows")
        self.figure("rows_supervision_listings", SupervisionListing.objects.filter(hazard__in=hazards).count(), "rows")
        self.figure("rows_risks", risks.count(), "rows")
        self.figure("rows_risk_assessments", Assessment.objects.filter(risk__in=risks).count(), "rows")
        self.figure("rows_risk_reviews", Review.objects.filter(risk__in=risks).count(), "rows")
        self.figure("rows_submissions", Submission.objects.filter(period__campaign=campaign).count(), "rows")
        self.figure(
            "communities", OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY, parent__parent=district).count(), "units"
        )
        self.figure("sites", in_district(Site.objects, district).count(), "rows")
        self.figure("campaign_months", months_covered(campaign, deadline_today()), "months")

    # ------------------------------------------------------------ rollups

    def _rebuild(self):
        try:
            from oversight.rollups import rebuild
        except ImportError as error:
            raise CommandError(f"oversight.rollups.rebuild is not there yet ({error}): merge main first.") from error
        return rebuild

    def _settle(self) -> None:
        """Wait until the last hazard changed (by an earlier run) is older than the rebuilds'
        overlap (oversight.changes.OVERLAP): an incremental rebuild reads again what changed that
        shortly before the last rebuild began, and this run's figures are of this run's changes."""
        try:
            from oversight.changes import OVERLAP
        except ImportError:
            return
        latest = Hazard.history.model.objects.aggregate(at=Max("history_date"))["at"]
        if latest is None:
            return
        wait = (latest + OVERLAP + datetime.timedelta(seconds=10) - timezone.now()).total_seconds()
        if wait > 0:
            self.note(f"hazards changed {OVERLAP} ago or less: waiting {wait:.0f} s before the rebuilds")
            time.sleep(wait)

    def _rollups(self, rebuild, district: OrgUnit, options) -> None:
        if not options["no_wait"]:
            self._settle()
        full = []
        for _ in range(options["rebuilds"]):
            started = time.perf_counter()
            rebuild(district, full=True)
            full.append(time.perf_counter() - started)
        self.figure("rollup_full_rebuild", statistics.median(full), "s")
        self.figure("rollup_full_rebuild_max", max(full), "s")
        self.figure("rollup_rows", Rollup.objects.filter(unit__tree_id=district.tree_id).count(), "rows")

        rng = random.Random(11)  # noqa: S311 (which hazards change: the same every run)
        count = options["changed"]
        # Within one community first: a rebuild reads again what changed shortly before the last one
        # (oversight.rollups.OVERLAP), so these come before the spread changes, which would add units.
        community = (
            in_district(OrgUnit.objects, district, lookup="")
            .filter(kind=OrgUnit.Kind.COMMUNITY)
            .order_by("code")
            .first()
        )
        self._incremental(
            rebuild, district, community, count, options["rebuilds"], rng, f"rollup_incremental_{count}_one_community"
        )
        self._incremental(rebuild, district, district, count, options["rebuilds"], rng, f"rollup_incremental_{count}")
        self._vacuum_rollups()

    def _incremental(self, rebuild, district, within, count, rebuilds, rng, name) -> None:
        seconds, units = [], []
        for _ in range(rebuilds):
            changed = change_hazards(within, count, rng=rng)
            started = time.perf_counter()
            result = rebuild(district, full=False)
            seconds.append(time.perf_counter() - started)
            units.append(getattr(result, "units", 0))
            if getattr(result, "full", False):
                self.note(f"{name}: the rebuild asked for an incremental one ran a full one (a new day?)")
        self.note(
            f"{name}: each round changed through the hazard services under {within.name}: "
            + ", ".join(f"{n} {what}" for what, n in changed.items())
            + f"; units rebuilt per round {units}, seconds {[round(s, 2) for s in seconds]}"
        )
        self.figure(name, statistics.median(seconds), "s")
        # The first round reads only its own changes; later ones also those of the rounds before
        # that fall within the rebuild's overlap, as a beat every minute or two would.
        self.figure(f"{name}_first", seconds[0], "s")
        self.figure(f"{name}_max", max(seconds), "s")

    def _vacuum_rollups(self) -> None:
        """The rebuilds rewrote the rollup table: PostgreSQL's autovacuum would analyze it within a
        minute; where it is off (this server's is), the plans would read statistics of no rows."""
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            self.note(
                f"autovacuum is {cursor.fetchone()[0]}: VACUUM (ANALYZE) of the rollups before timing the dashboard"
            )
            started = time.perf_counter()
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"  # a test's transaction
            cursor.execute(f"{verb} {Rollup._meta.db_table}")
        self.figure("rollup_vacuum_analyze", time.perf_counter() - started, "s")

    # ------------------------------------------------------------ the dashboard

    def _dashboard_path(self) -> str:
        try:
            return reverse("oversight:dashboard")
        except NoReverseMatch as error:
            raise CommandError("The dashboard (oversight:dashboard) is not there yet: merge main first.") from error

    def _dashboard(self, username: str, runs: int, label: str, *, timed: bool = True) -> int:
        client = signed_in_client(User.objects.get(username=username), login=force_login_verified)
        samples = sample_page(client, self._dashboard_path(), runs, warmup=5)
        counts = {len(sql) for sql in samples.queries}
        if len(counts) != 1:
            self.note(f"the query count varied between requests at {label}: {sorted(counts)}")
        if timed:
            self.figure("dashboard_median", samples.median, "ms")
            self.figure("dashboard_p95", samples.percentile(95), "ms")
            self.figure("dashboard_max", max(samples.ms), "ms")
            # Where the time goes: Python in this process, and the database.
            self.figure("dashboard_cpu_median", statistics.median(samples.cpu_ms), "ms")
            self.figure("dashboard_sql_median", statistics.median(samples.sql_ms), "ms")
        queries = len(samples.queries[-1])
        self.figure(f"dashboard_queries_{label}", queries, "queries")
        reads = sorted({m.group(1) for sql in samples.queries[-1] for m in RECORD_TABLES.finditer(sql)})
        self.figure(
            f"dashboard_record_table_queries_{label}",
            sum(bool(RECORD_TABLES.search(s)) for s in samples.queries[-1]),
            "queries",
        )
        if reads:
            self.note(f"the dashboard at {label} read {', '.join(reads)}")
        return queries

    # ------------------------------------------------------------ the browser

    def _lcp(self, loads: int) -> None:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as error:
            raise CommandError("Playwright is missing (requirements-dev.txt), or pass --skip-browser.") from error
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.test.testcases import LiveServerThread

        # Signed in, past the second factor, before the browser starts: no ORM while it runs.
        client = signed_in_client(User.objects.get(username=OFFICE_USERNAME), login=force_login_verified)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        path = self._dashboard_path()
        server = LiveServerThread("localhost", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise CommandError(f"the live server did not start: {server.error}")
        base = f"http://localhost:{server.port}"
        lcp, ttfb = [], []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for n in range(loads + 1):  # the first load warms the server up and is not counted
                    context = browser.new_context(
                        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800}
                    )
                    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
                    page = context.new_page()
                    response = page.goto(base + path, wait_until="load")
                    if response is None or response.status != 200 or not page.url.endswith(path):
                        raise CommandError(f"the dashboard did not open in Chromium: {page.url}")
                    timing = page.evaluate(LCP_SCRIPT)
                    context.close()
                    if timing["lcp"] is None:
                        raise CommandError("Chromium reported no largest contentful paint for the dashboard")
                    if n:
                        lcp.append(timing["lcp"])
                        ttfb.append(timing["ttfb"])
                browser.close()
        finally:
            server.terminate()
            server.join()
        self.figure("dashboard_lcp_median", statistics.median(lcp), "ms")
        self.figure("dashboard_lcp_p95", percentile(lcp, 95), "ms")
        self.figure("dashboard_browser_ttfb_median", statistics.median(ttfb), "ms")
