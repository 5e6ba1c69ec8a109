"""A big import on a phone: the file goes to the queue, the page shows its progress bar,
a worker runs it, the page shows the result, and it is still there after a reload."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from playwright.sync_api import Page, expect

from backpainlog.worker import queue_worker
from imports.models import ImportJob
from runs.models import Run
from tests.e2e.conftest import screenshot, sign_in
from tests.imports.builders import long_strava_csv

pytestmark = pytest.mark.e2e

RUNS = 600


class WorkerThread:
    """``manage.py worker``'s task loop in a thread of the test process, on the live
    server's database; started when the test says, so the queued state can be seen."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="queue-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        worker = queue_worker(worker_id="e2e-worker")
        try:
            while not self._stop.is_set():
                worker.run()
                time.sleep(0.1)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)


@pytest.fixture
def worker(live_server: object, transactional_db: None) -> Iterator[WorkerThread]:
    thread = WorkerThread()
    yield thread
    thread.stop()


def test_a_big_file_shows_its_progress_then_its_result(
    phone: Page, runner: User, tmp_path: Path, worker: WorkerThread
) -> None:
    page = phone
    export = tmp_path / "activities.csv"
    export.write_bytes(long_strava_csv(RUNS, start=dt.datetime(2023, 1, 1, 7, 0, tzinfo=dt.UTC)))
    assert export.stat().st_size > 1024 * 1024
    sign_in(page, runner)

    page.goto("/import/")
    page.get_by_label("Files").set_input_files(export)
    page.get_by_role("button", name="Import").click()

    row = page.locator("#import-result-list > li")
    expect(row).to_contain_text("activities.csv")
    bar = row.get_by_role("progressbar", name="Waiting for its turn")
    expect(bar).to_be_visible()
    expect(row.get_by_role("link", name="See how the import is going")).to_be_visible()
    assert ImportJob.objects.get(user=runner).status == "queued"
    screenshot(page, "import-queued.png")

    worker.start()

    expect(row).to_contain_text(f"{RUNS} imported · 0 already in your log · 0 skipped", timeout=30_000)
    expect(row.get_by_role("progressbar")).to_have_count(0)
    screenshot(page, "import-done.png")
    assert Run.objects.filter(user=runner).count() == RUNS

    # After a reload the result is still there, and on the job's own page.
    page.reload()
    jobs = page.get_by_role("region", name="Imports in the background")
    expect(jobs).to_contain_text(f"{RUNS} imported")
    jobs.get_by_role("link", name="activities.csv").click()
    expect(page.get_by_role("heading", name="Import of activities.csv")).to_be_visible()
    expect(page.get_by_text(f"{RUNS} imported · 0 already in your log")).to_be_visible()
    page.get_by_role("link", name="Add pain scores to these runs").click()
    expect(page).to_have_url("/runs/?needs_pain=1")


def test_the_job_page_follows_a_running_import_to_its_end(
    phone: Page, runner: User, tmp_path: Path, worker: WorkerThread
) -> None:
    """Opened from the link beside the bar: it polls until the import is over."""
    page = phone
    export = tmp_path / "activities.csv"
    export.write_bytes(long_strava_csv(RUNS, start=dt.datetime(2023, 1, 1, 7, 0, tzinfo=dt.UTC)))
    sign_in(page, runner)
    page.goto("/import/")
    page.get_by_label("Files").set_input_files(export)
    page.get_by_role("button", name="Import").click()
    page.get_by_role("link", name="See how the import is going").click()

    expect(page.get_by_role("heading", name="Import of activities.csv")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Waiting for its turn")).to_be_visible()
    worker.start()
    expect(page.get_by_text(f"{RUNS} imported · 0 already in your log")).to_be_visible(timeout=30_000)
