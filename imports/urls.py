from __future__ import annotations

from django.urls import path

from imports import views

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/jobs/<uuid:job_id>/", views.import_job_page, name="import_job"),
]
