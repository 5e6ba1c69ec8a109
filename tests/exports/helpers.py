"""Reading the exports the way a client does."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse


def body(response: HttpResponseBase) -> bytes:
    """The whole body, streamed or not."""
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response)
    assert isinstance(response, HttpResponse), type(response)
    return response.content


def csv_rows(response: HttpResponseBase) -> list[dict[str, str]]:
    """The CSV as the importer reads it: UTF-8 with an optional byte order mark."""
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"), newline="")))
