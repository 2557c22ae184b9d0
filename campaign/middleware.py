import logging
import re
import time
import uuid

from django.db import connection
from django.http import JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.functional import empty
from django.utils.translation import gettext as _

from campaign.lib.http import UNCOMPRESSED, is_public
from districts.scoping import loaded_memberships


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


REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
request_logger = logging.getLogger("campaign.requests")


class RequestLogMiddleware:
    """One line a request on the logger "campaign.requests" (LOG_FORMAT=json makes it one JSON
    object): method, path (never the query string's values: they can hold a token; its keys
    only), status, duration_ms, queries (the database queries the request made, counted by an
    execute wrapper, DEBUG on or off), user id and username, unit (the code of the user's first
    unit by code, when the page had loaded the memberships anyway; else null — the log makes
    no query of its own) and request_id (the proxy's X-Request-ID, else a new one; the answer
    carries it). Outermost, so that it times and sees every answer, redirects included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request_logger.isEnabledFor(logging.INFO):
            return self.get_response(request)
        given = request.headers.get("X-Request-ID", "")
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        response.headers.setdefault("X-Request-ID", request_id)
        user_id, username, unit = _who(request)
        request_logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "http": {
                    "method": request.method,
                    "path": request.path,
                    "query_keys": sorted(request.GET.keys()),
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "queries": queries,
                    "user_id": user_id,
                    "username": username,
                    "unit": unit,
                    "request_id": request_id,
                }
            },
        )
        return response


def _who(request) -> tuple[int | None, str | None, str | None]:
    """The signed-in user's id, username and first unit's code — only what the request already
    loaded: a user no one asked for (a static file, the health check) is not fetched for the log."""
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty or not user.is_authenticated:
        return None, None, None
    memberships = loaded_memberships(user)
    unit = memberships[0].unit.code if memberships else None
    return user.pk, user.get_username(), unit
