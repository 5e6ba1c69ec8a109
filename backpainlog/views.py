from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from backpainlog.outage import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, database_unavailable

logger = logging.getLogger(__name__)


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
