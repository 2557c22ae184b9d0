from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.lib.uploads import AttachmentUploadField
from reporting.models import AdoptionLevel
from reporting.services import MAX_ATTACHMENTS


class SubmissionForm(forms.Form):
    """The report's text and new attachments. The text is also saved as it is typed
    (static/js/report_draft.js), so that nothing is lost if the sign-in runs out."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Saved as you type. Submit when it is ready for the creation office."),
    )
    attachments = AttachmentUploadField(
        label=_("Add attachments"),
        required=False,
        multiple=True,
        max_files=MAX_ATTACHMENTS,
        help_text=_("PDF, Word, Excel, PowerPoint, text or photos."),
    )


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning a report: say what the unit should change."),
    )
    adopt = forms.MultipleChoiceField(
        label=_("Adopt as it is accepted"),
        choices=AdoptionLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Mark the report adopted at these levels when you accept it."),
    )

    def __init__(self, *args, adoptable: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not adoptable:
            del self.fields["adopt"]


class AdoptForm(forms.Form):
    level = forms.ChoiceField(label=_("Adoption level"), choices=AdoptionLevel.choices)
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("Where it was adopted, e.g. the issue of the city's bulletin."),
    )

    def __init__(self, *args, levels=None, **kwargs):
        super().__init__(*args, **kwargs)
        if levels is not None:
            self.fields["level"].choices = [(value, label) for value, label in AdoptionLevel.choices if value in levels]


class WithdrawAdoptionForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawing"), max_length=200)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 2}))
