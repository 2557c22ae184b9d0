"""What a view tells the middleware about its answers: that a page holds a secret which must not
be compressed."""

from functools import wraps

# The attribute campaign.middleware.CompressionMiddleware looks for on a response.
UNCOMPRESSED = "uncompressed"


def uncompressed(view):
    """The view's pages are never compressed: they hold a secret other than the CSRF token (an
    authenticator key) next to text from the address, which is what BREACH needs."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        setattr(response, UNCOMPRESSED, True)
        return response

    return wrapped
