from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.lib.widgets import DatePicker
from districts.forms import SitePickField
from districts.models import OrgUnit
from risks.models import Assessment, AssessmentMethod, RiskPoint
from risks.services import EDITABLE_FIELDS, RISK_EDITOR_ROLES

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _indented(unit: OrgUnit) -> str:
    return f"{'　' * max(unit.level - 1, 0)}{unit.name}"


class RiskForm(forms.ModelForm):
    class Meta:
        model = RiskPoint
        fields = EDITABLE_FIELDS
        widgets = {
            name: TEXTAREA
            for name in (
                "description",
                "hazard_factors",
                "engineering_measures",
                "management_measures",
                "training_measures",
                "protection_measures",
                "emergency_measures",
            )
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        editable = OrgUnit.objects.editable_by(user, RISK_EDITOR_ROLES).order_by("tree_id", "lft")
        self.fields["unit"].queryset = editable.filter(kind__in=OrgUnit.PLACE_KINDS)
        self.fields["unit"].label_from_instance = _indented
        self.fields["unit"].help_text = _("The district, street, community or grid where the risk is.")
        # The units above one's own too: graded control (分级管控) puts a significant risk under
        # the street and a major one under the district, whoever found it.
        self.fields["responsible_unit"].queryset = (
            OrgUnit.objects.get_queryset_ancestors(editable, include_self=True)
            .exclude(kind=OrgUnit.Kind.CITY)
            .order_by("tree_id", "lft")
        )
        self.fields["responsible_unit"].label_from_instance = _indented
        site = self.fields["site"]
        self.fields["site"] = SitePickField(user=user, required=False, label=site.label)
        if not self.instance.pk:
            # A new risk is under control until someone retires it.
            del self.fields["status"]


# How the formulas read (D = L × E × C, R = L × S): the stored JSON does not keep key order.
FACTOR_ORDER = ["L", "E", "C", "S"]


def factors_of(method: AssessmentMethod) -> list[tuple[str, str]]:
    """(form field name, factor name) for the method's current version, in formula order.

    Fields are named by position: factor names are data an administrator types, and two
    methods may share one ("L")."""
    version = getattr(method, "current_version", None) or method.current
    names = sorted(
        version.factors,
        key=lambda n: FACTOR_ORDER.index(n) if n in FACTOR_ORDER else len(FACTOR_ORDER),
    )
    return [(f"m{method.pk}_{i}", name) for i, name in enumerate(names)]


def _number(value) -> str:
    return f"{Decimal(str(value)).normalize():f}"


class AssessmentForm(forms.Form):
    """A method, its factor values from the method's current version, and the stage.

    The page shows the score as values are chosen (static/js/risk_assess.js); the
    server computes it again on save from the inputs alone."""

    method = forms.ModelChoiceField(label=_("Method"), queryset=AssessmentMethod.objects.all(), empty_label=None)
    stage = forms.ChoiceField(label=_("Stage"), choices=Assessment.Stage.choices, initial=Assessment.Stage.RESIDUAL)

    def __init__(self, *args, methods, with_note=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.methods = methods
        self.fields["method"].queryset = AssessmentMethod.objects.filter(pk__in=[m.pk for m in methods])
        self.fields["method"].initial = methods[0].pk if methods else None
        for method in methods:
            for field_name, factor in factors_of(method):
                options = method.current_version.factors[factor]
                self.fields[field_name] = forms.ChoiceField(
                    label=factor,
                    required=False,
                    choices=[("", "—")]
                    + [(_number(o["value"]), f"{_number(o['value'])} — {o.get('label', '')}") for o in options],
                    error_messages={
                        "invalid_choice": _("That is not an allowed value of %(factor)s.") % {"factor": factor}
                    },
                )
        if with_note:
            self.fields["note"] = forms.CharField(label=_("Note"), required=False, widget=TEXTAREA)

    def method_groups(self):
        """(method, its bound factor fields), for the template: one group shows at a time."""
        return [(method, [self[field_name] for field_name, _factor in factors_of(method)]) for method in self.methods]

    def clean(self):
        data = super().clean()
        method = data.get("method")
        if method is None:
            return data
        chosen = next(m for m in self.methods if m.pk == method.pk)
        inputs = {}
        for name, factor in factors_of(chosen):
            if name in self.errors:
                continue
            if not data.get(name):
                self.add_error(name, _("Choose a value for %(factor)s.") % {"factor": factor})
            else:
                inputs[factor] = Decimal(data[name])
        data["inputs"] = inputs
        return data

    def spec(self) -> dict:
        """What services.risk_assess takes: the method, the stage and the inputs."""
        spec = {k: self.cleaned_data[k] for k in ("method", "stage", "inputs")}
        if "note" in self.fields:
            spec["note"] = self.cleaned_data["note"]
        return spec


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), initial=timezone.localdate, widget=DatePicker())
    note = forms.CharField(label=_("Findings"), required=False, widget=TEXTAREA)
