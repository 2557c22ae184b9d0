import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.lib.params import IdChoiceFilter
from campaign.models import Accident, AccidentGrade, InvestigationStatus
from campaign.selectors.accidents import accident_years
from districts.filters import PlaceFilterSet
from districts.models import Sector
from risks.models import AccidentType


class AccidentFilter(PlaceFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    year = django_filters.ChoiceFilter(label=_("Year"), method="in_year", choices=[], empty_label=_("All"))
    sector = IdChoiceFilter(label=_("Sector"), queryset=Sector.objects.all(), empty_label=_("All"))
    grade = django_filters.ChoiceFilter(label=_("Accident grade"), choices=AccidentGrade.choices, empty_label=_("All"))
    accident_type = django_filters.ChoiceFilter(
        label=_("Accident type"), choices=AccidentType.choices, empty_label=_("All")
    )
    investigation_status = django_filters.ChoiceFilter(
        label=_("Investigation"), choices=InvestigationStatus.choices, empty_label=_("All")
    )

    class Meta:
        model = Accident
        fields = ["q", "year", "unit", "sector", "grade", "accident_type", "investigation_status"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["year"].extra["choices"] = [(str(y), str(y)) for y in accident_years(user)]

    def in_year(self, queryset, name, value):
        return queryset.in_year(int(value)) if value else queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(summary__icontains=value) | Q(location__icontains=value) | Q(site__name__icontains=value)
        )
