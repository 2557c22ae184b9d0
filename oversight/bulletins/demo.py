"""The demo's bulletin: the office's bulletin on the last whole quarter (or the campaign's months
of it), published through the services with its PDF, acknowledged by 武林街道 and 区应急管理局; the
other streets and departments have not yet (the office's list shows them)."""

from __future__ import annotations

import datetime

from districts.models import User
from oversight.bulletins import documents, services
from oversight.bulletins.models import Bulletin
from oversight.periods import add_months, month_end

ACKNOWLEDGING = ("wulin", "yingji")


def last_quarter(campaign, today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    quarter = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    start, end = add_months(quarter, -3), quarter - datetime.timedelta(days=1)
    start = max(start, campaign.starts_on.replace(day=1))
    if start > end:  # the campaign began this quarter: its months so far but this one
        start, end = campaign.starts_on.replace(day=1), month_end(add_months(today.replace(day=1), -1))
    return (start, end) if start <= end else None


def load_demo_bulletin(*, campaign, today: datetime.date) -> Bulletin | None:
    office = User.objects.filter(username="office").first()
    period = last_quarter(campaign, today)
    if office is None or period is None:
        return None
    start, end = period
    existing = Bulletin.objects.filter(campaign=campaign, period_start=start, period_end=end).first()
    if existing is not None:
        return existing
    bulletin = services.bulletin_create(by=office, campaign=campaign, start=start, end=end)
    services.bulletin_approve(bulletin=bulletin, by=office)
    version = services.bulletin_publish(bulletin=bulletin, by=office)
    # Rendered here too: the demo's bulletin has its PDF whether or not a worker runs (the job
    # started by the publication finds it there and renders nothing).
    documents.store_pdf(version, documents.render_version_pdf(version))
    bulletin.refresh_from_db()
    for username in ACKNOWLEDGING:
        user = User.objects.filter(username=username).first()
        if user is not None and services.recipient_units_of(user, bulletin):
            services.bulletin_acknowledge(bulletin=bulletin, by=user)
    return bulletin
