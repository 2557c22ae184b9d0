from django.db import migrations


def install_defaults(apps, schema_editor):
    from reporting.defaults import install
    from reporting.periods import periods_of

    ReportType = apps.get_model("reporting", "ReportType")
    Period = apps.get_model("reporting", "Period")
    Campaign = apps.get_model("campaign", "Campaign")
    install(ReportType)
    # Campaigns that were there before reporting: give them their calendar.
    for campaign in Campaign.objects.all():
        for report_type in ReportType.objects.all():
            have = set(Period.objects.filter(campaign=campaign, report_type=report_type).values_list("key", flat=True))
            Period.objects.bulk_create(
                Period(campaign=campaign, report_type=report_type, **span.__dict__)
                for span in periods_of(report_type, campaign.starts_on, campaign.ends_on)
                if span.key not in have
            )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial"), ("campaign", "0002_initial")]

    operations = [migrations.RunPython(install_defaults, migrations.RunPython.noop)]
