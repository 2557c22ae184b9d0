# The events logged since a moment, by time: the rollups read again those of the minutes before
# their last rebuild. Built in the migration's transaction: at four million events it holds
# writes to them for some seconds.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0004_hazard_risk_historicalhazard_risk"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="hazardevent",
            index=models.Index(fields=["at"], name="hazards_haz_at_6b2942_idx"),
        ),
    ]
