"""What the reminders benchmark (manage.py bench_reminders) needs beside oversight.bench's seed:
open hazards with deadlines around today, and an SMTP server on this machine to send to.

Open hazards: the seed's hazards stand as the dashboard benchmark left them (most closed, a few
stuck with deadlines long past). The `open` most recent assigned hazards of the district are put
under rectification with deadlines spread over today − 40 … today + 20 days (the n-th of them,
newest first, at n mod 61 − 40 days), in one UPDATE, every run: today moves, and a rerun on the
same day changes nothing. Benchmark data only: their timelines (HazardEvent) and the rollups'
counted rows are not brought along (a full rebuild recounts the figures).

The SMTP sink: the standard library's smtpd (deprecated since Python 3.6, removed in 3.12;
aiosmtpd is not installed here), run in a thread of this process, counting what it is handed."""

from __future__ import annotations

import datetime
import threading
import warnings

from django.db import connection

from districts.models import OrgUnit
from hazards.models import Hazard, Status
from oversight.bench.common import in_district

SPREAD_BEFORE, SPREAD_DAYS = 40, 61

_OPEN = f"""
WITH pick AS (
    SELECT h.id, row_number() OVER (ORDER BY h.id DESC) AS n
    FROM hazards_hazard h JOIN districts_orgunit u ON u.id = h.unit_id
    WHERE u.tree_id = %(tree)s AND u.lft >= %(lft)s AND u.rght <= %(rght)s
      AND h.responsible_unit_id IS NOT NULL AND h.assigned_at IS NOT NULL
      AND h.status IN ('rectifying', 'awaiting_verification', 'closed')
    ORDER BY h.id DESC
    LIMIT %(open)s
), placed AS (
    SELECT id, %(today)s::date + (mod(n, {SPREAD_DAYS}) - {SPREAD_BEFORE})::int AS deadline FROM pick
)
UPDATE hazards_hazard h
SET status = 'rectifying', deadline = p.deadline, rectified_at = NULL, closed_at = NULL, rectification = ''
FROM placed p
WHERE h.id = p.id
  AND (h.status <> 'rectifying' OR h.deadline IS DISTINCT FROM p.deadline OR h.rectified_at IS NOT NULL
       OR h.closed_at IS NOT NULL)
"""  # noqa: S608 (our own constants)


def open_hazards(district: OrgUnit, count: int, *, today: datetime.date) -> int:
    """Put `count` hazards of `district` under rectification with deadlines around `today`;
    returns how many rows changed."""
    with connection.cursor() as cursor:
        cursor.execute(
            _OPEN,
            {"tree": district.tree_id, "lft": district.lft, "rght": district.rght, "open": count, "today": today},
        )
        changed = cursor.rowcount
        if changed and not connection.in_atomic_block:
            cursor.execute(f"VACUUM (ANALYZE) {Hazard._meta.db_table}")
        elif changed:
            cursor.execute(f"ANALYZE {Hazard._meta.db_table}")  # a test's transaction
    return changed


def open_with_deadlines(district: OrgUnit, *, today: datetime.date, days: int = 30) -> int:
    """Hazards under rectification with a deadline within `days` of `today`."""
    window = datetime.timedelta(days=days)
    return (
        in_district(Hazard.objects, district)
        .filter(status=Status.RECTIFYING, deadline__gte=today - window, deadline__lte=today + window)
        .count()
    )


class SmtpSink:
    """An SMTP server on 127.0.0.1 (a free port) in a thread of this process, which accepts every
    message and counts it. `with SmtpSink() as sink: … sink.port … sink.received`."""

    def __init__(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import asyncore
            import smtpd
        self._asyncore = asyncore
        self.received = 0
        self._map: dict = {}
        sink = self

        class Server(smtpd.SMTPServer):
            # Its channels join the server's own socket map (smtpd passes it on), not asyncore's global one.
            def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
                sink.received += 1

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            self._server = Server(("127.0.0.1", 0), None, map=self._map, decode_data=False)
        self.port = self._server.socket.getsockname()[1]
        self._running = False
        self._thread = threading.Thread(target=self._loop, name="smtp-sink", daemon=True)

    def _loop(self) -> None:
        while self._running:
            self._asyncore.loop(timeout=0.05, use_poll=True, map=self._map, count=1)

    def __enter__(self) -> SmtpSink:
        self._running = True
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._running = False
        self._thread.join(5)
        self._asyncore.close_all(map=self._map)
