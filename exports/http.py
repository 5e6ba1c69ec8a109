"""What every download shares: its response headers, and how its text is sent in pieces."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from django.http import HttpResponse, HttpResponseBase
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

from exports.pdf import render_pdf, report_filename
from exports.report import Report

Response = TypeVar("Response", bound=HttpResponseBase)

# A streamed file goes out in pieces of about this many characters: one write per run
# would make ten years of runs thousands of tiny writes to the socket (and the zip's
# compressor works best on a few large ones).
FLUSH_AT = 32 * 1024


def _disposition(*, as_attachment: bool, filename: str) -> str:
    header = content_disposition_header(as_attachment=as_attachment, filename=filename)
    assert header is not None  # None only for a response shown inline without a file name
    return header


def attachment(response: Response, filename: str) -> Response:
    """Downloaded under ``filename``, and kept by no cache on the way: it is health data."""
    response["Content-Disposition"] = _disposition(as_attachment=True, filename=filename)
    add_never_cache_headers(response)
    return response


def batched(texts: Iterable[str]) -> Iterator[str]:
    """``texts`` joined into pieces of about :data:`FLUSH_AT` characters, lazily: nothing
    is read from ``texts`` before the first piece is asked for."""
    pieces: list[str] = []
    length = 0
    for text in texts:
        pieces.append(text)
        length += len(text)
        if length >= FLUSH_AT:
            yield "".join(pieces)
            pieces, length = [], 0
    yield "".join(pieces)


def report_pdf_response(data: Report, *, download: bool = True) -> HttpResponse:
    """The rendered report; ``download`` False shows it in the browser (a shared link)."""
    response = HttpResponse(render_pdf(data), content_type="application/pdf")
    if download:
        return attachment(response, report_filename(data))
    response["Content-Disposition"] = _disposition(as_attachment=False, filename=report_filename(data))
    return response
