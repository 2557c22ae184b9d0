from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from districts.models import OrgUnit, Site
from districts.passwords import user_password_change
from districts.policy import current_policy
from districts.services import SITE_EDITOR_ROLES
from districts.validators import normalize_credit_code


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = Site.EDITABLE_FIELDS
        widgets = {"credit_code": forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = (
            OrgUnit.objects.editable_by(user, SITE_EDITOR_ROLES)
            .filter(kind__in=OrgUnit.SITE_KINDS)
            .order_by("tree_id", "lft")
        )
        self.fields["unit"].label_from_instance = lambda u: f"{'　' * max(u.level - 2, 0)}{u.name}"
        self.fields["unit"].help_text = _("The street, community or grid where the site is.")

    def clean_credit_code(self):
        code = normalize_credit_code(self.cleaned_data["credit_code"])
        # A site the user can see is named; any other taken code gets the model's message, naming no one.
        holder = Site.objects.visible_to(self.user).filter(credit_code=code).exclude(pk=self.instance.pk).first()
        if holder is not None:
            raise forms.ValidationError(
                _("The unified social credit code %(code)s is already used by the site “%(name)s”."),
                code="unique",
                params={"code": code, "name": holder.name},
            )
        return code


class SitePickInput(forms.TextInput):
    """A text box for a site's credit code, with suggestions fetched as the user types:
    a district has tens of thousands of sites, far too many for a drop-down."""

    # The template brings its script along, so that any form using the picker works without more.
    template_name = "districts/widgets/site_pick.html"

    def __init__(self, attrs=None):
        super().__init__(
            {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "inputmode": "search"}
            | (attrs or {})
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["lookup_url"] = reverse("site_lookup")
        context["widget"]["current"] = getattr(self, "current_label", "")
        return context


class SitePickField(forms.Field):
    """A site the user can see, given by its unified social credit code (or as "name（code）",
    as the suggestions read). The cleaned value is the Site, or None when left empty."""

    widget = SitePickInput
    default_error_messages = {
        "unknown": _(
            "No site you can see has the unified social credit code “%(value)s”. Type part of its name to find it."
        )
    }

    def __init__(self, *, user, **kwargs):
        kwargs.setdefault(
            "help_text", _("Type part of the site's name or its unified social credit code, then pick it.")
        )
        super().__init__(**kwargs)
        self.queryset = Site.objects.visible_to(user)

    def prepare_value(self, value):
        if isinstance(value, int):
            value = self.queryset.filter(pk=value).first()
        if isinstance(value, Site):
            self.widget.current_label = f"{value.name}（{value.credit_code}）"
            return value.credit_code
        return value

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return None
        if text.endswith(("）", ")")):
            text = text.rstrip("）)").rsplit("（", 1)[-1].rsplit("(", 1)[-1]
        code = normalize_credit_code(text)
        site = self.queryset.filter(credit_code=code).first()
        if site is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown", params={"value": text})
        return site


class OwnPasswordChangeForm(PasswordChangeForm):
    """A signed-in user's change of their own password: the current one, then a new one twice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current_policy()  # so that the help text below states the policy's length
        self.fields["new_password1"].help_text = password_validators_help_text_html()

    def clean_new_password1(self):
        new = self.cleaned_data.get("new_password1")
        if new and self.user.check_password(new):
            raise forms.ValidationError(_("The new password must differ from the current one."))
        return new

    def save(self, commit=True):
        return user_password_change(user=self.user, new_password=self.cleaned_data["new_password1"])


class SecondFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false", "autofocus": True}
        ),
    )
