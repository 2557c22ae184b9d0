from django.http import JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from campaign.lib.http import UNCOMPRESSED, is_public


class ChineseByDefaultMiddleware:
    """Screens are Chinese unless the user chose otherwise with the language switch.

    Django would follow the browser's Accept-Language, so a clerk whose browser
    happens to be set up in English would get English screens. Dropping the
    header leaves the language cookie (set by the switch) or LANGUAGE_CODE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing a signed-in user sees, and no download, is kept by the browser or a proxy.

    A page or an export left in the cache of a shared office computer can be read by
    the next person at it, after sign-out, with the Back button or from the disk. One
    rule for every response: signed in, or a file (Content-Disposition), means no-store;
    but not an answer whose view declared it the same for everyone, holding nothing of
    anyone's (campaign.lib.http.same_for_everyone: Cache-Control: public).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if response.has_header("Content-Disposition") or (signed_in and not is_public(response)):
            add_never_cache_headers(response)
        return response


class CompressionMiddleware(GZipMiddleware):
    """Django's gzip (a floor of 200 bytes, random padding against BREACH), but for pages whose
    view holds a secret beside text from the address (campaign.lib.http.uncompressed), and for
    files (Content-Disposition): photos, PDFs and workbooks are compressed in their own format,
    gzip would spend the processor on them for nothing and drop a download's length."""

    def process_response(self, request, response):
        if getattr(response, UNCOMPRESSED, False) or response.has_header("Content-Disposition"):
            return response
        return super().process_response(request, response)


class NullCharacterMiddleware:
    """A NUL character in the address or in any query or form field is refused with 400.

    No field of the platform holds one, and PostgreSQL cannot store one in text: a form
    refuses it field by field, but a view that reads a parameter itself (a search box, an
    autosave) would pass it on to the database and answer 500. Refused here, once, for every
    page present and future; nothing is read further and nothing is written."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            message = _("The request contains a null character, which no field accepts; nothing was saved.")
            if "application/json" in request.headers.get("Accept", "") or request.content_type == "application/json":
                return JsonResponse({"error": message}, status=400)
            return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    sources = [request.GET] + ([request.POST] if request.method == "POST" else [])
    return any("\x00" in key or any("\x00" in value for value in values) for q in sources for key, values in q.lists())
