"""The key-task forms: setting a task out (the creation office), reporting progress with evidence
(the lead unit and co-units), planning a milestone."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.lib.params import IdChoiceField
from campaign.lib.uploads import AttachmentUploadField
from campaign.lib.widgets import DatePicker
from campaign.models import Campaign
from campaign.models.tasks import KeyTask, Milestone
from campaign.services.tasks import EDIT_FIELDS, MAX_EVIDENCE, parse_percent
from campaign.task_selectors import task_units
from districts.models import OrgUnit, Sector

TEXTAREA = forms.Textarea(attrs={"rows": 4})


def _label(name: str):
    return KeyTask._meta.get_field(name).verbose_name


class KeyTaskForm(forms.Form):
    code = forms.CharField(label=_label("code"), max_length=30, help_text=_("The number the plan gives it, e.g. 3.2."))
    sector = IdChoiceField(label=_label("sector"), queryset=Sector.objects.all())
    title = forms.CharField(label=_label("title"), max_length=300)
    description = forms.CharField(label=_label("description"), widget=TEXTAREA, required=False)
    lead_unit = IdChoiceField(label=_label("lead_unit"), queryset=OrgUnit.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label=_label("co_units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    due_on = forms.DateField(label=_label("due_on"), widget=DatePicker())

    def __init__(self, *args, campaign: Campaign, task: KeyTask | None = None, **kwargs):
        if task is not None:
            initial = {name: getattr(task, name) for name in EDIT_FIELDS}
            initial["co_units"] = list(task.co_units.all())
            kwargs["initial"] = initial | kwargs.get("initial", {})
        super().__init__(*args, **kwargs)
        units = task_units(campaign)
        self.fields["lead_unit"].queryset = units
        self.fields["co_units"].queryset = units
        self.fields["due_on"].help_text = _("Within the campaign: %(start)s to %(end)s.") % {
            "start": campaign.starts_on.isoformat(),
            "end": campaign.ends_on.isoformat(),
        }

    def task_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in EDIT_FIELDS}


class PercentField(forms.CharField):
    """A percent typed on a phone: the digits 0-9 only. Django's IntegerField would take "٦٠"
    (Arabic-Indic sixty) as 60; here anything but 0-9 is refused with a message saying how to write it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(max_length=10, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return parse_percent(value) if value not in self.empty_values else value


class ProgressForm(forms.Form):
    percent = PercentField(label=_("Progress reached (%)"), help_text=_("From 0 to 100; 100 completes the task."))
    note = forms.CharField(label=_("Work done"), widget=TEXTAREA)
    files = AttachmentUploadField(label=_("Evidence"), required=False, multiple=True, max_files=MAX_EVIDENCE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _("PDF, Word, Excel, PowerPoint, text or photos; up to %(count)d files.") % {
            "count": MAX_EVIDENCE
        }


class MilestoneForm(forms.Form):
    title = forms.CharField(label=Milestone._meta.get_field("title").verbose_name, max_length=200)
    due_on = forms.DateField(label=Milestone._meta.get_field("due_on").verbose_name, widget=DatePicker())
