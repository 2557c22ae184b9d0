import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.lib.params import IdChoiceFilter, parse_int
from campaign.lib.widgets import YesNoAllSelect
from campaign.models import Campaign
from campaign.models.tasks import KeyTask
from campaign.task_selectors import STATUSES, campaigns_for, lead_units_of, mine_q, status_q
from districts.models import OrgUnit, Sector

STATUS_LABELS = {
    "overdue": _("Overdue"),
    "due_soon": _("Due within 7 days"),
    "in_progress": _("In progress"),
    "done": _("Done"),
}


class KeyTaskFilter(django_filters.FilterSet):
    """The task list's filters. Without a campaign chosen, the list shows the user's current one
    (the one the home page counts)."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    campaign = IdChoiceFilter(label=_("Campaign"), queryset=Campaign.objects.none(), empty_label=None)
    sector = IdChoiceFilter(label=_("Sector"), queryset=Sector.objects.all(), empty_label=_("All"))
    lead_unit = IdChoiceFilter(label=_("Lead unit"), queryset=OrgUnit.objects.none(), empty_label=_("All"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=[(s, STATUS_LABELS[s]) for s in STATUSES], method="in_status", empty_label=_("All")
    )
    mine = django_filters.BooleanFilter(
        label=_("Led or shared by my unit"), method="filter_mine", widget=YesNoAllSelect
    )

    class Meta:
        model = KeyTask
        fields = ["q", "campaign", "sector", "lead_unit", "status", "mine"]

    def __init__(self, data, *, queryset, user, campaign: Campaign | None, **kwargs):
        data = data.copy()
        if parse_int(data.get("campaign")) is None and campaign is not None:
            data["campaign"] = str(campaign.pk)
        super().__init__(data, queryset=queryset, **kwargs)
        self.user = user
        self.filters["campaign"].queryset = campaigns_for(user).order_by("-starts_on")
        # Any unit may be asked for (the list stays scoped); the menu offers those that lead a task.
        self.filters["lead_unit"].queryset = OrgUnit.objects.all()
        self._tasks = queryset

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            # Only the units that lead a task the user sees: one query, when the form is drawn.
            field = form.fields["lead_unit"]
            field.widget.choices = [("", field.empty_label)] + [(u.pk, u.name) for u in lead_units_of(self._tasks)]
            # The campaigns, read once for the menu and for the page's heading.
            self.campaigns = list(self.filters["campaign"].queryset.select_related("district"))
            form.fields["campaign"].widget.choices = [(c.pk, c.name) for c in self.campaigns]
        return self._form

    @property
    def chosen_campaign(self) -> Campaign | None:
        """The campaign the list shows (with its district), if the filters are valid."""
        if not self.is_valid() or self.form.cleaned_data.get("campaign") is None:
            return None
        pk = self.form.cleaned_data["campaign"].pk
        return next((c for c in self.campaigns if c.pk == pk), None)

    # Shown above the fold on a phone (templates/_list_filters.html); the others fold.
    always_shown = ("q",)

    @property
    def folded_fields(self) -> list:
        return [self.form[name] for name in self.form.fields if name not in self.always_shown]

    @property
    def folded_in_use(self) -> bool:
        folded = (name for name in self.form.fields if name not in self.always_shown and name != "campaign")
        return any(self.data.get(name) not in (None, "", "unknown") for name in folded)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__iexact=value) | Q(title__icontains=value) | Q(description__icontains=value))

    def in_status(self, queryset, name, value):
        return queryset.filter(status_q(value)) if value else queryset

    def filter_mine(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(mine_q(self.user)) if value else queryset.exclude(mine_q(self.user))
