"""gunicorn's settings for backpainlog: gunicorn reads this file by itself when started
from the project folder (``make serve``, README "Running it in production"), or with
``-c gunicorn.conf.py`` from elsewhere.

No ``Server: gunicorn`` header: it tells a scanner which software to try first and
tells a browser nothing. gunicorn has no setting for it, so its response class's default
headers are filtered here, once, in the master process before the workers start. The
reverse proxy in front sends a ``Server`` header of its own; hiding that is the proxy's
setting (nginx ``server_tokens off``, Caddy ``header -Server``).
"""

from __future__ import annotations

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self: wsgi.Response) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server  # type: ignore[method-assign]
