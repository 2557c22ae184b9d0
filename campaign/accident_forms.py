"""The forms of the accident register and the yearly values. What they accept, the services
check again; the grade is never a field."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.accident_roles import accident_writer_scope
from campaign.lib.numbers import AmountField, WholeNumberField
from campaign.lib.widgets import DatePicker
from campaign.models import MAX_PEOPLE, Accident
from campaign.services.accidents import ACCIDENT_FIELDS
from districts.forms import SitePickField
from districts.models import OrgUnit

TEXTAREA = forms.Textarea(attrs={"rows": 3})
NUMBER = {"inputmode": "numeric", "autocomplete": "off"}
AMOUNT = {"inputmode": "decimal", "autocomplete": "off"}


def _indented(unit: OrgUnit) -> str:
    return f"{'　' * max(unit.level - 1, 0)}{unit.name}"


def people_field(label) -> WholeNumberField:
    return WholeNumberField(
        label=label, min_value=0, max_value=MAX_PEOPLE, initial=0, widget=forms.TextInput(attrs=NUMBER)
    )


class AccidentForm(forms.ModelForm):
    deaths = people_field(_("Deaths"))
    serious_injuries = people_field(_("Serious injuries"))
    direct_loss = AmountField(
        label=_("Direct economic loss (10,000 yuan)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        initial=0,
        widget=forms.TextInput(attrs=AMOUNT),
        help_text=_("In 10,000 yuan (万元): 1000 is 10 million yuan."),
    )

    class Meta:
        model = Accident
        fields = ACCIDENT_FIELDS
        widgets = {"summary": TEXTAREA, "occurred_on": DatePicker()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Districts, streets and communities: a grid's hundreds would make the list unusable, and an
        # accident is recorded by the street or community it happened in.
        places = OrgUnit.objects.in_scope(accident_writer_scope(user)).filter(
            kind__in=OrgUnit.PLACE_KINDS - {OrgUnit.Kind.GRID}
        )
        if self.instance.pk and self.instance.unit.kind == OrgUnit.Kind.GRID:
            places = places | OrgUnit.objects.filter(pk=self.instance.unit_id)
        self.fields["unit"].queryset = places.order_by("tree_id", "lft")
        self.fields["unit"].label_from_instance = _indented
        self.fields["unit"].help_text = _("The street or community where the accident happened.")
        site = self.fields["site"]
        self.fields["site"] = SitePickField(user=user, required=False, label=site.label)
        self.fields["summary"].max_length = Accident._meta.get_field("summary").max_length
        if not self.instance.pk:
            del self.fields["investigation_status"]


class YearlyValueForm(forms.Form):
    gdp = AmountField(
        label=_("GDP (100 million yuan)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs=AMOUNT),
        help_text=_("In 100 million yuan (亿元). Leave it empty if the figure is not known yet."),
    )
    gdp_source = forms.CharField(
        label=_("Source of the GDP figure"),
        required=False,
        max_length=200,
        help_text=_("e.g. 下城区统计年鉴2017."),
    )
    deaths_override = WholeNumberField(
        label=_("Deaths (when not from the register)"),
        required=False,
        min_value=0,
        max_value=MAX_PEOPLE,
        widget=forms.TextInput(attrs=NUMBER),
        help_text=_("Leave it empty to count the deaths in the accident register."),
    )
    deaths_source = forms.CharField(
        label=_("Source of the deaths figure"),
        required=False,
        max_length=200,
        help_text=_("e.g. 区应急管理局生产安全事故统计."),
    )
