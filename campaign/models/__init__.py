"""The campaign itself: its plan and targets, the accident register and yearly values that
measure the targets, and the key tasks per sector."""

from campaign.models.accidents import (
    SERIOUS_GRADES,
    Accident,
    AccidentGrade,
    AccidentQuerySet,
    InvestigationStatus,
    YearlyValue,
    grade_for,
)
from campaign.models.plan import Campaign, CampaignQuerySet, Target
from campaign.models.tasks import KeyTask, KeyTaskQuerySet, Milestone, TaskEvidence, TaskProgress

__all__ = [
    "SERIOUS_GRADES",
    "Accident",
    "AccidentGrade",
    "AccidentQuerySet",
    "Campaign",
    "CampaignQuerySet",
    "InvestigationStatus",
    "KeyTask",
    "KeyTaskQuerySet",
    "Milestone",
    "Target",
    "TaskEvidence",
    "TaskProgress",
    "YearlyValue",
    "grade_for",
]
