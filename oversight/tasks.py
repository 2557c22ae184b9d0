"""The Celery tasks of the rollups: the scheduled rebuilds of every district with a campaign
(oversight/schedule.py). A rebuild may run twice or at once with another: rebuild() serialises
them per district and replaces the rows, so the figures end the same."""

import logging

from celery import shared_task

from campaign.models import Campaign
from districts.models import OrgUnit
from oversight.rollups import rebuild

logger = logging.getLogger(__name__)


def districts_with_campaigns():
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT, pk__in=Campaign.objects.values("district"))


@shared_task(name="oversight.tasks.rebuild_rollups", ignore_result=True)
def rebuild_rollups(full: bool = False) -> list[dict]:
    """Rebuild every district's rollups: only what changed (every two minutes), or all (nightly)."""
    results = []
    for district in districts_with_campaigns():
        try:
            result = rebuild(district, full=full)
        except Exception:
            # One district's failure leaves the others' figures fresh; the next run tries again.
            logger.exception("rollups of %s could not be rebuilt", district.code)
            continue
        logger.info("rollups of %s: %s", district.code, result)
        results.append({"district": district.pk, **result.as_report()})
    return results
