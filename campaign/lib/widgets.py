"""Form widgets shared by the apps' filters."""

from django import forms
from django.utils.translation import gettext_lazy as _


class YesNoAllSelect(forms.NullBooleanSelect):
    """A yes/no filter whose empty choice reads "All" (Django's says "Unknown", which a filter is not)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("All")), ("true", _("Yes")), ("false", _("No"))]


class DatePicker(forms.DateInput):
    """The browser's date picker. Its value must be ISO (2026-11-23) whatever the language:
    a date rendered in the active locale's format (2026年11月23日) is shown as blank, so a
    form drawn again with its date could not be sent."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimePicker(forms.DateTimeInput):
    """The browser's date-and-time picker, with its ISO value (2026-11-23T09:30)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
