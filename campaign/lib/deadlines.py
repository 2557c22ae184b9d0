"""The one time zone deadlines are judged in.

A deadline is a day in the district's own time, whatever the server's time zone:
a hazard's deadline, a report's due day, a risk's next review. That day has passed
once it has ended there."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

DEADLINE_TZ = ZoneInfo("Asia/Shanghai")


def deadline_today() -> datetime.date:
    """Today in the deadline time zone: a deadline before it has passed."""
    return timezone.localdate(timezone=DEADLINE_TZ)


def day_end(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` in the deadline time zone: whatever happened before it
    happened by the end of that day (the as-of rules of the records' querysets use it)."""
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=DEADLINE_TZ)
