"""The plan as written: Xiacheng's work plan for the 2019–2020 campaign.

load_plan() puts it in the database and can run any number of times: every
row is found by its code and brought back to what the plan says. The district's
structure (units, sectors, lead departments) is districts.structure's.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from campaign.models import Campaign, Target
from districts.structure import (  # noqa: F401 (the plan's names, imported from here too)
    CITY,
    DISTRICT_CODE,
    DIVISIONS_CSV,
    LEADING_GROUP,
    OFFICE,
    SECTORS,
    division_rows,
    load_district,
)
from risks.defaults import install as install_risk_defaults
from risks.models import AssessmentMethod, ControlRule, MethodVersion

CAMPAIGN_NAME = "下城区创建国家安全发展示范城市（2019—2020年）"
CAMPAIGN_DOCUMENT = "下城区贯彻落实杭州市创建国家安全发展示范城市三年行动计划（2018—2020年）"
CAMPAIGN_PERIOD = (datetime.date(2019, 2, 14), datetime.date(2020, 12, 31))
BASELINE_YEAR = 2016
TARGETS = [
    (Target.Indicator.DEATHS, Target.Kind.REDUCTION, Decimal("40")),
    (Target.Indicator.DEATHS_PER_GDP, Target.Kind.REDUCTION, Decimal("55")),
    (Target.Indicator.SERIOUS_ACCIDENTS, Target.Kind.CEILING, Decimal("0")),
]


@transaction.atomic
def load_plan() -> Campaign:
    district = load_district()
    campaign, _ = Campaign.objects.update_or_create(
        name=CAMPAIGN_NAME,
        defaults={
            "district": district,
            "starts_on": CAMPAIGN_PERIOD[0],
            "ends_on": CAMPAIGN_PERIOD[1],
            "baseline_year": BASELINE_YEAR,
            "document": CAMPAIGN_DOCUMENT,
        },
    )
    for indicator, kind, value in TARGETS:
        Target.objects.update_or_create(campaign=campaign, indicator=indicator, defaults={"kind": kind, "value": value})
    # The register's methods and graded-control rules come with the migrations; put back any
    # that are missing (a flushed test database), never overwriting an administrator's edits.
    install_risk_defaults(AssessmentMethod, MethodVersion, ControlRule)
    return campaign
