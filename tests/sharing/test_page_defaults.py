"""The /share/ page names the report's default period from the report itself."""

from __future__ import annotations

import pytest
from django.test import Client

from exports import report


def test_the_download_section_names_the_reports_default_period(
    alice_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "DEFAULT_WEEKS", 12)
    html = alice_client.get("/share/").content.decode()
    assert "the report covers the last 12 weeks" in html


def test_each_download_is_offered_once(alice_client: Client) -> None:
    html = alice_client.get("/share/").content.decode()
    for url in ("/export/report.pdf", "/export/runs.csv", "/export/fhir.json", "/export/account.zip"):
        assert html.count(f'formaction="{url}"') == 1, url
        assert f'href="{url}"' not in html
