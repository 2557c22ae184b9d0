import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.lib.params import IdChoiceFilter, parse_int
from campaign.lib.widgets import YesNoAllSelect
from districts.models import OrgUnit, Sector, Site


class PlaceFilterSet(django_filters.FilterSet):
    """Base of the lists of things that sit at a place (sites, risks, hazards): a `unit` filter
    for everything under a place the user may see, and `user` for the subclass. The menu offers
    districts, streets and communities in tree order, indented; a district's hundreds of grids
    would make it unusable (and slow to draw), so a grid linked to from elsewhere is added when chosen."""

    unit = IdChoiceFilter(
        label=_("Street or community"), queryset=OrgUnit.objects.none(), method="under_unit", empty_label=_("All")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Any place the user may see filters the list, a grid too (the org tree links to them).
        self.filters["unit"].queryset = OrgUnit.objects.visible_to(user).filter(kind__in=OrgUnit.PLACE_KINDS)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            field = super().form.fields["unit"]
            offered = list(field.queryset.exclude(kind=OrgUnit.Kind.GRID).order_by("tree_id", "lft"))
            choices = [("", field.empty_label)] + [(u.pk, "　" * max(u.level - 1, 0) + u.name) for u in offered]
            chosen = parse_int((self.data or {}).get("unit"))
            if chosen is not None and chosen not in {u.pk for u in offered}:
                choices += [(g.pk, g.name) for g in field.queryset.filter(pk=chosen)]
            field.widget.choices = choices
        return self._form

    # Shown above the fold on a phone; the other filters fold under "More filters" (_list_filters.html).
    always_shown = ("q", "queue")

    @property
    def folded_fields(self) -> list:
        return [self.form[name] for name in self.form.fields if name not in self.always_shown]

    @property
    def folded_in_use(self) -> bool:
        """Whether a folded filter is set: then the fold opens, so that the user sees why the list is short."""
        folded = (name for name in self.form.fields if name not in self.always_shown)
        return any(self.data.get(name) not in (None, "", "unknown") for name in folded)

    def under_unit(self, queryset, name, unit):
        if not unit:
            return queryset
        return queryset.filter(unit__tree_id=unit.tree_id, unit__lft__gte=unit.lft, unit__rght__lte=unit.rght)


class SiteFilter(PlaceFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = IdChoiceFilter(
        label=_("Org unit"), queryset=OrgUnit.objects.none(), method="under_unit", empty_label=_("All")
    )
    sector = IdChoiceFilter(label=_("Sector"), queryset=Sector.objects.all(), empty_label=_("All"))
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Site.Category.choices, empty_label=_("All"))
    is_major_hazard_source = django_filters.BooleanFilter(label=_("Major hazard source"), widget=YesNoAllSelect)

    class Meta:
        model = Site
        fields = ["q", "unit", "sector", "category", "is_major_hazard_source"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__iexact=value) | Q(address__icontains=value))
