"""gunicorn's settings for the platform (gunicorn reads ./gunicorn.conf.py by itself;
the README's production line names it with -c all the same).

    gunicorn -c gunicorn.conf.py campaign.wsgi

Behind a proxy that ends TLS, set SECURE_PROXY_SSL_HEADER for Django (README).
"""

import os

from gunicorn.http import wsgi as _wsgi

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# gunicorn's rule of thumb: two a core and one more (WEB_CONCURRENCY is gunicorn's own name).
workers = int(os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
# A worker is replaced after this many requests (jitter: not all at once), so a slow leak never grows.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))
# Long work runs in Celery; a request that takes this long is stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# The platform logs each request itself, as JSON (campaign.middleware.RequestLogMiddleware);
# GUNICORN_ACCESSLOG=- adds gunicorn's own access line as well.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None


# gunicorn 27 always writes "Server: gunicorn" and has no setting to leave it out: drop
# that one line from the headers it writes itself (HTTP/1.x; the platform does not
# speak HTTP/2 to its proxy). The workers are forked from this process and keep it.
_default_headers = _wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


_wsgi.Response.default_headers = _default_headers_without_server
