import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.lib.widgets import YesNoAllSelect
from districts.models import OrgUnit, Sector
from risks.models import AccidentType, Level, RiskPoint


class RiskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = django_filters.ModelChoiceFilter(
        label=_("Street or community"), queryset=OrgUnit.objects.none(), method="under_unit", empty_label=_("All")
    )
    sector = django_filters.ModelChoiceFilter(label=_("Sector"), queryset=Sector.objects.all(), empty_label=_("All"))
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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = OrgUnit.objects.visible_to(user).filter(kind__in=OrgUnit.PLACE_KINDS)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            field = super().form.fields["unit"]
            # Districts, streets and communities in tree order, indented; a grid linked to
            # from elsewhere is added when chosen, as on the site list.
            offered = list(field.queryset.exclude(kind=OrgUnit.Kind.GRID).order_by("tree_id", "lft"))
            choices = [("", field.empty_label)] + [(u.pk, "　" * max(u.level - 1, 0) + u.name) for u in offered]
            chosen = (self.data or {}).get("unit", "")
            if chosen.isdigit() and int(chosen) not in {u.pk for u in offered}:
                choices += [(g.pk, g.name) for g in field.queryset.filter(pk=chosen)]
            field.widget.choices = choices
        return self._form

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

    def under_unit(self, queryset, name, unit):
        if not unit:
            return queryset
        return queryset.filter(unit__tree_id=unit.tree_id, unit__lft__gte=unit.lft, unit__rght__lte=unit.rght)

    def review_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(status=RiskPoint.Status.ACTIVE, next_review_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
