"""What the pages that save as you type share on the server side (their browser side is
static/js/draft_store.js): a reports' draft and an assessment's item cards."""

from __future__ import annotations

from functools import wraps

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The status lines of static/js/draft_store.js's pages (json_script "draft-messages").
DRAFT_MESSAGES = {
    "saving": gettext_lazy("Saving…"),
    "saved": gettext_lazy("Saved at %s."),
    "expired": gettext_lazy(
        "Not saved: your sign-in has expired. Your text is kept in this browser: sign in again, "
        "then come back to this page."
    ),
    "failed": gettext_lazy(
        "Not saved to the server. Your text is kept in this browser: reload this page to try again."
    ),
    "offline": gettext_lazy("Not saved: the server cannot be reached. Your text is kept in this browser."),
    "restored": gettext_lazy("Restored text this browser kept that had not reached the server."),
    "signin": gettext_lazy("Sign in again"),
}


def json_login_required(view):
    """Like login_required, but a script gets 401 and a message instead of the sign-in page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse(
                {"error": _("Your sign-in has expired. Your text is kept in this browser: sign in again.")},
                status=401,
            )
        return view(request, *args, **kwargs)

    return wrapped
