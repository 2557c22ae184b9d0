"""The reminder rules the platform ships (installed by data migrations; the system admin changes
them in the back office). Every reminder: 7, 3 and 1 days before, on the day, then every 3 days
for 30 days (a bulletin not acknowledged: from 3 days after its publication, then every 3 days).
A verification is due 7 days after the rectification is reported, an extension's decision 3 days
after it is asked.

The escalations (never muted): a hazard overdue by 3 days goes to the side that issued or
supervises it and to the office, again every 7 days while it stays overdue (to 30 days); a report
missing 3 days after its due date goes to the office, again every 7 days (to 30 days); a hazard
listed for supervision and overdue goes into the leading group's list every Monday, for a year."""

DEFAULT_RULES = [
    {"subject": "report_due", "recipients": ["filers"]},
    {"subject": "hazard_deadline", "recipients": ["responsible"]},
    {"subject": "extension_pending", "recipients": ["issuing"], "allowed_days": 3},
    {"subject": "hazard_verification", "recipients": ["issuing"], "allowed_days": 7},
    {"subject": "risk_review", "recipients": ["responsible"]},
    {"subject": "key_task", "recipients": ["responsible"]},
    # A bulletin not acknowledged: to the recipient unit from the 3rd day after its publication, then
    # every 3 days (to 30), until the unit acknowledges it.
    {
        "subject": "bulletin_unacknowledged",
        "recipients": ["responsible"],
        "allowed_days": 3,
        "days_before": [],
        "on_the_day": True,
    },
]
COMMON = {
    "enabled": True,
    "days_before": [7, 3, 1],
    "on_the_day": True,
    "overdue_every_days": 3,
    "overdue_for_days": 30,
    "email": True,
    "escalation": False,
}

ESCALATION = {"days_before": [], "on_the_day": False, "escalation": True, "escalate_after_days": 3}
DEFAULT_RULES += [
    {"subject": "hazard_escalation", "recipients": ["issuing", "office"], **ESCALATION, "overdue_every_days": 7},
    {"subject": "report_missing", "recipients": ["office"], **ESCALATION, "overdue_every_days": 7},
    {
        "subject": "major_hazard_weekly",
        "recipients": ["leading_group"],
        **ESCALATION,
        "escalate_after_days": 1,
        "overdue_every_days": 0,
        "overdue_for_days": 365,
    },
]


def install(ReminderRule) -> None:
    """Add the shipped rules that are missing; a rule already there is the admin's and is kept.
    Given a migration's model, only the subjects and fields it knows (0002 installed the first
    six rules, 0003 the escalations)."""
    subjects = {value for value, _label in ReminderRule._meta.get_field("subject").choices}
    fields = {f.name for f in ReminderRule._meta.concrete_fields}
    for rule in DEFAULT_RULES:
        if rule["subject"] not in subjects:
            continue
        values = {name: value for name, value in {**COMMON, **rule}.items() if name in fields}
        ReminderRule.objects.get_or_create(subject=rule["subject"], defaults=values)
