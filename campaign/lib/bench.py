"""Timing pages for the benchmark commands: the median of several requests and the query count."""

import statistics
import time

from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def signed_in_client(user, login=None) -> Client:
    """A test client signed in as `user`; `login(client, user)` signs in another way (past a second factor)."""
    client = Client(HTTP_HOST="localhost")
    (login or Client.force_login)(client, user)
    return client


def time_page(client: Client, url: str, repeat: int) -> tuple[float, int]:
    """(median milliseconds, queries of the last request) for GET `url`; a page that is not 200 stops the run."""
    times, count = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        count = len(queries)
    return statistics.median(times) * 1000, count
