"""The reminder rules the platform ships (installed by a data migration; the system admin changes
them in the back office). Every subject: 7, 3 and 1 days before, on the day, then every 3 days
for 30 days. A verification is due 7 days after the rectification is reported, an extension's
decision 3 days after it is asked."""

DEFAULT_RULES = [
    {"subject": "report_due", "recipients": ["filers"]},
    {"subject": "hazard_deadline", "recipients": ["responsible"]},
    {"subject": "extension_pending", "recipients": ["issuing"], "allowed_days": 3},
    {"subject": "hazard_verification", "recipients": ["issuing"], "allowed_days": 7},
    {"subject": "risk_review", "recipients": ["responsible"]},
    {"subject": "key_task", "recipients": ["responsible"]},
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


def install(ReminderRule) -> None:
    """Add the shipped rules that are missing; a rule already there is the admin's and is kept."""
    for rule in DEFAULT_RULES:
        ReminderRule.objects.get_or_create(subject=rule["subject"], defaults={**COMMON, **rule})
