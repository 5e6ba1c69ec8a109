"""Response headers every export shares."""

from __future__ import annotations

from typing import TypeVar

from django.http import HttpResponseBase
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

Response = TypeVar("Response", bound=HttpResponseBase)


def attachment(response: Response, filename: str) -> Response:
    """Downloaded under ``filename``, and kept by no cache on the way: it is health data."""
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    add_never_cache_headers(response)
    return response
