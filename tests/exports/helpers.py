"""Reading the exports the way a client does."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponseBase


def body(response: HttpResponseBase) -> bytes:
    """The whole body, streamed or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content  # type: ignore[attr-defined]


def csv_rows(response: HttpResponseBase) -> list[dict[str, str]]:
    """The CSV as the importer reads it: UTF-8 with an optional byte order mark."""
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"), newline="")))
