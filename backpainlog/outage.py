"""What a request gets while the database cannot be reached: a 503 the client may retry,
for the pages (the 500 handler) and the API (its exception handler) alike."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

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
