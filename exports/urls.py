from __future__ import annotations

from django.urls import path

from exports import views

urlpatterns = [
    path("export/runs.csv", views.RunsCsvView.as_view(), name="export_runs_csv"),
    path("export/fhir.json", views.FhirBundleView.as_view(), name="export_fhir"),
    path("export/account.zip", views.AccountZipView.as_view(), name="export_account_zip"),
    path("export/report.pdf", views.ReportPdfView.as_view(), name="export_report_pdf"),
]
