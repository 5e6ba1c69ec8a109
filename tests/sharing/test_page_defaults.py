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
    assert "Report, last 12 weeks (PDF)" in html
