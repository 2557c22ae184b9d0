"""The forms of the bulletins' screens: months as YYYY-MM (ASCII digits only), the four sections,
the recipients among the district's streets and departments."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.lib.params import parse_int
from oversight.bulletins.services import month_end

MONTH = re.compile(r"^[0-9]{4}-[0-9]{2}$")
TEXT_LIMIT = 10_000


class MonthField(forms.Field):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01", "inputmode": "numeric"})
    default_error_messages = {"invalid": _("Give a month as year-month, e.g. 2026-03.")}

    def __init__(self, *, end: bool = False, **kwargs):
        self.end = end
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        if not MONTH.fullmatch(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = int(value[:4]), int(value[5:])
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        first = datetime.date(year, month, 1)
        return month_end(first) if self.end else first

    def prepare_value(self, value):
        if isinstance(value, datetime.date):
            return value.strftime("%Y-%m")
        return value


class PeriodForm(forms.Form):
    start = MonthField(label=_("From month"))
    end = MonthField(label=_("To month"), end=True)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


def _section(label):
    return forms.CharField(label=label, required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 5}))


class BulletinForm(PeriodForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    overview = _section(_("Overall situation"))
    good_practices = _section(_("Good practices"))
    problems = _section(_("Problems found"))
    requirements = _section(_("Next steps required"))
    recipients = forms.MultipleChoiceField(label=_("Sent to"), widget=forms.CheckboxSelectMultiple)

    field_order = ["title", "start", "end", "overview", "good_practices", "problems", "requirements", "recipients"]

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        self.fields["recipients"].choices = [(str(u.pk), u.name) for u in units]

    def clean_recipients(self):
        ids = [parse_int(v) for v in self.cleaned_data["recipients"]]
        if any(i is None or i not in self.units for i in ids):
            raise forms.ValidationError(_("Choose the units among the district's streets and departments."))
        return [self.units[i] for i in ids]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the withdrawal"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
