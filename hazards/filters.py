import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.lib.widgets import YesNoAllSelect
from districts.models import OrgUnit, Sector
from hazards.models import Grade, Hazard, Source, Status, overdue_q
from hazards.selectors import QUEUES, queue_q

QUEUE_LABELS = {
    "assign": _("To assign"),
    "rectify": _("To rectify"),
    "verify": _("To verify"),
    "overdue": _("Overdue"),
    "major": _("Major"),
}


class HazardFilter(django_filters.FilterSet):
    queue = django_filters.ChoiceFilter(
        label=_("Queue"), choices=[(q, QUEUE_LABELS[q]) for q in QUEUES], method="in_queue", empty_label=_("All")
    )
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = django_filters.ModelChoiceFilter(
        label=_("Street or community"), queryset=OrgUnit.objects.none(), method="under_unit", empty_label=_("All")
    )
    sector = django_filters.ModelChoiceFilter(label=_("Sector"), queryset=Sector.objects.all(), empty_label=_("All"))
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=Grade.choices, empty_label=_("All"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("All"))
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices, empty_label=_("All"))
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue", widget=YesNoAllSelect)

    class Meta:
        model = Hazard
        fields = ["queue", "q", "unit", "sector", "grade", "status", "source", "overdue"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["unit"].queryset = OrgUnit.objects.visible_to(user).filter(kind__in=OrgUnit.PLACE_KINDS)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            field = super().form.fields["unit"]
            # Streets and communities in tree order, indented; a grid linked to from elsewhere is added when chosen.
            offered = list(field.queryset.exclude(kind=OrgUnit.Kind.GRID).order_by("tree_id", "lft"))
            choices = [("", field.empty_label)] + [(u.pk, "　" * max(u.level - 1, 0) + u.name) for u in offered]
            chosen = (self.data or {}).get("unit", "")
            if chosen.isdigit() and int(chosen) not in {u.pk for u in offered}:
                choices += [(g.pk, g.name) for g in field.queryset.filter(pk=chosen)]
            field.widget.choices = choices
        return self._form

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

    def under_unit(self, queryset, name, unit):
        if not unit:
            return queryset
        return queryset.filter(unit__tree_id=unit.tree_id, unit__lft__gte=unit.lft, unit__rght__lte=unit.rght)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
