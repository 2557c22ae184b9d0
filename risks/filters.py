import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.lib.params import IdChoiceFilter
from campaign.lib.widgets import YesNoAllSelect
from districts.filters import PlaceFilterSet
from districts.models import Sector
from risks.models import AccidentType, Level, RiskPoint, review_overdue_q


class RiskFilter(PlaceFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    sector = IdChoiceFilter(label=_("Sector"), queryset=Sector.objects.all(), empty_label=_("All"))
    level = django_filters.ChoiceFilter(
        label=_("Level"), field_name="current_assessment__level", choices=Level.choices, empty_label=_("All")
    )
    accident_type = django_filters.ChoiceFilter(
        label=_("Accident type"), choices=AccidentType.choices, empty_label=_("All")
    )
    overdue = django_filters.BooleanFilter(label=_("Review overdue"), method="review_overdue", widget=YesNoAllSelect)

    class Meta:
        model = RiskPoint
        fields = ["q", "unit", "sector", "level", "accident_type", "overdue"]

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
