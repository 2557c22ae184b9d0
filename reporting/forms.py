from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.lib.uploads import AttachmentUploadField
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


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 2}))
