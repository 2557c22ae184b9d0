"""The forms of the annual summaries' screens: a new summary (a unit and a year among those the
user may choose) and the narrative's three parts."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oversight.summaries.models import AnnualSummary
from oversight.summaries.services import MAX_NARRATIVE


class NewSummaryForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit"))
    year = forms.ChoiceField(label=_("Year"))

    def __init__(self, *args, units, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        self.fields["unit"].choices = [(pk, u.name) for pk, u in self.units.items()]
        self.fields["year"].choices = [(str(y), str(y)) for y in years]

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]

    def clean_year(self):
        return int(self.cleaned_data["year"])


def _part(name: str):
    return forms.CharField(
        label=AnnualSummary._meta.get_field(name).verbose_name,
        required=False,
        max_length=MAX_NARRATIVE,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class NarrativeForm(forms.Form):
    practices = _part("practices")
    problems = _part("problems")
    plans = _part("plans")
