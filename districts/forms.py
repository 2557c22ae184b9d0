from django import forms
from django.utils.translation import gettext_lazy as _

from districts.models import OrgUnit, Site
from districts.services import SITE_EDITOR_ROLES
from districts.validators import normalize_credit_code


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = Site.EDITABLE_FIELDS
        widgets = {"credit_code": forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            OrgUnit.objects.editable_by(user, SITE_EDITOR_ROLES)
            .filter(kind__in=OrgUnit.SITE_KINDS)
            .order_by("tree_id", "lft")
        )
        self.fields["unit"].label_from_instance = lambda u: f"{'　' * max(u.level - 2, 0)}{u.name}"
        self.fields["unit"].help_text = _("The street, community or grid where the site is.")

    def clean_credit_code(self):
        return normalize_credit_code(self.cleaned_data["credit_code"])
