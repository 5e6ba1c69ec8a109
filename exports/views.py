"""The downloads (docs/api.md#export). Thin: they check who asks and for which dates, then
hand the file over (streamed, but for the PDF, which fpdf2 lays out whole); reading and
writing the files happens in the modules below.

Each is an API view so that both doors work, a browser's session and an API token. A
request without credentials gets 401 (with ``WWW-Authenticate``), except a browser
following a link, which is sent to the login page and back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from audit.services import record_export
from backpainlog.api import UserScopedMixin
from exports import report
from exports.archive import stream_account_zip
from exports.csv import stream_runs_csv
from exports.fhir import FHIR_CONTENT_TYPE, stream_fhir_bundle
from exports.http import report_pdf_response
from runs.api import DATE_RANGE_PARAMETERS

ERRORS = {
    400: OpenApiResponse(description="A bad `from` or `to`: the message names the parameter."),
    401: OpenApiResponse(description="No valid session or token."),
}


class ErrorsAsJson(BaseContentNegotiation):
    """Whatever the client accepts (``text/csv``, a browser's ``text/html``), errors are
    JSON: the files themselves are not rendered by REST framework, so no request is
    refused as "not acceptable"."""

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        return renderers[0], renderers[0].media_type

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        return parsers[0] if parsers else None


class ExportView(UserScopedMixin, APIView):
    """A download for the signed-in user, by session or token (the project's default
    authentication), with ``self.date_range()`` for ``from``/``to``."""

    content_negotiation_class = ErrorsAsJson

    def handle_exception(self, exc: Exception) -> HttpResponseBase:
        if isinstance(exc, exceptions.NotAuthenticated) and self._is_browser_navigation():
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)

    def _is_browser_navigation(self) -> bool:
        # A browser following a link asks for HTML first and sends no Authorization
        # header; an API client sends a token (or nothing, and wants the 401 then).
        request = self.request
        return "HTTP_AUTHORIZATION" not in request.META and "text/html" in request.META.get("HTTP_ACCEPT", "")

    def record(self, export_format: str, start: dt.date | None, end: dt.date | None) -> None:
        """The download in the account activity, before the first byte leaves (a failure
        to record is an error response, not an untraced download)."""
        record_export(
            request=self.request._request,
            user=self.request.user,
            export_format=export_format,
            start=start,
            end=end,
        )


class RunsCsvView(ExportView):
    @extend_schema(
        operation_id="export_runs_csv",
        tags=["export"],
        summary="Your runs as CSV",
        description=(
            "One row per run, oldest first, UTF-8 with a byte order mark (so that spreadsheets "
            "read accents). SI columns `id` … `notes` (the importer reads them back), then "
            "`time`, distance, `duration` and pace in your unit. Times in your time zone. Text "
            "cells a spreadsheet would run as a formula start with an apostrophe."
        ),
        parameters=DATE_RANGE_PARAMETERS,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV file."),
            **ERRORS,
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        start, end = self.date_range()
        self.record("csv", start, end)
        return stream_runs_csv(request.user, start=start, end=end)


class FhirBundleView(ExportView):
    @extend_schema(
        operation_id="export_fhir_bundle",
        tags=["export"],
        summary="Your pain scores and runs as a FHIR R4 Bundle",
        description=(
            "A `collection` Bundle: a Patient (an opaque id; your name only if your account has "
            "one), each pain score as an Observation (LOINC 72514-3, lower back, dated when it "
            "was taken) and each run or walk as an exercise Observation (LOINC 55411-3 duration "
            "in minutes; distance, activity, surface, shoe as components)."
        ),
        parameters=DATE_RANGE_PARAMETERS,
        responses={
            (200, FHIR_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.OBJECT, description="The Bundle."),
            **ERRORS,
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        start, end = self.date_range()
        self.record("fhir", start, end)
        return stream_fhir_bundle(request.user, start=start, end=end)


class AccountZipView(ExportView):
    @extend_schema(
        operation_id="export_account_zip",
        tags=["export"],
        summary="Everything you have, machine-readable",
        description=(
            "A zip of runs.csv, runs.json, pain_checkins.json, shoes.json, insoles.json, "
            "profile.json, patterns.json, fhir.json, audit_events.json (your account activity) and "
            "a README.txt describing each. With `from`/`to`, the runs and check-ins of those "
            "dates (shoes, insoles, settings, patterns and activity are always whole); without, "
            "everything."
        ),
        parameters=DATE_RANGE_PARAMETERS,
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The zip file."),
            **ERRORS,
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        start, end = self.date_range()
        self.record("zip", start, end)
        return stream_account_zip(request.user, start=start, end=end)


class ReportPdfView(ExportView):
    @extend_schema(
        operation_id="export_report_pdf",
        tags=["export"],
        summary="The clinician's report as PDF",
        description=(
            "A4, black-and-white friendly: totals, weekly distance and pain chart, ACWR, "
            "flare-ups, load spikes, shoes, patterns with counts and 95 % intervals, every run "
            f"and walk, and the definitions used. Default period: the last {report.DEFAULT_WEEKS} "
            "weeks up to today; `from`/`to` choose another (inclusive local dates)."
        ),
        parameters=DATE_RANGE_PARAMETERS,
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF file."),
            **ERRORS,
        },
    )
    def get(self, request: Request) -> HttpResponse:
        start, end = report.resolve_period(request.user, *self.date_range())
        self.record("pdf", start, end)
        return report_pdf_response(report.report_for_user(request.user, start=start, end=end))
