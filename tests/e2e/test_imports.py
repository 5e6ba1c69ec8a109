"""Importing files on a phone: several files chosen at once, each sent in turn, a result
for each; then the imported runs ask for their pain scores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from runs.models import Run
from tests.e2e.conftest import sign_in
from tests.e2e.test_core_flow import assert_fits
from tests.imports.builders import fit_file, fit_session

pytestmark = pytest.mark.e2e

START = dt.datetime(2024, 5, 4, 7, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_two_files_get_a_result_each(
    narrow_phone: Page, runner: User, tmp_path: Path, scheme: Literal["light", "dark"]
) -> None:
    page = narrow_phone
    page.emulate_media(color_scheme=scheme)
    watch = tmp_path / "morning.fit"
    watch.write_bytes(fit_file(fit_session(START, distance_m=8000, timer_s=2400)))
    broken = tmp_path / "broken.gpx"
    broken.write_bytes(b"<gpx><trk>")
    sign_in(page, runner)

    page.goto("/settings/")
    page.get_by_role("link", name="Import runs").click()
    expect(page.get_by_role("heading", name="Import runs")).to_be_visible()
    page.get_by_label("Files").set_input_files([watch, broken])
    page.get_by_role("button", name="Import").click()

    results = page.locator("#import-result-list > li")
    expect(results).to_have_count(2)
    expect(results.nth(0)).to_contain_text("morning.fit")
    expect(results.nth(0)).to_contain_text("1 imported · 0 already in your log · 0 skipped")
    expect(results.nth(1)).to_contain_text("broken.gpx")
    expect(results.nth(1)).to_contain_text("Not imported: This is not a readable GPX file")
    expect(page.get_by_role("button", name="Import")).to_be_enabled()
    assert_fits(page, "/import/")
    # Sent through the API (the page's own form was not submitted): still on the page.
    assert page.url.endswith("/import/")
    assert Run.objects.filter(user=runner, source="fit").count() == 1

    page.get_by_role("link", name="Add pain scores to the imported runs").click()
    expect(page.get_by_role("link", name="Add pain scores to the run of 4 May 2024")).to_be_visible()
    assert_fits(page, "/runs/?needs_pain=1")


def test_the_same_file_again_is_a_duplicate(phone: Page, runner: User, tmp_path: Path) -> None:
    page = phone
    watch = tmp_path / "morning.fit"
    watch.write_bytes(fit_file(fit_session(START)))
    sign_in(page, runner)
    expect(page.get_by_role("link", name="imported run")).to_have_count(0)

    page.goto("/import/")
    for expected in ("1 imported · 0 already", "0 imported · 1 already in your log"):
        page.get_by_label("Files").set_input_files(watch)
        page.get_by_role("button", name="Import").click()
        expect(page.locator("#import-result-list > li")).to_contain_text(expected)

    page.goto("/")
    expect(page.get_by_role("link", name="1 imported run is waiting for pain scores")).to_be_visible()
