import django_filters
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaign.lib.params import IdChoiceFilter
from campaign.lib.widgets import YesNoAllSelect
from districts.filters import PlaceFilterSet
from districts.models import Sector
from risks.models import (
    REASSESS_HAZARDS,
    REVIEW_DUE_WITHIN_DAYS,
    AccidentType,
    ControlRule,
    Level,
    RiskPoint,
    review_due_q,
    review_overdue_q,
)


class RiskFilter(PlaceFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    sector = IdChoiceFilter(label=_("Sector"), queryset=Sector.objects.all(), empty_label=_("All"))
    level = django_filters.ChoiceFilter(
        label=_("Level"), field_name="current_assessment__level", choices=Level.choices, empty_label=_("All")
    )
    # Active (on the register) or retired: the dashboards count the active ones.
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RiskPoint.Status.choices, empty_label=_("All"))
    accident_type = django_filters.ChoiceFilter(
        label=_("Accident type"), choices=AccidentType.choices, empty_label=_("All")
    )
    overdue = django_filters.BooleanFilter(label=_("Review overdue"), method="review_overdue", widget=YesNoAllSelect)
    review_due = django_filters.BooleanFilter(
        label=lazy(lambda: gettext("Review due within %(days)s days") % {"days": REVIEW_DUE_WITHIN_DAYS}, str)(),
        method="filter_review_due",
        widget=YesNoAllSelect,
    )
    # Read from the annotations of RiskQuerySet.with_control(), which the list's selector adds.
    control_level = django_filters.ChoiceFilter(
        label=_("Controlled at"),
        field_name="control_level_value",
        choices=ControlRule.ControlLevel.choices,
        empty_label=_("All"),
    )
    reassess = django_filters.BooleanFilter(
        label=_("Needs re-assessment"), method="needs_reassessment", widget=YesNoAllSelect
    )

    class Meta:
        model = RiskPoint
        fields = [
            "q",
            "unit",
            "sector",
            "level",
            "status",
            "control_level",
            "accident_type",
            "overdue",
            "review_due",
            "reassess",
        ]

    def needs_reassessment(self, queryset, name, value):
        if value is None:
            return queryset
        marked = Q(recent_hazards__gte=REASSESS_HAZARDS)
        return queryset.filter(marked) if value else queryset.exclude(marked)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(code__iexact=value)
            | Q(site__name__icontains=value)
            | Q(description__icontains=value)
        )

    def review_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(review_overdue_q()) if value else queryset.exclude(review_overdue_q())

    def filter_review_due(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(review_due_q()) if value else queryset.exclude(review_due_q())
