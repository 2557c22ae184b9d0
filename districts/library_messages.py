# ruff: noqa: E501 -- each message is the library's own, character for character.
"""Messages of the libraries that users read, given our own Chinese in the platform's catalog.

The catalog in LOCALE_PATHS comes before every library's, so an entry here replaces the
library's wording: django-axes ships no Chinese at all (its models and columns in the back
office), Django admin's screen-reader headers have none yet, and Django's and
django-simple-history's Chinese address the user as 你 where the platform always says 您.
Nothing imports this module; makemessages reads it, so the entries stay in the catalog.
"""

from django.utils.translation import gettext_noop as _
from django.utils.translation import ngettext_lazy

AXES = (
    _("Access Attempt"),
    _("Access lock out"),
    _("Attempt Remaining"),
    _("Attempt Time"),
    _("Clean up expired attempts"),
    _("Expires At"),
    _("Failed Logins"),
    _("Form Data"),
    _("GET Data"),
    _("HTTP Accept"),
    _("IP Address"),
    _("Locked Out"),
    _("Logout Time"),
    _("Meta Data"),
    _("Not set"),
    _("POST Data"),
    _("Path"),
    _("Session key hash (sha256)"),
    _("The time when access attempt expires and is no longer valid."),
    _("User Agent"),
    _("Username"),
    _("access attempt expiration"),
    _("access attempt expirations"),
    _("access attempt"),
    _("access attempts"),
    _("access failure"),
    _("access failures"),
    _("access log"),
    _("access logs"),
)

ADMIN = (
    _("Add link"),
    _("Change or view list link"),
    _("Model name"),
)

# Django's, django-simple-history's and the password validators' messages, with 您.
ADDRESSED = (
    _(
        'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? All of the following related items will be deleted:'
    ),
    _("Are you sure?"),
    _(
        "Deleting the %(object_name)s '%(escaped_object)s' would result in deleting related objects, but your account doesn't have permission to delete the following types of objects:"
    ),
    _(
        "Deleting the selected %(objects_name)s would result in deleting related objects, but your account doesn't have permission to delete the following types of objects:"
    ),
    _("First, enter a username and password. Then, you’ll be able to edit more user options."),
    _("Forgotten your password? Enter your email address below, and we’ll email instructions for setting a new one."),
    _(
        'If you are using the <meta name="referrer" content="no-referrer"> tag or including the “Referrer-Policy: no-referrer” header, please remove them. The CSRF protection requires the “Referer” header to do strict referer checking. If you’re concerned about privacy, use alternatives like <a rel="noreferrer" …> for links to third-party sites.'
    ),
    _(
        "If you don’t receive an email, please make sure you’ve entered the address you registered with, and check your spam folder."
    ),
    _(
        "ManagementForm data is missing or has been tampered with. Missing fields: %(field_names)s. You may need to file a bug report if the issue persists."
    ),
    _("Please enter your new password twice so we can verify you typed it in correctly."),
    _(
        "Please enter your old password, for security’s sake, and then enter your new password twice so we can verify you typed it in correctly."
    ),
    _("The {name} “{obj}” was added successfully. You may add another {name} below."),
    _("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    _("The {name} “{obj}” was changed successfully. You may edit it again below."),
    _(
        "We’ve emailed you instructions for setting your password, if an account exists with the email you entered. You should receive them shortly."
    ),
    _("You don’t have permission to view or edit anything."),
    _("You may edit it again below"),
    _("You're receiving this email because you requested a password reset for your user account at %(site_name)s."),
    _("Your old password was entered incorrectly. Please enter it again."),
    _("Your password can’t be a commonly used password."),
    _("Your password can’t be entirely numeric."),
    _("Your password can’t be too similar to your other personal information."),
    _("Your password has been set.  You may go ahead and log in now."),
    _("Your password was changed."),
    _("Your username, in case you’ve forgotten:"),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
)
