"""gunicorn's settings for the platform (gunicorn reads ./gunicorn.conf.py by itself;
the README's production line names it with -c all the same).

    gunicorn -c gunicorn.conf.py campaign.wsgi

Behind a proxy that ends TLS, set SECURE_PROXY_SSL_HEADER for Django (README).
"""

import os

from gunicorn.http import wsgi as _wsgi

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# Long work runs in Celery; a request that takes this long is stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"


# gunicorn 27 always writes "Server: gunicorn" and has no setting to leave it out: drop
# that one line from the headers it writes itself (HTTP/1.x; the platform does not
# speak HTTP/2 to its proxy). The workers are forked from this process and keep it.
_default_headers = _wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


_wsgi.Response.default_headers = _default_headers_without_server
