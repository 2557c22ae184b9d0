from django.utils.cache import add_never_cache_headers


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
    rule for every response: signed in, or a file (Content-Disposition), means no-store.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or response.has_header("Content-Disposition"):
            add_never_cache_headers(response)
        return response
