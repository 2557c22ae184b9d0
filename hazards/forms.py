from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.lib.uploads import ImageUploadField
from campaign.lib.widgets import DatePicker, DateTimePicker
from districts.forms import SitePickField
from districts.models import OrgUnit
from districts.scoping import Subtree
from districts.subtree import district_of
from hazards.models import Hazard, Status, SupervisionListing, deadline_today
from hazards.selectors import risks_at
from hazards.services import EDIT_FIELDS, MAX_PHOTOS, REPORT_FIELDS, SUPERVISING_KINDS, responsible_units_for
from hazards.workflow import SIDE_ROLES, Side

TEXTAREA = forms.Textarea(attrs={"rows": 3})
DATE = DatePicker()


def _indented(unit: OrgUnit) -> str:
    return f"{'　' * max(unit.level - 1, 0)}{unit.name}"


class _Step(forms.Form):
    """Every step's form carries the state the page showed, so that a step taken on a page
    someone else has acted on since is refused with a clear message."""

    expected_status = forms.CharField(widget=forms.HiddenInput, required=False)


def photos_field(*, required: bool, label) -> ImageUploadField:
    return ImageUploadField(
        label=label,
        required=required,
        multiple=True,
        max_files=MAX_PHOTOS,
        help_text=_("Take them with the phone's camera, or choose up to %(count)d photos.") % {"count": MAX_PHOTOS},
    )


class HazardForm(forms.ModelForm):
    """Logging a hazard: one screen a phone can fill in where the hazard is."""

    photos = photos_field(required=False, label=_("Photos of the hazard"))

    class Meta:
        model = Hazard
        fields = REPORT_FIELDS
        widgets = {
            "description": TEXTAREA,
            "found_at": DateTimePicker(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        places = OrgUnit.objects.editable_by(user, SIDE_ROLES[Side.REPORTER]).filter(kind__in=OrgUnit.PLACE_KINDS)
        self.fields["unit"].queryset = places.order_by("tree_id", "lft")
        self.fields["unit"].label_from_instance = _indented
        self.fields["unit"].help_text = _("The street, community or grid where the hazard is.")
        self.fields["site"] = SitePickField(user=user, required=False, label=_("Site"))
        self.fields["found_at"].initial = lambda: timezone.localtime().replace(second=0, microsecond=0)
        self.fields["found_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["risk"].queryset = risks_at(user=user, unit=self._chosen_unit(places))
        self.fields["risk"].empty_label = _("None (not on the risk register)")
        self.fields["risk"].help_text = _(
            "The place's risk points on the register. Opened from a risk point's page, the form names it already."
        )
        self.order_fields(
            ["title", "unit", "location", "site", "risk", "sector", "grade", "source", "description", "photos"]
        )

    def _chosen_unit(self, places) -> OrgUnit | None:
        """The place the form is for: the one posted, else the one it opened with (from a risk's
        page). Only that place's risks are offered, and only they validate."""
        value = self.data.get(self.add_prefix("unit")) if self.is_bound else self.initial.get("unit")
        if isinstance(value, OrgUnit):
            return value
        try:
            return places.filter(pk=int(value)).first() if value else None
        except (TypeError, ValueError):
            return None

    def report_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in REPORT_FIELDS}


class ListingForm(_Step, forms.ModelForm):
    class Meta:
        model = SupervisionListing
        fields = [
            "supervising_unit",
            "document_number",
            "listed_on",
            "plan_measures",
            "plan_funds",
            "plan_responsible",
            "plan_time_limit",
            "plan_contingency",
        ]
        widgets = {
            "listed_on": DATE,
            "plan_time_limit": DATE,
            "plan_measures": TEXTAREA,
            "plan_contingency": TEXTAREA,
        }

    def __init__(self, *args, hazard: Hazard, **kwargs):
        super().__init__(*args, **kwargs)
        district = district_of(hazard.unit)
        units = OrgUnit.objects.filter(kind__in=SUPERVISING_KINDS)
        if district.kind == OrgUnit.Kind.DISTRICT:
            units = units.filter(Subtree.of(district).q(""))
        self.fields["supervising_unit"].queryset = units.order_by("tree_id", "lft")
        self.fields["supervising_unit"].label_from_instance = _indented
        self.fields["listed_on"].initial = deadline_today
        self.fields["document_number"].help_text = _("e.g. 下安委办〔2026〕3号")

    def listing_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "expected_status"}


class AssignForm(_Step):
    responsible_unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=OrgUnit.objects.none())
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=50)
    responsible_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    measures = forms.CharField(label=_("Rectification requirements"), widget=TEXTAREA, required=False)

    def __init__(self, *args, hazard: Hazard, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = responsible_units_for(hazard.unit).order_by("tree_id", "lft")
        self.fields["responsible_unit"].label_from_instance = _indented


class SubmitForm(_Step):
    rectification = forms.CharField(label=_("What was done"), widget=TEXTAREA)
    photos = photos_field(required=True, label=_("Photos after rectification"))


class ExtensionForm(_Step):
    requested_deadline = forms.DateField(label=_("New deadline asked for"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), widget=TEXTAREA)


class DecisionForm(_Step):
    note = forms.CharField(label=_("Note (required to refuse)"), widget=TEXTAREA, required=False)


class VerifyForm(_Step):
    note = forms.CharField(label=_("Findings (required to return it)"), widget=TEXTAREA, required=False)
    new_deadline = forms.DateField(
        label=_("New deadline, if returned"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty to keep the current deadline."),
    )


class CancelForm(_Step):
    reason = forms.CharField(label=_("Reason"), widget=TEXTAREA)


class EditForm(_Step):
    """Correcting an open hazard's details (not its place, nor what the workflow keeps)."""

    title = forms.CharField(max_length=200)
    location = forms.CharField(max_length=200)
    description = forms.CharField(widget=TEXTAREA)
    source = forms.ChoiceField(choices=Hazard._meta.get_field("source").choices)
    grade = forms.ChoiceField(choices=Hazard._meta.get_field("grade").choices)

    def __init__(self, *args, hazard: Hazard, user, **kwargs):
        kwargs["initial"] = {name: getattr(hazard, name) for name in EDIT_FIELDS} | kwargs.get("initial", {})
        super().__init__(*args, **kwargs)
        for name in ("title", "location", "description", "source", "grade"):
            model_field = Hazard._meta.get_field(name)
            self.fields[name].label = model_field.verbose_name
            self.fields[name].required = not model_field.blank
        self.fields["site"] = SitePickField(
            user=user, required=False, label=Hazard._meta.get_field("site").verbose_name
        )
        self.fields["risk"] = forms.ModelChoiceField(
            label=Hazard._meta.get_field("risk").verbose_name,
            queryset=risks_at(user=user, unit=hazard.unit),
            required=False,
            empty_label=_("None (not on the risk register)"),
        )
        self.order_fields(["title", "location", "site", "risk", "grade", "source", "description"])
        if hazard.status != Status.REPORTED:
            # Once assigned, the grade stays (a major hazard is listed before rectification starts).
            self.fields["grade"].disabled = True

    def edit_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in EDIT_FIELDS}
