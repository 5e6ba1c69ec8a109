"""The admin's import jobs: listed and shown to staff, read-only."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from imports.models import ImportJob
from tests.imports.builders import fit_file, fit_session, zipped
from tests.imports.test_jobs import START, queue


def test_staff_see_the_jobs_and_cannot_change_them(alice: User, alice_api: APIClient) -> None:
    queue(alice_api, "export.zip", zipped({"a.fit": fit_file(fit_session(START))}))
    job = ImportJob.objects.get()
    admin = User.objects.create_superuser("admin", "admin@example.com", "Admin-passphrase-42")
    client = Client()
    client.force_login(admin)

    listed = client.get("/admin/imports/importjob/")
    assert listed.status_code == 200
    assert "export.zip" in listed.content.decode()
    page = client.get(f"/admin/imports/importjob/{job.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()  # shown, not editable
    assert client.get("/admin/imports/importjob/add/").status_code == 403
