"""The run pages: log a run, the list, edit, delete, the next-morning question, the
dashboard; each user sees only their own."""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpainlog.accounts.selectors import local_today, user_zone
from backpainlog.accounts.services import profile_update
from runs.models import Run
from shoes.models import Shoe
from tests.assertions import assert_field_error_shown
from tests.conftest import HtmlForm, HtmlPage
from tests.factories import InsoleFactory, PainCheckinFactory, RunFactory, ShoeFactory

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

HTMX = {"HX-Request": "true"}
MILE_M = 1609.344


def log_form(client: Client) -> HtmlForm:
    response = client.get("/runs/new/")
    assert response.status_code == 200
    return HtmlPage(response.content).form(id="run-form")


def log_run(client: Client, **fields: Any) -> Any:
    """Submit the log form as a browser would: its defaults, with ``fields`` typed in."""
    return client.post("/runs/new/", log_form(client).data(**fields))


def edit_form(client: Client, run: Run) -> HtmlForm:
    response = client.get(f"/runs/{run.pk}/edit/")
    assert response.status_code == 200
    return HtmlPage(response.content).form(id="run-form")


def local_noon(user: User, days_ago: int) -> dt.datetime:
    zone = user_zone(user)
    return dt.datetime.combine(local_today(user) - dt.timedelta(days=days_ago), dt.time(12), tzinfo=zone)


def snapshot(run: Run) -> dict[str, Any]:
    return dict(Run.objects.values().get(pk=run.pk))


@pytest.fixture
def alice_run(alice: User) -> Run:
    shoe = ShoeFactory(user=alice, name="Alice Ghosts")
    insole = InsoleFactory(user=alice, name="Alice Greens")
    return RunFactory(
        user=alice,
        shoe=shoe,
        insole=insole,
        started_at=timezone.now() - dt.timedelta(days=1),
        notes="alice secret tempo",
    )


