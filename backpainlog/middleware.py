"""Response headers every answer of the app gets."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class PrivateNoStoreMiddleware:
    """``Cache-Control: private, no-store`` (with ``max-age=0``) on every answer to a
    signed-in request, page or API, session or token: they carry the user's health data,
    which no shared cache may keep, and which Back after a save must show as it is now,
    not as the browser kept it. An answer that set its own ``Cache-Control`` keeps it:
    the service worker (``no-cache``) and the manifest are the same for everyone.

    The service worker's offline copies of the forms are unaffected: the Cache API it
    stores them in is not the HTTP cache, and keeps what it is given.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read after the view: the API signs token requests in inside the view, and sets
        # the user on this request then.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
