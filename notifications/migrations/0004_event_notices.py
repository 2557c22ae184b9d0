import django.db.models.deletion
from django.db import migrations, models

KINDS = [
    ("report_returned", "Report returned"),
    ("hazard_assigned", "Hazard assigned to your unit"),
    ("rectification_submitted", "Rectification awaiting verification"),
    ("rectification_returned", "Rectification returned"),
    ("report_due", "Report period due"),
    ("hazard_deadline", "Hazard rectification deadline"),
    ("extension_pending", "Extension awaiting a decision"),
    ("hazard_verification", "Hazard awaiting verification"),
    ("risk_review", "Risk review due"),
    ("key_task", "Key task due"),
]


class Migration(migrations.Migration):
    """Event notices: the event cursors, and a digest's line that is a notice (no rule, deadline
    or offset; its own unique key). No cursor row is made here: the first sweep starts each
    cursor at the newest event (notifications.events)."""

    dependencies = [("notifications", "0003_escalation_rules")]

    operations = [
        migrations.CreateModel(
            name="EventCursor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("source", models.CharField(max_length=30, unique=True, verbose_name="event source")),
                ("last_id", models.BigIntegerField(default=0, verbose_name="last id read")),
                ("pending", models.JSONField(blank=True, default=list, verbose_name="ids waited for")),
                ("version", models.PositiveIntegerField(default=0, verbose_name="version")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
            ],
            options={"verbose_name": "event cursor", "verbose_name_plural": "event cursors"},
        ),
        migrations.AlterField(
            model_name="reminder",
            name="rule",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="notifications.reminderrule",
                verbose_name="rule",
            ),
        ),
        migrations.AlterField(
            model_name="reminder",
            name="deadline",
            field=models.DateField(blank=True, null=True, verbose_name="deadline"),
        ),
        migrations.AlterField(
            model_name="reminder",
            name="offset",
            field=models.SmallIntegerField(blank=True, null=True, verbose_name="days from the deadline"),
        ),
        migrations.AlterField(
            model_name="reminder",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=30, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="mute",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=30, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="historicalmute",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=30, verbose_name="kind"),
        ),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.UniqueConstraint(
                condition=models.Q(("rule__isnull", True)), fields=("subject", "recipient"), name="one_notice_per_key"
            ),
        ),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("deadline__isnull", True), ("offset__isnull", True), ("rule__isnull", True)),
                    models.Q(("deadline__isnull", False), ("offset__isnull", False), ("rule__isnull", False)),
                    _connector="OR",
                ),
                name="reminder_or_notice",
            ),
        ),
    ]
