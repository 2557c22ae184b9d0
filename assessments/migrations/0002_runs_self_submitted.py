from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="run",
            name="self_submitted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="self-assessment submitted at"),
        ),
        migrations.AddField(
            model_name="historicalrun",
            name="self_submitted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="self-assessment submitted at"),
        ),
    ]
