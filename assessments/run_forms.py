"""Forms of rounds and runs: a round, one item's score (posted by the item's card, or by its
autosave), a finding, an evidence link, a step's comment."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from assessments.models import AnswerState, Template
from assessments.run_services import MAX_PHOTOS, place_area
from campaign.lib.uploads import ImageUploadField
from campaign.lib.widgets import DatePicker
from districts.forms import SitePickField
from districts.models import OrgUnit, Sector
from districts.scoping import Subtree

BIG = 1_000_000  # a count nobody types for one item: past it, a message, not a database error


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    template = forms.ModelChoiceField(label=_("Scoring template (version)"), queryset=Template.objects.none())
    period_start = forms.DateField(label=_("Period from"), widget=DatePicker())
    period_end = forms.DateField(label=_("Period until"), widget=DatePicker())
    team = forms.ModelChoiceField(label=_("Inspection team"), queryset=OrgUnit.objects.none())
    units = forms.ModelMultipleChoiceField(
        label=_("Units assessed"),
        queryset=OrgUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only units the team covers can be assessed by it."),
    )
    self_assessment = forms.BooleanField(label=_("Units assess themselves first (自评)"), required=False, initial=True)

    def __init__(self, *args, district: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = Template.objects.order_by("code", "-version")
        teams = OrgUnit.objects.filter(Subtree.of(district).q(""), kind=OrgUnit.Kind.TEAM).order_by("code")
        self.fields["team"].queryset = teams
        self.fields["units"].queryset = (
            OrgUnit.objects.filter(assigned_teams__in=teams).distinct().order_by("tree_id", "lft")
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data


class AnswerForm(forms.Form):
    """One item's inputs; the item card posts them, and so does its autosave."""

    state = forms.ChoiceField(choices=AnswerState.choices, initial=AnswerState.SCORED)
    na_reason = forms.CharField(required=False, max_length=2000)
    missing = forms.IntegerField(required=False, min_value=0, max_value=BIG)
    measured = forms.DecimalField(
        required=False, max_digits=12, decimal_places=4, validators=[MaxValueValidator(10**8)]
    )
    incidents = forms.IntegerField(required=False, min_value=0, max_value=BIG)
    incidents_resolved = forms.IntegerField(required=False, min_value=0, max_value=BIG)
    veto = forms.BooleanField(required=False)
    bonus_claimed = forms.DecimalField(required=False, max_digits=7, decimal_places=2, min_value=0)
    note = forms.CharField(required=False, max_length=5000)

    def answer_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("missing", "incidents", "incidents_resolved"):
            data[name] = data[name] or 0
        return data


class FindingForm(forms.Form):
    description = forms.CharField(label=_("What was found"), widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.ModelChoiceField(label=_("Place"), queryset=OrgUnit.objects.none())
    location = forms.CharField(label=_("Exact location"), max_length=200, required=False)
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=Sector.objects.order_by("pk"), required=False)
    photos = ImageUploadField(
        label=_("Photos"),
        required=False,
        multiple=True,
        max_files=MAX_PHOTOS,
        help_text=_("Take them with the phone's camera, or choose up to %(count)d photos.") % {"count": MAX_PHOTOS},
    )

    def __init__(self, *args, run, user, **kwargs):
        super().__init__(*args, **kwargs)
        places = OrgUnit.objects.filter(Subtree.of(place_area(run.unit)).q(""), kind__in=OrgUnit.PLACE_KINDS)
        self.fields["unit"].queryset = places.order_by("tree_id", "lft")
        self.fields["unit"].initial = run.unit.pk if run.unit.kind in OrgUnit.PLACE_KINDS else None
        self.fields["unit"].label_from_instance = lambda u: f"{'　' * max(u.level - 2, 0)}{u.name}"
        self.fields["site"] = SitePickField(user=user, required=False, label=_("Site"))
        self.order_fields(["description", "unit", "location", "site", "sector", "photos"])

    def finding_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "photos"}


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("submission", _("Report")), ("risk", _("Risk point")), ("hazard", _("Hazard"))],
    )
    ref = forms.CharField(
        label=_("Number"), max_length=60, help_text=_("The hazard's number, the risk point's code, or the report's id.")
    )


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
