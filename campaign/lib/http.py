"""What a view tells the middleware about its answers: that a page holds a secret which must not
be compressed, or that an answer is the same for everyone and may be cached with an ETag."""

from functools import wraps

from django.middleware.http import ConditionalGetMiddleware
from django.utils.cache import patch_cache_control
from django.utils.decorators import decorator_from_middleware

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


_conditional = decorator_from_middleware(ConditionalGetMiddleware)


def same_for_everyone(*, max_age: int):
    """The view answers every user, signed in or not, with the same bytes, holding no CSRF token
    and nothing personal: browsers and proxies may keep it for `max_age` seconds
    (Cache-Control: public, which campaign.middleware.NoStoreMiddleware leaves alone), and ask
    again with its ETag, answered 304 Not Modified while it has not changed."""

    def decorator(view):
        @_conditional
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                patch_cache_control(response, public=True, max_age=max_age)
            return response

        return wrapped

    return decorator


def is_public(response) -> bool:
    """Whether the view declared the answer the same for everyone (Cache-Control: public)."""
    directives = {d.strip().split("=", 1)[0].lower() for d in response.get("Cache-Control", "").split(",")}
    return "public" in directives
