import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.lib.params import IdChoiceFilter
from campaign.lib.widgets import YesNoAllSelect
from districts.filters import PlaceFilterSet
from districts.models import Sector
from hazards.models import OPEN_STATUSES, Grade, Hazard, Source, Status, overdue_q
from hazards.selectors import QUEUES, queue_q, returned_q

QUEUE_LABELS = {
    "assign": _("To assign"),
    "rectify": _("To rectify"),
    "verify": _("To verify"),
    "overdue": _("Overdue"),
    "major": _("Major"),
}


class HazardFilter(PlaceFilterSet):
    queue = django_filters.ChoiceFilter(
        label=_("Queue"), choices=[(q, QUEUE_LABELS[q]) for q in QUEUES], method="in_queue", empty_label=_("All")
    )
    q = django_filters.CharFilter(label=_("Search"), method="search")
    sector = IdChoiceFilter(label=_("Sector"), queryset=Sector.objects.all(), empty_label=_("All"))
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=Grade.choices, empty_label=_("All"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("All"))
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices, empty_label=_("All"))
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue", widget=YesNoAllSelect)
    returned = django_filters.BooleanFilter(
        label=_("Rectification returned"), method="filter_returned", widget=YesNoAllSelect
    )
    # Open and listed for supervision (挂牌督办): what the dashboards count as listed major hazards.
    listed = django_filters.BooleanFilter(
        label=_("Listed for supervision, open"), method="filter_listed", widget=YesNoAllSelect
    )

    class Meta:
        model = Hazard
        fields = ["queue", "q", "unit", "sector", "grade", "status", "source", "overdue", "returned", "listed"]

    def in_queue(self, queryset, name, value):
        return queryset.filter(queue_q(self.user, value)) if value else queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(number__iexact=value)
            | Q(site__name__icontains=value)
            | Q(location__icontains=value)
            | Q(description__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())

    def filter_returned(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(returned_q()) if value else queryset.exclude(returned_q())

    def filter_listed(self, queryset, name, value):
        if value is None:
            return queryset
        listed = Q(listing__isnull=False, status__in=OPEN_STATUSES)
        return queryset.filter(listed) if value else queryset.exclude(listed)
