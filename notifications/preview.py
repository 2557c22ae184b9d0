"""The dry run: what the sweep would send on a given day (tomorrow, from the admin's page),
read by the sweep's own plan (notifications.sweep.plan: the same sources, keys, mutes and
scopes) and listed, never written: no notification, reminder or e-mail comes of it. The
reminders only: an event's notice goes out with the next sweep, minutes after the event, not on
a day to come."""

from __future__ import annotations

import datetime
from collections import Counter

from django.conf import settings
from django.utils import translation

from campaign.lib.batch import collection_paused
from notifications.sweep import plan

# The rows a dry run keeps for its page: the counts are of every row, the list of the first ones.
ROWS_SHOWN = 500


def preview(*, today: datetime.date) -> dict:
    """The report of a dry run of the sweep on `today`: its counts and the first ROWS_SHOWN
    reminders (person, kind, line, link, days from the deadline), in the digests' order."""
    with collection_paused():
        planned = plan(today=today)
    rows, kinds = [], Counter()
    # The lines as the digests would word them: in the platform's language.
    with translation.override(settings.LANGUAGE_CODE):
        for user, entries in planned.people:
            for entry in entries:
                if entry.rule is None:
                    continue
                kinds[entry.rule.subject] += 1
                if len(rows) < ROWS_SHOWN:
                    rows.append(
                        {
                            "person": str(user),
                            "username": user.get_username(),
                            "kind": entry.rule.subject,
                            "line": entry.due.line(today),
                            "url": entry.due.url,
                            "deadline": entry.due.deadline.isoformat(),
                            "offset": entry.offset,
                        }
                    )
    return {
        "day": today.isoformat(),
        "due": planned.result.due,
        "people": sum(1 for _user, entries in planned.people if any(e.rule for e in entries)),
        "reminders": sum(kinds.values()),
        "hidden": planned.result.hidden,
        "kinds": dict(kinds),
        "rows": rows,
    }
