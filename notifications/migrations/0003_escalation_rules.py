import django.core.validators
from django.db import migrations, models

import notifications.models

SUBJECTS = [
    ("report_due", "Report period due"),
    ("hazard_deadline", "Hazard rectification deadline"),
    ("extension_pending", "Extension awaiting a decision"),
    ("hazard_verification", "Hazard awaiting verification"),
    ("risk_review", "Risk review due"),
    ("key_task", "Key task due"),
    ("hazard_escalation", "Hazard overdue: escalated"),
    ("report_missing", "Report missing: escalated"),
    ("major_hazard_weekly", "Listed major hazards overdue: weekly"),
]
ESCALATE_AFTER = dict(
    blank=True,
    help_text=(
        "For an escalation: raised when the deadline is this many days past, then every "
        "“when overdue, every” days (0: once) until the overdue reminders stop. For a weekly "
        "digest: how many days overdue a subject must be on the digest's day."
    ),
    null=True,
    validators=[django.core.validators.MinValueValidator(1)],
    verbose_name="escalated when overdue by (days)",
)

DAYS_BEFORE = dict(
    blank=True,
    default=notifications.models.default_days_before,
    help_text="A reminder on each of these days before the deadline, e.g. [7, 3, 1].",
    validators=[notifications.models.validate_days_before],
    verbose_name="days before the deadline",
)


def install_escalations(apps, schema_editor):
    from notifications.defaults import install

    install(apps.get_model("notifications", "ReminderRule"))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_default_rules")]

    operations = [
        migrations.AddField(
            model_name="reminderrule", name="escalate_after_days", field=models.PositiveSmallIntegerField(**ESCALATE_AFTER)
        ),
        migrations.AddField(
            model_name="historicalreminderrule",
            name="escalate_after_days",
            field=models.PositiveSmallIntegerField(**ESCALATE_AFTER),
        ),
        migrations.AlterField(
            model_name="reminderrule", name="days_before", field=models.JSONField(**DAYS_BEFORE)
        ),
        migrations.AlterField(
            model_name="historicalreminderrule", name="days_before", field=models.JSONField(**DAYS_BEFORE)
        ),
        migrations.AlterField(
            model_name="reminderrule",
            name="subject",
            field=models.CharField(choices=SUBJECTS, max_length=30, unique=True, verbose_name="subject"),
        ),
        migrations.AlterField(
            model_name="historicalreminderrule",
            name="subject",
            field=models.CharField(choices=SUBJECTS, db_index=True, max_length=30, verbose_name="subject"),
        ),
        migrations.AlterField(
            model_name="reminder",
            name="kind",
            field=models.CharField(choices=SUBJECTS, max_length=30, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="mute",
            name="kind",
            field=models.CharField(choices=SUBJECTS, max_length=30, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="historicalmute",
            name="kind",
            field=models.CharField(choices=SUBJECTS, max_length=30, verbose_name="kind"),
        ),
        migrations.RunPython(install_escalations, migrations.RunPython.noop),
    ]