# --- Isolation ---


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/runs/{id}/edit/"),
        ("post", "/runs/{id}/edit/"),
        ("get", "/runs/{id}/delete/"),
        ("post", "/runs/{id}/delete/"),
        ("post", "/runs/{id}/next-morning/"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_bob_gets_404_on_alices_run(
    bob_client: Client, alice_run: Run, method: str, path: str, htmx: bool
) -> None:
    before = snapshot(alice_run)
    data = {"distance": "1", "pain_next_morning": "5", "notes": "bob was here"} if method == "post" else None
    response = getattr(bob_client, method)(path.format(id=alice_run.pk), data, headers=HTMX if htmx else {})
    assert response.status_code == 404
    assert snapshot(alice_run) == before


@pytest.mark.parametrize("path", ["/", "/runs/", "/runs/?from=2000-01-01&to=2100-01-01", "/runs/new/"])
def test_bobs_pages_never_show_alices_runs(bob_client: Client, alice_run: Run, bob: User, path: str) -> None:
    RunFactory(user=bob, notes="bob easy jog", started_at=alice_run.started_at)
    html = bob_client.get(path).content.decode()
    assert "alice secret tempo" not in html
    assert "Alice Ghosts" not in html
    assert "Alice Greens" not in html
    assert str(alice_run.pk) not in html
    if path != "/runs/new/":
        assert "bob easy jog" in html


def test_bobs_log_form_offers_only_his_own_pairs(bob_client: Client, bob: User, alice_run: Run) -> None:
    bobs_shoe = ShoeFactory(user=bob, name="Bob Pegasus")
    bobs_insole = InsoleFactory(user=bob, name="Bob Soles")
    form = log_form(bob_client)
    assert form.options("shoe") == ["", str(bobs_shoe.pk)]
    assert form.options("insole") == ["", str(bobs_insole.pk)]


@pytest.mark.parametrize("field", ["shoe", "insole"])
def test_bob_cannot_put_alices_pair_on_his_run(bob_client: Client, alice_run: Run, field: str) -> None:
    alices_pair = getattr(alice_run, field)
    response = log_run(bob_client, distance="5", **{field: str(alices_pair.pk)})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Run.objects.filter(user__username="bob").exists()


@pytest.mark.parametrize("field", ["shoe", "insole"])
def test_bob_cannot_move_his_run_into_alices_pair(
    bob_client: Client, bob: User, alice_run: Run, field: str
) -> None:
    run = RunFactory(user=bob)
    data = edit_form(bob_client, run).data(**{field: str(getattr(alice_run, field).pk)})
    response = bob_client.post(f"/runs/{run.pk}/edit/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    run.refresh_from_db()
    assert getattr(run, field) is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/"),
        ("get", "/runs/"),
        ("get", "/runs/new/"),
        ("post", "/runs/new/"),
        ("get", "/runs/{id}/edit/"),
        ("post", "/runs/{id}/edit/"),
        ("get", "/runs/{id}/delete/"),
        ("post", "/runs/{id}/delete/"),
        ("get", "/runs/{id}/next-morning/"),
        ("post", "/runs/{id}/next-morning/"),
    ],
)
def test_anonymous_users_are_sent_to_login(client: Client, alice_run: Run, method: str, path: str) -> None:
    before = snapshot(alice_run)
    response = getattr(client, method)(path.format(id=alice_run.pk), {"pain_next_morning": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert snapshot(alice_run) == before


# --- The log form ---


@pytest.mark.parametrize(
    "label", ["Distance", "Duration", "Surface", "Shoes", "Pain before", "Pain after", "Notes"]
)
def test_log_form_labels_name_one_control_each(alice_client: Client, label: str) -> None:
    page = HtmlPage(alice_client.get("/runs/new/").content)
    control = page.assert_labels_one_control(label)
    names = {c.name for c in page.form(id="run-form").controls}
    assert control["name"] in names


def test_log_form_has_a_save_button(alice_client: Client) -> None:
    buttons = log_form(alice_client).buttons()
    assert [b.text.strip() for b in buttons] == ["Save"]


def test_number_boxes_offer_the_valid_range(alice_client: Client) -> None:
    """Phones step through min…max: they must match what the server accepts."""
    form = log_form(alice_client)
    for name, low, high in [("pain_before", "0", "10"), ("pain_after", "0", "10"), ("rpe", "1", "10")]:
        attrs = form.control(name).attrs
        assert (attrs.get("min"), attrs.get("max")) == (low, high), name


def test_log_form_is_one_tap_from_every_page(alice_client: Client, alice_run: Run) -> None:
    for path in [
        "/",
        "/runs/",
        "/pain/",
        "/pain/new/",
        "/shoes/",
        "/settings/",
        f"/runs/{alice_run.pk}/edit/",
    ]:
        assert 'href="/runs/new/"' in alice_client.get(path).content.decode(), path


def test_log_form_defaults_to_now_in_the_users_time_zone(alice: User, alice_client: Client) -> None:
    profile_update(user=alice, timezone="Pacific/Kiritimati")  # UTC+14: never the server's date
    value = log_form(alice_client).control("started_at").attrs["value"]
    shown = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M").replace(
        tzinfo=zoneinfo.ZoneInfo("Pacific/Kiritimati")
    )
    assert abs(shown - timezone.now()) < dt.timedelta(minutes=2)


def test_log_form_preselects_the_default_shoe_and_the_last_surface(alice: User, alice_client: Client) -> None:
    ShoeFactory(user=alice, name="Other pair")
    default = ShoeFactory(user=alice, name="Everyday", is_default=True)
    default_insole = InsoleFactory(user=alice, is_default=True)
    RunFactory(user=alice, surface="grass", started_at=timezone.now() - dt.timedelta(days=9))
    RunFactory(user=alice, surface="trail", started_at=timezone.now() - dt.timedelta(days=2))
    data = log_form(alice_client).data()
    assert data["shoe"] == str(default.pk)
    assert data["insole"] == str(default_insole.pk)
    assert data["surface"] == "trail"
    assert data["activity"] == "run"


def test_log_form_without_runs_or_shoes(alice_client: Client) -> None:
    data = log_form(alice_client).data()
    assert data["surface"] == "road"
    assert data["shoe"] == ""


def test_logging_a_run_without_htmx_redirects_to_the_list(alice: User, alice_client: Client) -> None:
    shoe = ShoeFactory(user=alice, is_default=True)
    response = log_run(
        alice_client,
        distance="10.5",
        duration="55:30",
        surface="trail",
        pain_before="2",
        pain_after="4",
        notes="hills felt fine",
    )
    assert response.status_code == 302
    assert response["Location"] == "/runs/"
    run = Run.objects.get(user=alice)
    assert run.distance_m == pytest.approx(10_500.0)
    assert run.duration_s == 3330
    assert (run.surface, run.shoe, run.pain_before, run.pain_after) == ("trail", shoe, 2, 4)
    assert run.notes == "hills felt fine"
    assert abs(run.started_at - timezone.now()) < dt.timedelta(minutes=2)
    assert "Run saved." in alice_client.get("/runs/").content.decode()


def test_logging_a_run_with_htmx_returns_the_saved_partial(alice: User, alice_client: Client) -> None:
    ShoeFactory(user=alice, name="Clifton", is_default=True)
    response = alice_client.post(
        "/runs/new/", log_form(alice_client).data(distance="8", pain_before="1", pain_after="2"), headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saved" in html
    assert "<html" not in html
    assert "8.00 km" in html
    assert "Clifton" in html
    assert Run.objects.filter(user=alice).count() == 1


def test_invalid_run_with_htmx_returns_only_the_form_with_errors(alice: User, alice_client: Client) -> None:
    response = alice_client.post("/runs/new/", log_form(alice_client).data(distance="abc"), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="run-form"' in html
    assert 'class="error"' in html
    assert not Run.objects.exists()


def test_a_mile_user_types_miles(alice: User, alice_client: Client) -> None:
    profile_update(user=alice, distance_unit="mi")
    assert log_run(alice_client, distance="3.1").status_code == 302
    run = Run.objects.get(user=alice)
    assert run.distance_m == pytest.approx(3.1 * MILE_M)
    assert edit_form(alice_client, run).control("distance").attrs["value"] == "3.1"
    assert "3.10 mi" in alice_client.get("/runs/").content.decode()


@pytest.mark.parametrize(("unit", "high"), [("mi", "310"), ("km", "500")])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_distance_round_trips_through_the_forms_without_drift(
    alice: User, alice_client: Client, unit: str, high: str, data: st.DataObject
) -> None:
    profile_update(user=alice, distance_unit=unit)
    typed = data.draw(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(high), places=3))
    # Long ones are asked about first ("Is this right?"): answered with "Save anyway".
    response = alice_client.post(
        "/runs/new/", log_form(alice_client).data(distance=str(typed), save_anyway="1"), headers=HTMX
    )
    assert response.status_code == 200
    run = Run.objects.filter(user=alice).order_by("-created_at").first()
    assert run is not None
    stored = run.distance_m
    assert stored == pytest.approx(float(typed) * (MILE_M if unit == "mi" else 1000))
    form = edit_form(alice_client, run)
    assert form.control("distance").attrs["value"] == f"{typed.normalize():f}"
    # Saving the edit form untouched changes nothing.
    assert alice_client.post(f"/runs/{run.pk}/edit/", form.data()).status_code == 302
    run.refresh_from_db()
    assert run.distance_m == stored


@pytest.mark.parametrize(
    ("typed", "seconds"), [("45", 2700), ("45:30", 2730), ("1:05:30", 3930), ("45.5", 2730)]
)
def test_duration_accepts(alice: User, alice_client: Client, typed: str, seconds: int) -> None:
    assert log_run(alice_client, distance="5", duration=typed).status_code == 302
    run = Run.objects.get(user=alice)
    assert run.duration_s == seconds
    shown = edit_form(alice_client, run).control("duration").attrs["value"]
    assert shown == {2700: "45:00", 2730: "45:30", 3930: "1:05:30"}[seconds]


@pytest.mark.parametrize(
    "typed", ["abc", "1:75:00", "0", "49:00:00", "-5", "NaN", "Infinity", "1e999999", "1e999999999"]
)
def test_duration_rejects(alice_client: Client, typed: str) -> None:
    response = log_run(alice_client, distance="5", duration=typed)
    assert response.status_code == 200
    assert "duration" in response.context["form"].errors
    assert not Run.objects.exists()


LONG_NOTES = "x" * 2001


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("distance", "0"),
        ("distance", "-1"),
        ("distance", "abc"),
        ("distance", ""),
        ("distance", "500.001"),
        ("distance", "1e9"),
        ("distance", "NaN"),
        ("distance", "5.0001"),
        ("pain_before", "11"),
        ("pain_before", "-1"),
        ("pain_before", "abc"),
        ("pain_after", "11"),
        ("pain_after", "-1"),
        ("rpe", "0"),
        ("rpe", "11"),
        ("elevation_gain_m", "-1"),
        ("elevation_gain_m", "20001"),
        ("elevation_gain_m", "inf"),
        ("started_at", "2999-01-01T10:00"),
        ("started_at", "1800-01-01T10:00"),
        ("started_at", "not a date"),
        ("started_at", ""),
        ("surface", "lava"),
        ("activity", "swim"),
        ("shoe", "abc"),
        ("shoe", "999999"),
        ("shoe", "99999999999999999999999"),
        ("shoe", "1.5"),
        ("started_at", "2025-01-01T10:00+99:00"),
        ("insole", "-1"),
        ("notes", LONG_NOTES),
        ("notes", "y" * 10_000),
        ("notes", "nul \x00 byte"),
        ("pain_after", "9" * 5000),
    ],
)
def test_bad_input_shows_the_error_and_stores_nothing(alice_client: Client, field: str, value: str) -> None:
    typed = {"distance": "5", field: value}
    response = log_run(alice_client, **typed)
    assert_field_error_shown(response, field)
    assert not Run.objects.exists()


