"""Form widgets shared by the apps' filters."""

from django import forms
from django.utils.translation import gettext_lazy as _


class YesNoAllSelect(forms.NullBooleanSelect):
    """A yes/no filter whose empty choice reads "All" (Django's says "Unknown", which a filter is not)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("All")), ("true", _("Yes")), ("false", _("No"))]
