"""``GET /export/report.pdf``: the clinician's report of the signed-in user (session or
token, like the other downloads)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request

from exports import report
from exports.http import attachment
from exports.views import ERRORS, ExportView
from runs.api import DATE_RANGE_PARAMETERS


def report_pdf_response(data: report.Report, *, download: bool = True) -> HttpResponse:
    """The rendered report; ``download`` False shows it in the browser (a shared link)."""
    response = HttpResponse(report.render_pdf(data), content_type="application/pdf")
    if download:
        return attachment(response, report.report_filename(data))
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=report.report_filename(data)
    )
    return response


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
        return report_pdf_response(report.report_for_user(request.user, start=start, end=end))


report_pdf = ReportPdfView.as_view()
