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
