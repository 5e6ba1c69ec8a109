"""The pain check-in pages: one screen, three taps; the list, edit and delete; each user
sees only their own."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backpainlog.accounts.services import profile_update
from runs.models import PainCheckin
from tests.assertions import assert_field_error_shown
from tests.conftest import HtmlForm, HtmlPage
from tests.factories import PainCheckinFactory

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

HTMX = {"HX-Request": "true"}


def checkin_form(client: Client, path: str = "/pain/new/") -> HtmlForm:
    response = client.get(path)
    assert response.status_code == 200
    forms = [f for f in HtmlPage(response.content).forms if f.attrs.get("class") == "stack"]
    assert len(forms) == 1
    return forms[0]


def snapshot(checkin: PainCheckin) -> dict[str, Any]:
    return dict(PainCheckin.objects.values().get(pk=checkin.pk))


@pytest.fixture
def alice_checkin(alice: User) -> PainCheckin:
    return PainCheckinFactory(user=alice, score=7, radiating_leg_pain=True, notes="alice sciatica flare")


# --- The check-in screen ---


def test_pain_labels_exactly_one_control(alice_client: Client) -> None:
    page = HtmlPage(alice_client.get("/pain/new/").content)
    control = page.assert_labels_one_control("Pain")
    assert control["name"] == "score"
    # get_by_label matches substrings: no other label on the page may mention pain.
    assert [text for _, text in page.labels if "pain" in text.lower()] == ["Pain"]


def test_checkin_form_has_a_save_button(alice_client: Client) -> None:
    assert [b.text.strip() for b in checkin_form(alice_client).buttons()] == ["Save"]


def test_checkin_form_shows_the_scale_with_words_at_the_ends(alice_client: Client) -> None:
    html = alice_client.get("/pain/new/").content.decode()
    for n in range(11):
        assert f'data-value="{n}"' in html
    assert "0 no pain" in html
    assert "10 worst imaginable" in html


def test_three_taps_open_score_save(alice: User, alice_client: Client) -> None:
    profile_update(user=alice, timezone="America/Los_Angeles")
    form = checkin_form(alice_client)
    response = alice_client.post("/pain/new/", form.data(score="4"))
    assert response.status_code == 302
    assert response["Location"] == "/"
    checkin = PainCheckin.objects.get(user=alice)
    assert checkin.score == 4
    assert checkin.radiating_leg_pain is False
    assert checkin.notes == ""
    assert abs(checkin.recorded_at - timezone.now()) < dt.timedelta(minutes=2)
    assert "Pain check-in saved." in alice_client.get("/").content.decode()


def test_default_time_is_now_in_the_users_time_zone(alice: User, alice_client: Client) -> None:
    profile_update(user=alice, timezone="Asia/Kathmandu")  # UTC+5:45
    value = checkin_form(alice_client).control("recorded_at").attrs["value"]
    shown = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M").replace(tzinfo=zoneinfo.ZoneInfo("Asia/Kathmandu"))
    assert abs(shown - timezone.now()) < dt.timedelta(minutes=2)


def test_radiating_leg_pain_and_notes_are_stored(alice: User, alice_client: Client) -> None:
    data = checkin_form(alice_client).data(score="6", radiating_leg_pain="on", notes="after gardening")
    assert alice_client.post("/pain/new/", data).status_code == 302
    checkin = PainCheckin.objects.get(user=alice)
    assert (checkin.score, checkin.radiating_leg_pain, checkin.notes) == (6, True, "after gardening")


@pytest.mark.parametrize("score", ["0", "10"])
def test_the_ends_of_the_scale_are_accepted(alice: User, alice_client: Client, score: str) -> None:
    assert alice_client.post("/pain/new/", checkin_form(alice_client).data(score=score)).status_code == 302
    assert PainCheckin.objects.get(user=alice).score == int(score)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("score", "11"),
        ("score", "-1"),
        ("score", "abc"),
        ("score", ""),
        ("score", "2.5"),
        ("score", "99999999999999999999"),
        ("recorded_at", "2999-01-01T10:00"),
        ("recorded_at", "1800-01-01T10:00"),
        ("recorded_at", "garbage"),
        ("recorded_at", ""),
        ("notes", "x" * 2001),
        ("notes", "y" * 10_000),
    ],
)
def test_bad_input_shows_the_error_and_stores_nothing(alice_client: Client, field: str, value: str) -> None:
    data = checkin_form(alice_client).data(**{"score": "3", field: value})
    response = alice_client.post("/pain/new/", data)
    assert_field_error_shown(response, field)
    assert not PainCheckin.objects.exists()


# --- List, edit, delete ---


def test_checkins_are_listed_newest_first(alice: User, alice_client: Client) -> None:
    now = timezone.now()
    PainCheckinFactory(user=alice, recorded_at=now - dt.timedelta(days=2), notes="older entry")
    PainCheckinFactory(user=alice, recorded_at=now - dt.timedelta(minutes=5), notes="newer entry")
    html = alice_client.get("/pain/").content.decode()
    assert html.index("newer entry") < html.index("older entry")


def test_checkin_list_filters_by_local_date(alice: User, alice_client: Client) -> None:
    profile_update(user=alice, timezone="Australia/Sydney")
    zone = zoneinfo.ZoneInfo("Australia/Sydney")
    PainCheckinFactory(
        user=alice, recorded_at=dt.datetime(2025, 7, 1, 0, 30, tzinfo=zone), notes="july first"
    )
    PainCheckinFactory(
        user=alice, recorded_at=dt.datetime(2025, 6, 30, 23, 30, tzinfo=zone), notes="june end"
    )
    html = alice_client.get("/pain/?from=2025-07-01&to=2025-07-01").content.decode()
    assert "july first" in html
    assert "june end" not in html


def test_checkin_list_htmx_returns_only_the_results(alice: User, alice_client: Client) -> None:
    PainCheckinFactory(user=alice, notes="partial entry")
    response = alice_client.get("/pain/?from=2000-01-01", headers=HTMX)
    html = response.content.decode().strip()
    assert html.startswith('<div id="results">')
    assert "<html" not in html
    assert "partial entry" in html


@pytest.mark.parametrize("query", ["from=2025-02-30", "from=2025-03-10&to=2025-03-01", "to=9999-01-01"])
def test_checkin_list_invalid_filter(alice: User, alice_client: Client, query: str) -> None:
    PainCheckinFactory(user=alice, notes="shown anyway")
    for headers in ({}, HTMX):
        response = alice_client.get(f"/pain/?{query}", headers=headers)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="error"' in html
        assert "shown anyway" in html


def test_checkin_list_paginates(alice: User, alice_client: Client) -> None:
    now = timezone.now()
    PainCheckin.objects.bulk_create(
        PainCheckin(user=alice, score=2, recorded_at=now - dt.timedelta(hours=n)) for n in range(53)
    )
    assert alice_client.get("/pain/").content.decode().count('class="item"') == 50
    assert alice_client.get("/pain/?page=2").content.decode().count('class="item"') == 3


def test_edit_shows_and_saves(alice_client: Client, alice_checkin: PainCheckin) -> None:
    form = checkin_form(alice_client, f"/pain/{alice_checkin.pk}/edit/")
    data = form.data()
    assert data["score"] == "7"
    assert data["radiating_leg_pain"] == "on"
    assert data["notes"] == "alice sciatica flare"
    response = alice_client.post(
        f"/pain/{alice_checkin.pk}/edit/", form.data(score="2", radiating_leg_pain=None, notes="settled")
    )
    assert response.status_code == 302
    assert response["Location"] == "/pain/"
    alice_checkin.refresh_from_db()
    assert (alice_checkin.score, alice_checkin.radiating_leg_pain, alice_checkin.notes) == (
        2,
        False,
        "settled",
    )


def test_edit_with_bad_input_changes_nothing(alice_client: Client, alice_checkin: PainCheckin) -> None:
    before = snapshot(alice_checkin)
    form = checkin_form(alice_client, f"/pain/{alice_checkin.pk}/edit/")
    response = alice_client.post(f"/pain/{alice_checkin.pk}/edit/", form.data(score="11"))
    assert response.status_code == 200
    assert "score" in response.context["form"].errors
    assert snapshot(alice_checkin) == before


def test_delete_asks_first_then_deletes(alice_client: Client, alice_checkin: PainCheckin) -> None:
    response = alice_client.get(f"/pain/{alice_checkin.pk}/delete/")
    assert response.status_code == 200
    assert "Delete this pain check-in?" in response.content.decode()
    assert PainCheckin.objects.filter(pk=alice_checkin.pk).exists()
    response = alice_client.post(f"/pain/{alice_checkin.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == "/pain/"
    assert not PainCheckin.objects.filter(pk=alice_checkin.pk).exists()


def test_htmx_delete_redirects_the_page(alice_client: Client, alice_checkin: PainCheckin) -> None:
    response = alice_client.post(f"/pain/{alice_checkin.pk}/delete/", headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/pain/"
    assert not PainCheckin.objects.filter(pk=alice_checkin.pk).exists()


# --- Isolation ---


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/pain/{id}/edit/"),
        ("post", "/pain/{id}/edit/"),
        ("get", "/pain/{id}/delete/"),
        ("post", "/pain/{id}/delete/"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_bob_gets_404_on_alices_checkin(
    bob_client: Client, alice_checkin: PainCheckin, method: str, path: str, htmx: bool
) -> None:
    before = snapshot(alice_checkin)
    data = {"score": "0", "recorded_at": "2025-01-01T10:00", "notes": "bob"} if method == "post" else None
    response = getattr(bob_client, method)(
        path.format(id=alice_checkin.pk), data, headers=HTMX if htmx else {}
    )
    assert response.status_code == 404
    assert snapshot(alice_checkin) == before


@pytest.mark.parametrize("path", ["/pain/", "/pain/?from=2000-01-01", "/"])
def test_bobs_pages_never_show_alices_checkins(
    bob: User, bob_client: Client, alice_checkin: PainCheckin, path: str
) -> None:
    PainCheckinFactory(user=bob, score=1, notes="bob feels fine")
    html = bob_client.get(path).content.decode()
    assert "alice sciatica flare" not in html
    assert str(alice_checkin.pk) not in html
    assert "bob feels fine" in html


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/pain/"),
        ("get", "/pain/new/"),
        ("post", "/pain/new/"),
        ("get", "/pain/{id}/edit/"),
        ("post", "/pain/{id}/edit/"),
        ("get", "/pain/{id}/delete/"),
        ("post", "/pain/{id}/delete/"),
    ],
)
def test_anonymous_users_are_sent_to_login(
    client: Client, alice_checkin: PainCheckin, method: str, path: str
) -> None:
    before = snapshot(alice_checkin)
    response = getattr(client, method)(path.format(id=alice_checkin.pk), {"score": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert snapshot(alice_checkin) == before
    assert PainCheckin.objects.count() == 1


# --- Query counts ---


def test_checkin_list_query_count_does_not_grow(alice: User, alice_client: Client) -> None:
    PainCheckinFactory(user=alice)
    alice_client.get("/pain/")  # the profile is created on first use
    with CaptureQueriesContext(connection) as one:
        assert alice_client.get("/pain/").status_code == 200
    PainCheckinFactory.create_batch(49, user=alice)
    with CaptureQueriesContext(connection) as fifty:
        assert alice_client.get("/pain/").status_code == 200
    assert len(fifty) == len(one)
