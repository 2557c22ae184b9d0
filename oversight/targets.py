"""The campaign's target progress on the dashboards, measured when the rollups are built.

campaign.targets measures a unit's progress from the accident register and the yearly values,
three queries a unit. A rebuild that may have changed it (a full one, or one that read a changed
target, yearly value or accident: oversight.changes) measures it for the district and each of
its streets, the units whose dashboards show the targets, and keeps it on the district's
RollupState. A dashboard reads it with the time the figures were built, in the query it makes
for that, and shows it "as of" the build like every other figure on the page.
"""

from __future__ import annotations

from campaign.models import Campaign
from campaign.targets import TargetProgress, progress_from_data, target_progress
from districts.models import OrgUnit

UNIT_KINDS = (OrgUnit.Kind.DISTRICT, OrgUnit.Kind.STREET)


def measure(campaign: Campaign | None, units: list[OrgUnit]) -> dict:
    """What RollupState.targets keeps: the progress of each district and street among `units`
    (the rebuild's), {"campaign": id, "units": {unit id: [TargetProgress.as_data()]}}. One query
    for the targets and two a unit."""
    if campaign is None:
        return {"campaign": None, "units": {}}
    targets = list(campaign.targets.all())
    return {
        "campaign": campaign.pk,
        "units": {
            str(unit.pk): [p.as_data() for p in target_progress(campaign, unit, targets=targets)]
            for unit in units
            if unit.kind in UNIT_KINDS
        },
    }


def measured(campaign: Campaign, unit: OrgUnit, data: dict | None) -> list[TargetProgress] | None:
    """The progress of `unit` as the last build measured it (`data`: RollupState.targets); None
    when it did not: no build since the progress was first kept, a build of another campaign, a
    street made since."""
    if not data or data.get("campaign") != campaign.pk:
        return None
    progress = data.get("units", {}).get(str(unit.pk))
    return None if progress is None else progress_from_data(campaign, progress)
