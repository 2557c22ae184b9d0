"""The campaign itself: its plan and targets, the accident register and yearly values that
measure the targets, and the key tasks per sector."""

from campaign.models.accidents import (
    GRADE_THRESHOLDS,
    MAX_PEOPLE,
    SERIOUS_GRADES,
    YEARLY_VALUE_KINDS,
    Accident,
    AccidentGrade,
    AccidentQuerySet,
    InvestigationStatus,
    YearlyValue,
    grade_for,
)
from campaign.models.plan import Campaign, CampaignQuerySet, Target, campaign_of_year
from campaign.models.tasks import KeyTask, KeyTaskQuerySet, Milestone, TaskEvidence, TaskProgress

__all__ = [
    "GRADE_THRESHOLDS",
    "MAX_PEOPLE",
    "SERIOUS_GRADES",
    "YEARLY_VALUE_KINDS",
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
    "campaign_of_year",
    "grade_for",
]