def test_a_distance_over_the_limit_in_miles_is_refused_on_the_distance_field(
    alice: User, alice_client: Client
) -> None:
    profile_update(user=alice, distance_unit="mi")
    # Just under 500 km, saved anyway when asked whether it is right.
    assert log_run(alice_client, distance="310.685", save_anyway="1").status_code == 302
    response = log_run(alice_client, distance="310.686", save_anyway="1")
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["distance"]
    assert Run.objects.count() == 1


def test_a_nonexistent_local_time_is_a_form_error(alice: User, alice_client: Client) -> None:
    profile_update(user=alice, timezone="Europe/Berlin")
    response = log_run(alice_client, distance="5", started_at="2025-03-30T02:30")  # clocks jump 2→3
    assert response.status_code == 200
    assert "started_at" in response.context["form"].errors
    assert not Run.objects.exists()


@pytest.mark.parametrize(
    ("zone", "typed"),
    [
        ("Pacific/Kiritimati", "0001-01-01T00:00"),
        ("Pacific/Pago_Pago", "9999-12-31T23:59"),
        ("UTC", "1899-12-31T23:59"),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_form_errors(
    alice: User, alice_client: Client, zone: str, typed: str
) -> None:
    profile_update(user=alice, timezone=zone)
    response = log_run(alice_client, distance="5", started_at=typed)
    assert response.status_code == 200
    assert "started_at" in response.context["form"].errors
    assert not Run.objects.exists()


def test_started_at_is_read_in_the_users_time_zone(alice: User, alice_client: Client) -> None:
    profile_update(user=alice, timezone="America/New_York")
    assert log_run(alice_client, distance="5", started_at="2025-01-15T07:30").status_code == 302
    assert Run.objects.get().started_at == dt.datetime(2025, 1, 15, 12, 30, tzinfo=dt.UTC)


def test_the_pages_carry_working_csrf_tokens(alice: User) -> None:
    """A browser enforces CSRF: the form's token and the htmx header on <body> both work."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert log_run(client, distance="5").status_code == 302
    run = Run.objects.get(user=alice)
    html = client.get("/runs/").content.decode()
    match = re.search(r"hx-headers='(\{[^']*\})'", html)
    assert match
    headers = {**json.loads(match.group(1)), **HTMX}
    assert client.post(f"/runs/{run.pk}/delete/").status_code == 403
    response = client.post(f"/runs/{run.pk}/delete/", headers=headers)
    assert response.status_code == 200
    assert not Run.objects.exists()


# --- Runs list ---


def test_runs_are_listed_newest_first(alice: User, alice_client: Client) -> None:
    now = timezone.now()
    RunFactory(user=alice, started_at=now - dt.timedelta(days=3), notes="oldest run")
    RunFactory(user=alice, started_at=now - dt.timedelta(hours=1), notes="newest run")
    RunFactory(user=alice, started_at=now - dt.timedelta(days=1), notes="middle run")
    html = alice_client.get("/runs/").content.decode()
    assert html.index("newest run") < html.index("middle run") < html.index("oldest run")


def test_runs_filter_by_local_dates_inclusive(alice: User, alice_client: Client) -> None:
    profile_update(user=alice, timezone="America/New_York")
    zone = zoneinfo.ZoneInfo("America/New_York")
    RunFactory(user=alice, started_at=dt.datetime(2025, 3, 9, 23, 30, tzinfo=zone), notes="sunday late")
    RunFactory(user=alice, started_at=dt.datetime(2025, 3, 10, 0, 5, tzinfo=zone), notes="monday early")
    RunFactory(user=alice, started_at=dt.datetime(2025, 3, 11, 23, 50, tzinfo=zone), notes="tuesday late")
    RunFactory(user=alice, started_at=dt.datetime(2025, 3, 12, 0, 10, tzinfo=zone), notes="wednesday early")
    html = alice_client.get("/runs/?from=2025-03-10&to=2025-03-11").content.decode()
    assert "monday early" in html
    assert "tuesday late" in html
    assert "sunday late" not in html  # 04:30 UTC on the 10th, but the 9th where she lives
    assert "wednesday early" not in html
    html = alice_client.get("/runs/?from=2025-03-11").content.decode()
    assert "tuesday late" in html
    assert "wednesday early" in html
    assert "monday early" not in html
    html = alice_client.get("/runs/?to=2025-03-09").content.decode()
    assert "sunday late" in html
    assert "monday early" not in html


@pytest.mark.parametrize(
    "query",
    [
        "from=2025-13-45",
        "from=yesterday",
        "to=2025-02-30",
        "from=2025-03-10&to=2025-03-01",
        "from=9999-12-31",
        "to=0001-01-01",
        "from=1850-01-01",
        "page=abc",
        "page=-1",
        "page=99999",
    ],
)
def test_invalid_filters_show_an_error_and_filter_nothing(
    alice: User, alice_client: Client, query: str
) -> None:
    RunFactory(user=alice, notes="still listed")
    for htmx in (False, True):
        response = alice_client.get(f"/runs/?{query}", headers=HTMX if htmx else {})
        assert response.status_code == 200
        html = response.content.decode()
        assert "still listed" in html
        if not query.startswith("page"):
            assert response.context["filter_form"].errors
            # With htmx the filter comes back out of band, to show its errors too.
            filter_form = HtmlPage(html).form(action="/runs/")
            assert filter_form.attrs.get("hx-swap-oob") == ("true" if htmx else None)
            assert 'class="error"' in html


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "Africa/Monrovia", "Pacific/Kiritimati", "America/Adak"])
def test_filters_at_the_ends_of_the_range_in_odd_time_zones(
    alice: User, alice_client: Client, zone: str
) -> None:
    """1900 is before many zones had whole-minute offsets; 2100 is the last allowed year."""
    profile_update(user=alice, timezone=zone)
    RunFactory(user=alice, started_at=dt.datetime(1900, 1, 1, 12, tzinfo=dt.UTC), notes="very old run")
    html = alice_client.get("/runs/?from=1900-01-01&to=2100-12-31").content.decode()
    assert "very old run" in html
    assert alice_client.get("/pain/?from=1900-01-01&to=2100-12-31").status_code == 200


def test_runs_are_paginated(alice: User, alice_client: Client) -> None:
    now = timezone.now()
    for n in range(52):
        RunFactory(user=alice, started_at=now - dt.timedelta(hours=n + 1), notes=f"run number {n:02d}")
    first = alice_client.get("/runs/").content.decode()
    assert first.count('class="item"') == 50
    assert "run number 00" in first
    assert "run number 50" not in first
    assert "?page=2" in first
    second = alice_client.get("/runs/?page=2").content.decode()
    assert second.count('class="item"') == 2
    assert "run number 50" in second
    assert "run number 51" in second
    assert "run number 00" not in second


def test_runs_list_keeps_the_filter_across_pages(alice: User, alice_client: Client) -> None:
    start = dt.datetime(2025, 5, 1, 8, tzinfo=dt.UTC)
    for n in range(55):
        RunFactory(user=alice, started_at=start + dt.timedelta(hours=n))
    RunFactory(user=alice, started_at=start + dt.timedelta(days=30), notes="outside")
    html = alice_client.get("/runs/?from=2025-05-01&to=2025-05-10").content.decode()
    assert "from=2025-05-01&amp;to=2025-05-10&amp;page=2" in html
    second = alice_client.get("/runs/?from=2025-05-01&to=2025-05-10&page=2").content.decode()
    assert second.count('class="item"') == 5
    assert "outside" not in second


def test_htmx_list_request_returns_only_the_results(alice: User, alice_client: Client) -> None:
    RunFactory(user=alice, notes="in the partial")
    response = alice_client.get("/runs/?from=2000-01-01", headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.startswith('<div id="results">')
    assert "<html" not in html
    assert "<h1" not in html
    assert "in the partial" in html
    assert "HX-Request" in response["Vary"]


def test_empty_list_says_so(alice_client: Client) -> None:
    assert "No runs yet" in alice_client.get("/runs/").content.decode()
    assert "No runs in this period" in alice_client.get("/runs/?from=2020-01-01").content.decode()
    assert "No runs yet" in alice_client.get("/runs/?page=2").content.decode()


# --- Edit and delete ---


def test_edit_form_shows_the_run_and_saves_changes(alice: User, alice_client: Client, alice_run: Run) -> None:
    form = edit_form(alice_client, alice_run)
    data = form.data()
    assert data["distance"] == "8"
    assert data["duration"] == "45:00"
    assert data["shoe"] == str(alice_run.shoe_id)
    assert data["pain_before"] == "2"
    assert data["notes"] == "alice secret tempo"
    response = alice_client.post(
        f"/runs/{alice_run.pk}/edit/",
        form.data(distance="9.25", pain_next_morning="1", notes="edited", surface="track"),
    )
    assert response.status_code == 302
    assert response["Location"] == "/runs/"
    alice_run.refresh_from_db()
    assert alice_run.distance_m == pytest.approx(9250.0)
    assert (alice_run.pain_next_morning, alice_run.notes, alice_run.surface) == (1, "edited", "track")


def test_edit_form_labels_next_morning_pain(alice_client: Client, alice_run: Run) -> None:
    page = HtmlPage(alice_client.get(f"/runs/{alice_run.pk}/edit/").content)
    page.assert_labels_one_control("Pain next morning")
    page.assert_labels_one_control("Pain before")


def test_edit_keeps_a_retired_shoe_on_the_run(alice: User, alice_client: Client) -> None:
    old = ShoeFactory(user=alice, name="Old faithful", retired_on=dt.date(2025, 6, 1))
    run = RunFactory(user=alice, shoe=old, started_at=dt.datetime(2025, 5, 1, 8, tzinfo=dt.UTC))
    form = edit_form(alice_client, run)
    assert str(old.pk) in form.options("shoe")
    assert form.data()["shoe"] == str(old.pk)
    assert alice_client.post(f"/runs/{run.pk}/edit/", form.data(notes="x")).status_code == 302
    run.refresh_from_db()
    assert run.shoe == old
    assert str(old.pk) not in log_form(alice_client).options("shoe")


def test_edit_with_bad_input_changes_nothing(alice_client: Client, alice_run: Run) -> None:
    before = snapshot(alice_run)
    response = alice_client.post(
        f"/runs/{alice_run.pk}/edit/", edit_form(alice_client, alice_run).data(pain_after="12")
    )
    assert response.status_code == 200
    assert "pain_after" in response.context["form"].errors
    assert snapshot(alice_run) == before


def test_delete_asks_first_then_deletes(alice_client: Client, alice_run: Run) -> None:
    response = alice_client.get(f"/runs/{alice_run.pk}/delete/")
    assert response.status_code == 200
    assert "Delete this run?" in response.content.decode()
    assert Run.objects.filter(pk=alice_run.pk).exists()
    response = alice_client.post(f"/runs/{alice_run.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == "/runs/"
    assert not Run.objects.filter(pk=alice_run.pk).exists()
    assert alice_client.post(f"/runs/{alice_run.pk}/delete/").status_code == 404


def test_htmx_delete_redirects_the_page(alice_client: Client, alice_run: Run) -> None:
    response = alice_client.post(f"/runs/{alice_run.pk}/delete/", headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/runs/"
    assert not Run.objects.filter(pk=alice_run.pk).exists()


def test_deleting_a_run_keeps_its_shoe(alice_client: Client, alice_run: Run) -> None:
    shoe = alice_run.shoe
    assert shoe is not None
    alice_client.post(f"/runs/{alice_run.pk}/delete/")
    assert Shoe.objects.filter(pk=shoe.pk).exists()


# --- The next-morning question ---


def next_morning_buttons(html: str, run: Run) -> list[str]:
    form = HtmlPage(html).form(action=f"/runs/{run.pk}/next-morning/")
    return [b.attrs["value"] for b in form.buttons() if b.name == "pain_next_morning"]


def test_dashboard_asks_about_yesterdays_run(alice: User, alice_client: Client) -> None:
    profile_update(user=alice, timezone="Asia/Tokyo")
    run = RunFactory(user=alice, started_at=local_noon(alice, 1), distance_m=6000.0)
    html = alice_client.get("/").content.decode()
    assert "How is your back this morning" in html
    assert next_morning_buttons(html, run) == [str(n) for n in range(11)]
    assert "0 (no pain)" in html
    assert "10 (worst imaginable)" in html


def test_a_run_from_the_day_before_yesterday_is_asked_about_in_the_past_tense(
    alice: User, alice_client: Client
) -> None:
    run = RunFactory(user=alice, started_at=local_noon(alice, 2), distance_m=6000.0)
    html = alice_client.get("/").content.decode()
    day = run.started_at.astimezone(user_zone(alice))
    assert f"How was your back the morning after your 6.00 km run of {day:%A} {day.day} {day:%b}?" in html
    assert "this morning" not in html
    assert next_morning_buttons(html, run) == [str(n) for n in range(11)]


def test_older_runs_are_not_asked_about(alice: User, alice_client: Client) -> None:
    run = RunFactory(user=alice, started_at=local_noon(alice, 3))
    html = alice_client.get("/").content.decode()
    assert f"/runs/{run.pk}/next-morning/" not in html


def test_answering_the_question_saves_it(alice: User, alice_client: Client) -> None:
    run = RunFactory(user=alice, started_at=local_noon(alice, 1))
    response = alice_client.post(f"/runs/{run.pk}/next-morning/", {"pain_next_morning": "3"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    run.refresh_from_db()
    assert run.pain_next_morning == 3
    # The same day the answer shows, and can still be changed.
    html = alice_client.get("/").content.decode()
    assert "Thanks: next-morning pain 3/10 saved" in html
    assert "Change it" in html
    assert next_morning_buttons(html, run) == [str(n) for n in range(11)]
    alice_client.post(f"/runs/{run.pk}/next-morning/", {"pain_next_morning": "5"})
    run.refresh_from_db()
    assert run.pain_next_morning == 5


def test_an_answer_from_an_earlier_day_is_not_shown_again(alice: User, alice_client: Client) -> None:
    run = RunFactory(user=alice, started_at=local_noon(alice, 2), pain_next_morning=4)
    Run.objects.filter(pk=run.pk).update(updated_at=local_noon(alice, 1))
    html = alice_client.get("/").content.decode()
    assert f"/runs/{run.pk}/next-morning/" not in html


def test_answering_with_htmx_returns_thanks(alice: User, alice_client: Client) -> None:
    run = RunFactory(user=alice, started_at=local_noon(alice, 1))
    response = alice_client.post(f"/runs/{run.pk}/next-morning/", {"pain_next_morning": "3"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thanks" in html
    assert "3/10" in html
    assert "<html" not in html
    run.refresh_from_db()
    assert run.pain_next_morning == 3


@pytest.mark.parametrize("value", ["11", "-1", "abc", "", "3.5"])
def test_a_bad_next_morning_answer_changes_nothing(alice: User, alice_client: Client, value: str) -> None:
    run = RunFactory(user=alice, started_at=local_noon(alice, 1))
    response = alice_client.post(f"/runs/{run.pk}/next-morning/", {"pain_next_morning": value}, headers=HTMX)
    assert response.status_code == 400
    assert "<html" not in response.content.decode()
    response = alice_client.post(f"/runs/{run.pk}/next-morning/", {"pain_next_morning": value}, follow=True)
    assert response.status_code == 200
    assert "Choose a pain score from 0 to 10." in response.content.decode()
    run.refresh_from_db()
    assert run.pain_next_morning is None


def test_next_morning_takes_only_post(alice_client: Client, alice_run: Run) -> None:
    assert alice_client.get(f"/runs/{alice_run.pk}/next-morning/").status_code == 405


def test_todays_run_is_not_asked_about(alice: User, alice_client: Client) -> None:
    profile_update(user=alice, timezone="Pacific/Kiritimati")
    zone = zoneinfo.ZoneInfo("Pacific/Kiritimati")
    start_of_today = dt.datetime.combine(local_today(alice), dt.time.min, tzinfo=zone)
    RunFactory(user=alice, started_at=start_of_today + dt.timedelta(seconds=1), notes="today")
    answered = RunFactory(user=alice, started_at=local_noon(alice, 1), pain_next_morning=2)
    Run.objects.filter(pk=answered.pk).update(updated_at=start_of_today - dt.timedelta(hours=1))
    html = alice_client.get("/").content.decode()
    assert "How is your back this morning" not in html
    assert f"/runs/{answered.pk}/next-morning/" not in html


# --- Dashboard ---


def test_dashboard_shows_recent_runs_shoes_and_checkins(alice: User, alice_client: Client) -> None:
    shoe = ShoeFactory(user=alice, name="Dash pair", is_default=True)
    RunFactory(user=alice, shoe=shoe, notes="dash run")
    PainCheckinFactory(user=alice, score=6, notes="dash check-in")
    html = alice_client.get("/").content.decode()
    assert "Hello, alice" in html
    assert "dash run" in html
    assert "Dash pair" in html
    assert "Pain 6/10" in html


def test_dashboard_for_a_new_user(alice_client: Client) -> None:
    html = alice_client.get("/").content.decode()
    assert "No runs yet" in html
    assert "No shoes yet" in html


# --- Query counts ---


def fill(user: User, count: int) -> None:
    """``count`` runs with shoes and insoles, some of them awaiting the next-morning question."""
    shoe = ShoeFactory(user=user, is_default=not user.shoes.exists())
    insole = InsoleFactory(user=user)
    for n in range(count):
        RunFactory(
            user=user,
            shoe=shoe,
            insole=insole,
            started_at=timezone.now() - dt.timedelta(hours=20 + n),
            pain_next_morning=None,
        )
        PainCheckinFactory(user=user)


def queries_for(client: Client, path: str) -> int:
    client.get(path)  # warm up: the profile is created on first use
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["/", "/runs/", "/runs/?from=2000-01-01&to=2100-01-01", "/runs/new/"])
def test_query_count_does_not_grow_with_rows(alice: User, alice_client: Client, path: str) -> None:
    fill(alice, 1)
    one = queries_for(alice_client, path)
    fill(alice, 49)
    assert Run.objects.filter(user=alice).count() == 50
    assert queries_for(alice_client, path) == one
