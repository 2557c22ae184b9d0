import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.lib.params import IdChoiceFilter
from districts.models import OrgUnit
from reporting.models import Period, ReportType, Status, Submission


class SubmissionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title contains"), field_name="title", lookup_expr="icontains")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("All"))
    report_type = IdChoiceFilter(
        label=_("Report type"),
        field_name="period__report_type",
        queryset=ReportType.objects.all(),
        empty_label=_("All"),
    )
    # Set by the calendar's links to a cell with several reports.
    unit = IdChoiceFilter(label=_("Unit"), queryset=OrgUnit.objects.all(), widget=forms.HiddenInput)
    period = IdChoiceFilter(label=_("Period"), queryset=Period.objects.all(), widget=forms.HiddenInput)

    class Meta:
        model = Submission
        fields = ["q", "status", "report_type", "unit", "period"]
