from __future__ import annotations

from django.urls import path, re_path

from sharing import views

urlpatterns = [
    path("share/", views.share_page, name="share"),
    path("share/<int:pk>/revoke/", views.share_revoke, name="share_revoke"),
    path("shared/<str:token>/", views.shared_report, name="shared_report"),
    path("shared/<str:token>/report.pdf", views.shared_report_pdf, name="shared_report_pdf"),
    path("shared/<str:token>/runs.csv", views.shared_runs_csv, name="shared_runs_csv"),
    # Anything else under /shared/ gets the same 404 with the same headers.
    re_path(r"^shared(?:/(?P<rest>.*))?$", views.shared_not_found),
]
