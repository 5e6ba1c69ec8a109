from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# What a database that cannot be reached raises: connection refused, the server closing
# the connection, SQLite still "database is locked" after its busy timeout (Operational),
# or a connection already closed under the request (Interface). Not integrity or data
# errors: those are bugs or bad input, and a retry would fail the same way.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# Outages worth a 503 are restarts and fail-overs: seconds, not minutes.
RETRY_AFTER_SECONDS = 5


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: JSON for the API, a short page for people.

    The request's writes were rolled back with its transaction (every write is in one),
    so retrying it is safe; the app reconnects by itself on the next request.
    """
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": "The database is unavailable. Try again in a few seconds."}, status=503
        )
    else:
        response = render(request, "503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler, which Django calls for an exception raised anywhere in a request
    (in middleware too, such as loading the session): a database outage is a 503, since
    it is temporary and the request may be retried. Django logs it at error level."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    return defaults.server_error(request)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 handler: the API's own shape (``{"detail": ...}``, JSON) for an API
    address that matches no route, such as ``/api/v1/runs/1.5/``; the page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


@require_safe  # GET and HEAD: some load balancers probe with HEAD
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.error("Health check failed: the database does not answer (%s)", exc)
        response = JsonResponse({"status": "unavailable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok"})
