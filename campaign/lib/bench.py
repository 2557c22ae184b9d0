"""Timing pages for the benchmark commands: the median of several requests and the query count."""

import math
import os
import statistics
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext


class BenchCommand(BaseCommand):
    """A benchmark command (`manage.py bench_*`): each figure on its own line as `name: value
    unit`, every other line a note starting with `#`. It seeds and measures a development database
    of its own on PostgreSQL: begin() refuses anything else."""

    # Units whose figures are printed to one decimal place (the rest to two).
    ONE_DECIMAL = ("ms",)

    def figure(self, name: str, value, unit: str) -> None:
        if isinstance(value, float):
            value = f"{value:.1f}" if unit in self.ONE_DECIMAL else f"{value:.2f}"
        self.stdout.write(f"{name}: {value} {unit}")

    def note(self, text: str) -> None:
        """A line that is not a figure: for the reader, never `name: value unit`."""
        self.stdout.write(f"# {text}")

    def load(self) -> None:
        """The machine's load, as a note: the figures of a busy machine are not a quiet one's."""
        one, five, fifteen = os.getloadavg()
        self.note(f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores")

    def begin(self) -> float:
        """Refuse a production or non-PostgreSQL database; note which one is measured, and the
        load. Returns the start time (time.perf_counter)."""
        from django.db import connection

        if not settings.DEBUG:
            raise CommandError(
                "DEBUG is off: the benchmark loads the demo accounts, so it runs on a development database."
            )
        if connection.vendor != "postgresql":
            raise CommandError(
                f"The benchmark seeds in bulk with PostgreSQL's generate_series; this database is "
                f"{connection.vendor}. Set DATABASE_URL=postgres://… to a database of its own."
            )
        started = time.perf_counter()
        self.note(f"database {connection.settings_dict['NAME']}, {connection.vendor}")
        self.load()
        return started


def signed_in_client(user, login=None) -> Client:
    """A test client signed in as `user`; `login(client, user)` signs in another way (past a second factor)."""
    client = Client(HTTP_HOST="localhost")
    (login or Client.force_login)(client, user)
    return client


def percentile(values, p: float) -> float:
    """The nearest-rank percentile: the smallest value at or above p % of them (p95 of 20 is the 19th)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass(frozen=True)
class PageSamples:
    ms: list[float]  # wall-clock milliseconds, one per request, in order
    queries: list[list[str]]  # the SQL of each request
    cpu_ms: list[float]  # this process's CPU time per request (what a busy machine's other work does not add)
    sql_ms: list[float]  # the time its queries took, as the connection measured them
    query_ms: list[list[float]] = ()  # each request's queries' times, in the order of `queries`

    @property
    def median(self) -> float:
        return statistics.median(self.ms)

    def percentile(self, p: float) -> float:
        return percentile(self.ms, p)


def sample_page(client: Client, url: str, repeat: int, *, warmup: int = 0) -> PageSamples:
    """GET `url` `warmup` times untimed, then `repeat` times timed, keeping each request's
    milliseconds and SQL; a page that is not 200 stops the run."""
    ms, queries, cpu_ms, sql_ms, query_ms = [], [], [], [], []
    for n in range(warmup + repeat):
        # With DEBUG on, the connection keeps the last 9,000 queries; once full, a capture counts none.
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        if n >= warmup:
            ms.append(elapsed * 1000)
            cpu_ms.append(cpu * 1000)
            queries.append([q["sql"] for q in captured.captured_queries])
            query_ms.append([float(q["time"]) * 1000 for q in captured.captured_queries])
            sql_ms.append(sum(query_ms[-1]))
    return PageSamples(ms, queries, cpu_ms, sql_ms, query_ms)


def time_page(client: Client, url: str, repeat: int) -> tuple[float, int]:
    """(median milliseconds, queries of the last request) for GET `url`; a page that is not 200 stops the run."""
    samples = sample_page(client, url, repeat)
    return samples.median, len(samples.queries[-1])
