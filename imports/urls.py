from __future__ import annotations

from django.urls import path

from imports import views

urlpatterns = [
    path("import/", views.import_page, name="import"),
]
