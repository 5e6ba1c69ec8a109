"""GET /export/runs.csv: columns, values in the user's unit and time zone, dates, isolation,
both doors (session and token), constant queries and streaming."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from backpainlog.accounts.services import profile_update
from exports.csv import stream_runs_csv
from exports.csvformat import SI_COLUMNS, header
from runs.models import Run
from tests.exports.helpers import body, csv_rows
from tests.factories import InsoleFactory, RunFactory, ShoeFactory

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

URL = "/export/runs.csv"
LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LOS_ANGELES)


@pytest.fixture
def californian(alice: User) -> User:
    profile_update(user=alice, timezone="America/Los_Angeles", distance_unit="mi")
    return alice


def test_header_in_the_users_unit(alice: User, alice_client: Client) -> None:
    response = alice_client.get(URL)
    assert response.status_code == 200
    first_line = body(response).decode("utf-8-sig").splitlines()[0]
    assert first_line.split(",") == header("km")
    assert first_line.startswith("id,started_at,date,activity,distance_m,duration_s")

    profile_update(user=alice, distance_unit="mi")
    first_line = body(alice_client.get(URL)).decode("utf-8-sig").splitlines()[0]
    assert first_line.split(",")[len(SI_COLUMNS) :] == ["time", "distance_mi", "duration", "pace_per_mi"]


def test_file_is_utf8_with_bom_and_an_attachment(alice: User, alice_client: Client) -> None:
    RunFactory(user=alice, notes="Müde, aber gut 🏃")
    response = alice_client.get(URL)
    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="backpainlog-runs-')
    assert response["Content-Disposition"].endswith('.csv"')
    assert "no-store" in response["Cache-Control"]
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "Müde, aber gut 🏃" in raw.decode("utf-8-sig")


def test_values_in_the_users_unit_and_time_zone(californian: User, alice_client: Client) -> None:
    shoe = ShoeFactory(user=californian, name="Pegasus")
    insole = InsoleFactory(user=californian, name="Green")
    run = RunFactory(
        user=californian,
        # 23:30 in Los Angeles is already the next day in UTC.
        started_at=local(2026, 3, 14, 23, 30),
        activity=Run.Activity.RUN,
        distance_m=8046.72,  # 5 miles
        duration_s=2400,
        elevation_gain_m=42.5,
        surface=Run.Surface.TRAIL,
        shoe=shoe,
        insole=insole,
        pain_before=1,
        pain_after=4,
        pain_next_morning=2,
        rpe=7,
        notes='Hilly, "fast"\nsecond line',
        pain_regions=["below_knee_left", "low_back_center"],
    )
    Run.objects.filter(pk=run.pk).update(flags=["long_run_spike", "pain_flare"])

    [row] = csv_rows(alice_client.get(URL))

    assert row == {
        "id": str(run.pk),
        "started_at": "2026-03-14T23:30:00-07:00",
        "date": "2026-03-14",
        "activity": "run",
        "distance_m": "8046.72",
        "duration_s": "2400",
        "elevation_gain_m": "42.5",
        "surface": "trail",
        "shoe": "Pegasus",
        "insole": "Green",
        "pain_before": "1",
        "pain_after": "4",
        "pain_next_morning": "2",
        "rpe": "7",
        "flags": "long_run_spike;pain_flare",
        "notes": 'Hilly, "fast"\nsecond line',
        "source": "manual",
        "pain_regions": "low_back_center;below_knee_left",
        "time": "23:30",
        "distance_mi": "5.00",
        "duration": "0:40:00",
        "pace_per_mi": "8:00",
    }


def test_empty_cells_for_what_was_not_recorded(alice: User, alice_client: Client) -> None:
    RunFactory(
        user=alice,
        started_at=dt.datetime(2026, 5, 1, 6, 0, tzinfo=dt.UTC),
        activity=Run.Activity.WALK,
        distance_m=3000.0,
        duration_s=None,
        pain_before=None,
        pain_after=None,
    )
    [row] = csv_rows(alice_client.get(URL))
    assert row["activity"] == "walk"
    assert row["distance_m"] == "3000"
    assert row["distance_km"] == "3.00"
    assert row["started_at"] == "2026-05-01T06:00:00+00:00"
    for column in (
        "duration_s",
        "elevation_gain_m",
        "shoe",
        "insole",
        "pain_before",
        "pain_after",
        "pain_next_morning",
        "rpe",
        "flags",
        "notes",
        "duration",
        "pace_per_km",
    ):
        assert row[column] == "", column


def test_rows_are_oldest_first(alice: User, alice_client: Client) -> None:
    newer = RunFactory(user=alice, started_at=dt.datetime(2026, 6, 2, tzinfo=dt.UTC))
    older = RunFactory(user=alice, started_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    assert [row["id"] for row in csv_rows(alice_client.get(URL))] == [str(older.pk), str(newer.pk)]


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","Click")',
        "+SUM(1,2)",
        "-2+3",
        "@SUM(A1)",
        "\tstarts with a tab",
        "\rstarts with a return",
    ],
)
def test_formulas_come_out_as_text(alice: User, alice_client: Client, text: str) -> None:
    RunFactory(user=alice, notes=text, shoe=ShoeFactory(user=alice, name=text))
    [row] = csv_rows(alice_client.get(URL))
    assert row["notes"] == "'" + text
    assert row["shoe"] == "'" + text


def test_from_and_to_are_inclusive_local_dates(californian: User, alice_client: Client) -> None:
    before = RunFactory(user=californian, started_at=local(2026, 3, 13, 23, 59))
    first = RunFactory(user=californian, started_at=local(2026, 3, 14, 0, 0))
    last = RunFactory(user=californian, started_at=local(2026, 3, 15, 23, 59))
    after = RunFactory(user=californian, started_at=local(2026, 3, 16, 0, 0))

    def ids(query: str) -> list[str]:
        return [row["id"] for row in csv_rows(alice_client.get(URL + query))]

    assert ids("?from=2026-03-14&to=2026-03-15") == [str(first.pk), str(last.pk)]
    assert ids("?from=2026-03-15") == [str(last.pk), str(after.pk)]
    assert ids("?to=2026-03-13") == [str(before.pk)]
    assert ids("?from=2026-03-14&to=2026-03-14") == [str(first.pk)]
    assert ids("") == [str(run.pk) for run in (before, first, last, after)]
    assert ids("?from=&to=") == [str(run.pk) for run in (before, first, last, after)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?from=yesterday", "from"),
        ("?from=2026-13-01", "from"),
        ("?to=2026-02-30", "to"),
        ("?from=2026-03-15&to=2026-03-14", "to"),
        ("?from=0001-01-01", "from"),
        ("?to=9999-12-31", "to"),
        ("?from=2026-03-14T00:00", "from"),
        ("?from=" + "1" * 5000, "from"),
        ("?from=%00", "from"),
        ("?from=2026-03-14&from=nonsense", "from"),  # the last value counts, as everywhere
        ("?to=-2026-03-14", "to"),
    ],
)
def test_bad_dates_are_400_with_a_message(alice_client: Client, query: str, field: str) -> None:
    response = alice_client.get(URL + query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert field in response.json()
    assert response.json()[field][0]


def test_bob_never_gets_alices_runs(alice: User, bob: User, bob_client: Client) -> None:
    alices = RunFactory.create_batch(3, user=alice, notes="alice's secret")
    bobs = RunFactory(user=bob)
    response = bob_client.get(URL)
    assert [row["id"] for row in csv_rows(response)] == [str(bobs.pk)]
    text = body(bob_client.get(URL)).decode("utf-8-sig")
    assert "alice's secret" not in text
    assert not any(str(run.pk) in text for run in alices)


def test_token_auth(alice: User, alice_api: APIClient) -> None:
    run = RunFactory(user=alice)
    response = alice_api.get(URL, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert [row["id"] for row in csv_rows(response)] == [str(run.pk)]


def test_without_credentials_an_api_client_gets_401(alice: User) -> None:
    RunFactory(user=alice)
    response = APIClient().get(URL)
    assert response.status_code == 401
    assert response.has_header("WWW-Authenticate")
    assert b"," not in response.content  # no CSV


def test_a_bad_token_is_401_even_from_a_browser(alice: User) -> None:
    response = Client().get(URL, HTTP_AUTHORIZATION="Token nope", HTTP_ACCEPT="text/html")
    assert response.status_code == 401


def test_without_a_session_a_browser_goes_to_the_login_page(alice: User) -> None:
    RunFactory(user=alice)
    response = Client().get(URL + "?from=2026-01-01", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/export/runs.csv%3Ffrom%3D2026-01-01"


def test_other_methods_are_refused(alice_client: Client) -> None:
    assert alice_client.post(URL).status_code in {403, 405}  # CSRF first, for a session
    assert alice_client.head(URL).status_code == 200


def test_queries_do_not_depend_on_the_number_of_runs(alice: User, alice_client: Client) -> None:
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = alice_client.get(URL)
            body(response)
        return len(captured)

    RunFactory(user=alice, shoe=ShoeFactory(user=alice), insole=InsoleFactory(user=alice))
    count_queries()  # the first request of a session creates the profile
    one = count_queries()
    for _ in range(49):
        RunFactory(user=alice, shoe=ShoeFactory(user=alice), insole=InsoleFactory(user=alice))
    fifty = count_queries()
    assert len(csv_rows(alice_client.get(URL))) == 50
    assert one == fifty
    # session, user, profile, the export's event in the account activity, runs with
    # their shoes and insoles
    assert one <= 5


def test_stream_runs_csv_for_share_links(californian: User, bob: User) -> None:
    """The function share links serve: the owner's runs in the owner's unit and zone."""
    run = RunFactory(user=californian, started_at=local(2026, 3, 14, 23, 30))
    RunFactory(user=bob, started_at=local(2026, 3, 14, 12, 0))
    response = stream_runs_csv(californian, start=dt.date(2026, 3, 14), end=dt.date(2026, 3, 14))
    assert response.streaming is True
    [row] = csv_rows(response)
    assert row["id"] == str(run.pk)
    assert row["date"] == "2026-03-14"
    assert "distance_mi" in row


@pytest.mark.parametrize("query", ["?format=json", "?format=csv", "?page=2", "?unknown=1"])
def test_other_parameters_are_ignored(alice: User, alice_client: Client, query: str) -> None:
    run = RunFactory(user=alice)
    response = alice_client.get(URL + query)
    assert response.status_code == 200
    assert [row["id"] for row in csv_rows(response)] == [str(run.pk)]


def test_options_is_not_an_error(alice_client: Client) -> None:
    assert alice_client.options(URL).status_code == 200
