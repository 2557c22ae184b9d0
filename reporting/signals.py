"""Periods follow their campaign and their report type: a campaign saved (by
load_plan, the back office or the demo) or a report type changed brings the
calendar up to date in the same transaction. The campaign app cannot call
reporting (imports run one way), so reporting listens."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from campaign.models import Campaign
from reporting.defaults import install
from reporting.models import ReportType
from reporting.services import periods_generate


@receiver(post_save, sender=Campaign, dispatch_uid="reporting_campaign_periods")
def campaign_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    # The shipped types come with the migrations; a flushed test database gets them back here.
    if not ReportType.objects.exists():
        install(ReportType)
    periods_generate(campaign=instance)


@receiver(post_save, sender=ReportType, dispatch_uid="reporting_type_periods")
def report_type_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    for campaign in Campaign.objects.all():
        periods_generate(campaign=campaign, report_types=[instance])
