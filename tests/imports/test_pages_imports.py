"""The import page (the form without JavaScript), and how the app asks for the pain
scores imported runs lack: the runs list, its filter and the dashboard."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runs import services as run_services
from runs.models import Run
from tests.conftest import HtmlPage
from tests.factories import RunFactory
from tests.imports.builders import fit_file, fit_session, gpx_line, strava_csv

START = dt.datetime(2024, 5, 4, 7, 30, tzinfo=dt.UTC)


def test_the_page_needs_a_sign_in(client: Client, db: None) -> None:
    response = client.get("/import/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post("/import/", {}).status_code == 302


def test_the_form_has_a_labelled_file_input_and_an_import_button(alice_client: Client) -> None:
    html = alice_client.get("/import/").content.decode()
    page = HtmlPage(html)

    control = page.assert_labels_one_control("Files")
    assert (control["type"], control["name"]) == ("file", "files")
    assert "multiple" in control
    form = page.form(id="import-form")
    assert form.attrs["enctype"] == "multipart/form-data"
    assert form.attrs["method"] == "post"
    assert form.attrs["data-api"] == "/api/v1/imports/"
    assert [button.text.strip() for button in form.buttons()] == ["Import"]
    assert form.control("csrfmiddlewaretoken").attrs.get("value")


def test_the_progress_bar_has_a_name_a_screen_reader_reads(alice_client: Client) -> None:
    html = alice_client.get("/import/").content.decode()
    [progress] = re.findall(r"<progress[^>]*>", html)
    assert 'aria-label="Import progress"' in progress


def test_the_page_has_no_inline_script_or_style(alice_client: Client) -> None:
    html = alice_client.get("/import/").content.decode()
    assert "/static/js/import.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html
    assert "<style" not in html


def test_posting_several_files_shows_a_result_per_file(alice: User, alice_client: Client) -> None:
    response = alice_client.post(
        "/import/",
        {
            "files": [
                SimpleUploadedFile("watch.fit", fit_file(fit_session(START))),
                SimpleUploadedFile("activities.csv", strava_csv()),
                SimpleUploadedFile("broken.gpx", b"<gpx"),
            ]
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "watch.fit" in html
    assert "1 imported · 0 already in your log · 0 skipped" in html
    assert "activities.csv" in html
    assert "3 imported · 0 already in your log · 1 skipped" in html
    assert "Morning Ride (08 Oct 2020): Ride is not a run or walk." in html
    assert "broken.gpx" in html
    assert "Not imported: This is not a readable GPX file (the XML is malformed)." in html
    assert 'href="/runs/?needs_pain=1"' in html
    assert Run.objects.filter(user=alice).count() == 4


def test_posting_no_file_says_so(alice_client: Client) -> None:
    response = alice_client.post("/import/", {})
    assert response.status_code == 400
    assert "Choose one or more files to import." in response.content.decode()


def test_the_page_names_files_as_sent_escaped(alice_client: Client) -> None:
    response = alice_client.post("/import/", {"files": [SimpleUploadedFile("<i>x.fit", b"nope")]})
    html = response.content.decode()
    assert "<i>x.fit" not in html
    assert "&lt;i&gt;x.fit" in html


def test_settings_link_to_the_import(alice_client: Client) -> None:
    html = alice_client.get("/settings/").content.decode()
    section = html[html.index('id="import-heading"') :]
    assert section.index('href="/import/"') < section.index("</section>")


# --- Imported runs ask for pain scores ------------------------------------------------------


def imported(user: User, **fields: object) -> Run:
    fields.setdefault("pain_before", None)
    fields.setdefault("pain_after", None)
    return RunFactory(user=user, source=Run.Source.FIT, **fields)


def test_the_runs_list_marks_imported_runs_without_pain(alice: User, alice_client: Client) -> None:
    waiting = imported(alice)
    done = imported(alice, pain_before=1, pain_after=2, started_at=timezone.now() - dt.timedelta(days=1))
    manual = RunFactory(
        user=alice, pain_before=None, pain_after=None, started_at=timezone.now() - dt.timedelta(days=2)
    )

    html = alice_client.get("/runs/").content.decode()

    def row(run: Run) -> str:
        start = html.index(f'id="run-{run.pk}"')
        return html[start : html.index("</li>", start)]

    assert f'<a class="badge needs-pain" href="/runs/{waiting.pk}/edit/">Add pain' in row(waiting)
    assert "Add pain" not in row(done)
    assert "Add pain" not in row(manual)


def test_the_needs_pain_filter_lists_only_imported_runs_waiting_for_pain(
    alice: User, alice_client: Client
) -> None:
    waiting = imported(alice)
    half = imported(alice, pain_before=2, started_at=timezone.now() - dt.timedelta(days=1))
    imported(alice, pain_before=1, pain_after=2, started_at=timezone.now() - dt.timedelta(days=2))
    RunFactory(user=alice, pain_before=None, pain_after=None)

    response = alice_client.get("/runs/?needs_pain=1")

    assert [run.pk for run in response.context["page"].object_list] == [waiting.pk, half.pk]
    page = HtmlPage(response.content)
    checkbox = page.assert_labels_one_control("waiting for pain scores")
    assert (checkbox["type"], "checked" in checkbox) == ("checkbox", True)


def test_the_needs_pain_filter_combines_with_dates(alice: User, alice_client: Client) -> None:
    imported(alice, started_at=dt.datetime(2024, 1, 10, 8, tzinfo=dt.UTC))
    recent = imported(alice, started_at=dt.datetime(2024, 3, 10, 8, tzinfo=dt.UTC))
    response = alice_client.get("/runs/?needs_pain=on&from=2024-03-01&to=2024-03-31")
    assert [run.pk for run in response.context["page"].object_list] == [recent.pk]


def test_the_needs_pain_filter_with_nothing_waiting(alice: User, alice_client: Client) -> None:
    RunFactory(user=alice)
    html = alice_client.get("/runs/?needs_pain=1").content.decode()
    assert "No imported runs are waiting for pain scores" in html


def test_bob_never_sees_alices_runs_waiting(alice: User, bob_client: Client) -> None:
    imported(alice)
    assert list(bob_client.get("/runs/?needs_pain=1").context["page"].object_list) == []
    assert "waiting for pain scores</a>" not in bob_client.get("/").content.decode()


def test_the_dashboard_says_how_many_runs_wait_and_follows_edits(alice: User, alice_client: Client) -> None:
    first = imported(alice)
    imported(alice, started_at=timezone.now() - dt.timedelta(days=1))
    run_services.analytics_refresh(alice)

    html = alice_client.get("/").content.decode()
    assert '<a href="/runs/?needs_pain=1">2 imported runs are waiting for pain scores</a>' in html

    run_services.run_update(first, pain_before=1, pain_after=1)
    html = alice_client.get("/").content.decode()
    assert "1 imported run is waiting for pain scores" in html

    Run.objects.filter(user=alice).update(pain_before=0, pain_after=0)  # not through a service: no refresh
    assert "waiting for pain scores" not in alice_client.get("/").content.decode()


def test_the_dashboard_asks_after_an_import(alice: User, alice_client: Client) -> None:
    alice_client.get("/")  # the cached partials of the empty log
    alice_client.post("/import/", {"files": [SimpleUploadedFile("a.gpx", gpx_line(START))]})
    assert "1 imported run is waiting for pain scores" in alice_client.get("/").content.decode()


def queries(client: Client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["/runs/?needs_pain=1", "/"])
def test_query_count_does_not_grow_with_imported_runs(alice: User, alice_client: Client, path: str) -> None:
    imported(alice)
    one = queries(alice_client, path)
    for n in range(1, 50):
        imported(alice, started_at=timezone.now() - dt.timedelta(days=n))
    assert queries(alice_client, path) == one


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    extension=st.sampled_from([".fit", ".gpx", ".tcx", ".csv", ".zip", ".bin"]), data=st.binary(max_size=1024)
)
def test_the_page_never_fails_on_arbitrary_bytes(alice_client: Client, extension: str, data: bytes) -> None:
    """The form without JavaScript: any file is imported or refused with a message."""
    response = alice_client.post("/import/", {"files": [SimpleUploadedFile("upload" + extension, data)]})
    assert response.status_code in {200, 400}
