"""Where it hurts and red flags (docs/product.md#where-it-hurts, docs/api.md#pain-check-ins): the codes
through every door (model, database, API, pages), a leg region as radiating pain, see_doctor, the red-flag
notice first on the home page, and the dashboard's counts per region."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from runs import analytics, services
from runs.analytics import CheckinRecord, RunRecord
from runs.models import PAIN_REGIONS, RED_FLAGS, PainCheckin, Run, region_names

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

CHECKINS = "/api/v1/pain-checkins/"
RUNS = "/api/v1/runs/"


def an_hour_ago() -> str:
    return (timezone.now() - dt.timedelta(hours=1)).isoformat()


def checkin_body(**fields: Any) -> dict[str, Any]:
    return {"recorded_at": an_hour_ago(), "score": 4, **fields}


def run_body(**fields: Any) -> dict[str, Any]:
    return {"started_at": an_hour_ago(), "distance_m": 6000, "duration_s": 1900, **fields}


def checkin(user: User, **fields: Any) -> PainCheckin:
    fields.setdefault("recorded_at", timezone.now() - dt.timedelta(hours=1))
    fields.setdefault("score", 3)
    return services.checkin_create(user=user, **fields)[0]


# --- The model and the database ---------------------------------------------------------


def test_codes_are_kept_as_a_set_in_the_lists_order(alice: User) -> None:
    saved = checkin(alice, pain_regions=["thigh_left", "low_back_center"], red_flags=["leg_weakness"])
    saved.refresh_from_db()
    assert saved.pain_regions == ["low_back_center", "thigh_left"]
    assert saved.red_flags == ["leg_weakness"]
    assert PainCheckin.objects.exclude(red_flags=[]).get() == saved


@pytest.mark.parametrize(
    ("regions", "message"),
    [
        (["elbow"], "“elbow” is not one of"),
        (["thigh_left", "thigh_left"], "“thigh_left” is listed twice."),
        ("thigh_left", "Enter a list of codes."),
        ([7], "Enter a list of codes."),
    ],
)
def test_the_model_refuses_unknown_and_repeated_codes(alice: User, regions: Any, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        checkin(alice, pain_regions=regions)
    assert message in " ".join(refused.value.message_dict["pain_regions"])
    assert not PainCheckin.objects.exists()


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("runs_paincheckin", "pain_regions", 1 << len(PAIN_REGIONS)),
        ("runs_paincheckin", "red_flags", 1 << len(RED_FLAGS)),
        ("runs_run", "pain_regions", 1 << len(PAIN_REGIONS)),
        ("runs_paincheckin", "pain_regions", -1),
    ],
)
def test_the_database_refuses_anything_but_the_codes(
    alice: User, table: str, column: str, value: int
) -> None:
    checkin(alice)
    services.run_create(user=alice, started_at=timezone.now() - dt.timedelta(hours=3), distance_m=5000)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s", [value])  # noqa: S608 (names from the test)


def test_the_database_refuses_a_leg_region_without_radiating_pain(alice: User) -> None:
    saved = checkin(alice, pain_regions=["below_knee_left"], radiating_leg_pain=False)
    assert saved.radiating_leg_pain
    with pytest.raises(IntegrityError), transaction.atomic():
        PainCheckin.objects.filter(pk=saved.pk).update(radiating_leg_pain=False)


@pytest.mark.parametrize("region", ["thigh_left", "thigh_right", "below_knee_left", "below_knee_right"])
def test_a_leg_region_sets_radiating_leg_pain(alice: User, region: str) -> None:
    assert checkin(alice, pain_regions=[region]).radiating_leg_pain


def test_back_and_buttock_regions_leave_radiating_as_given(alice: User) -> None:
    assert not checkin(alice, pain_regions=["low_back_center", "buttock_left"]).radiating_leg_pain
    assert checkin(alice, pain_regions=["buttock_left"], radiating_leg_pain=True).radiating_leg_pain


def test_below_the_knee_is_named_apart() -> None:
    assert region_names(["low_back_left", "below_knee_left", "below_knee_right", "thigh_right"]) == [
        "Lower back, left",
        "Right thigh",
        "below the knee: left and right",
    ]


# --- The API ----------------------------------------------------------------------------


def test_a_check_in_takes_and_gives_regions_and_red_flags(alice_api: APIClient) -> None:
    response = alice_api.post(
        CHECKINS,
        checkin_body(pain_regions=["below_knee_right", "buttock_left"], red_flags=["bladder_bowel"]),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["pain_regions"] == ["buttock_left", "below_knee_right"]
    assert body["red_flags"] == ["bladder_bowel"]
    assert body["see_doctor"] is True
    assert body["radiating_leg_pain"] is True
    assert alice_api.get(f"{CHECKINS}{body['id']}/").json()["see_doctor"] is True


def test_a_check_in_without_them_has_empty_lists(alice_api: APIClient) -> None:
    body = alice_api.post(CHECKINS, checkin_body(), format="json").json()
    assert (body["pain_regions"], body["red_flags"], body["see_doctor"], body["radiating_leg_pain"]) == (
        [],
        [],
        False,
        False,
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"pain_regions": ["knee"]},
        {"pain_regions": ["thigh_left", "thigh_left"]},
        {"pain_regions": "thigh_left"},
        {"pain_regions": [None]},
        {"pain_regions": None},
        {"red_flags": ["fever"]},
        {"red_flags": ["leg_weakness", "leg_weakness"]},
        {"red_flags": {"leg_weakness": True}},
    ],
)
def test_bad_codes_are_a_400_and_nothing_is_stored(alice_api: APIClient, fields: dict[str, Any]) -> None:
    response = alice_api.post(CHECKINS, checkin_body(**fields), format="json")
    assert response.status_code == 400
    assert set(response.json()) == set(fields)
    assert not PainCheckin.objects.exists()


def test_see_doctor_is_read_only(alice_api: APIClient) -> None:
    body = alice_api.post(CHECKINS, checkin_body(see_doctor=True), format="json").json()
    assert body["see_doctor"] is False


def test_a_retry_with_the_regions_in_another_order_is_the_same_check_in(alice_api: APIClient) -> None:
    pk = str(uuid.uuid4())
    first = alice_api.post(
        CHECKINS, checkin_body(id=pk, pain_regions=["thigh_left", "low_back_left"]), format="json"
    )
    again = alice_api.post(
        CHECKINS,
        {**first.json(), "id": pk, "pain_regions": ["low_back_left", "thigh_left"], "see_doctor": False},
        format="json",
    )
    different = alice_api.post(
        CHECKINS, {**checkin_body(id=pk), "pain_regions": ["buttock_left"]}, format="json"
    )
    assert (first.status_code, again.status_code, different.status_code) == (201, 200, 409)
    assert PainCheckin.objects.count() == 1


def test_patching_the_red_flags_changes_see_doctor(alice_api: APIClient) -> None:
    pk = alice_api.post(CHECKINS, checkin_body(red_flags=["saddle_numbness"]), format="json").json()["id"]
    body = alice_api.patch(f"{CHECKINS}{pk}/", {"red_flags": []}, format="json").json()
    assert (body["red_flags"], body["see_doctor"]) == ([], False)


def test_a_run_takes_and_gives_its_regions(alice_api: APIClient) -> None:
    response = alice_api.post(RUNS, run_body(pain_regions=["low_back_right", "thigh_right"]), format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["pain_regions"] == ["low_back_right", "thigh_right"]
    patched = alice_api.patch(f"{RUNS}{pk}/", {"pain_regions": ["below_knee_left"]}, format="json").json()
    assert patched["pain_regions"] == ["below_knee_left"]
    assert Run.objects.get(pk=pk).pain_regions == ["below_knee_left"]


@pytest.mark.parametrize("regions", [["ankle"], ["buttock_left", "buttock_left"], "low_back_left"])
def test_a_run_with_bad_regions_is_a_400(alice_api: APIClient, regions: Any) -> None:
    response = alice_api.post(RUNS, run_body(pain_regions=regions), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["pain_regions"]
    assert not Run.objects.exists()


def test_another_users_check_in_is_still_a_404(alice: User, bob_api: APIClient) -> None:
    theirs = checkin(alice, red_flags=["leg_weakness"])
    assert bob_api.get(f"{CHECKINS}{theirs.pk}/").status_code == 404
    assert bob_api.patch(f"{CHECKINS}{theirs.pk}/", {"red_flags": []}, format="json").status_code == 404
    assert PainCheckin.objects.get().red_flags == ["leg_weakness"]


# --- The pages --------------------------------------------------------------------------


def test_the_check_in_form_stores_regions_and_red_flags_without_javascript(
    alice: User, alice_client: Client
) -> None:
    page = alice_client.get("/pain/new/").content.decode()
    assert page.count('name="pain_regions"') == len(PAIN_REGIONS)
    assert page.count('name="red_flags"') == len(RED_FLAGS)
    assert "New symptoms?" in page
    assert re.search(r'<section class="see-doctor"[^>]* hidden>', page)

    response = alice_client.post(
        "/pain/new/",
        {
            "score": "5",
            "pain_regions": ["thigh_right", "low_back_center"],
            "red_flags": ["saddle_numbness"],
            "recorded_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )

    saved = PainCheckin.objects.get(user=alice)
    assert (saved.pain_regions, saved.red_flags, saved.radiating_leg_pain) == (
        ["low_back_center", "thigh_right"],
        ["saddle_numbness"],
        True,
    )
    home = response.content.decode()
    main = home[home.index('<main id="main"') :]
    assert main.index('id="see-doctor"') < main.index("Pain check-in saved.") < main.index("<h1>")
    assert "numbness in the groin or buttocks (saddle area)" in home
    assert "go to an emergency department" in home


def test_a_refused_check_in_shows_the_doctor_notice_it_was_sent_with(alice_client: Client) -> None:
    page = alice_client.post("/pain/new/", {"score": "11", "red_flags": ["leg_weakness"]}).content.decode()
    assert re.search(r'<section class="see-doctor"[^>]*data-see-doctor>', page)  # not hidden
    assert not PainCheckin.objects.exists()


def test_an_unknown_region_in_a_form_post_is_refused(alice_client: Client) -> None:
    response = alice_client.post("/pain/new/", {"score": "3", "pain_regions": ["elbow"]})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not PainCheckin.objects.exists()


def test_the_run_form_has_the_body_map_folded_and_stores_it(alice: User, alice_client: Client) -> None:
    page = alice_client.get("/runs/new/").content.decode()
    assert "<summary>Where it hurt</summary>" in page
    alice_client.post(
        "/runs/new/",
        {
            "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "activity": "run",
            "distance": "5",
            "duration": "30:00",
            "surface": "road",
            "pain_before": "2",
            "pain_after": "3",
            "pain_regions": ["buttock_right"],
        },
    )
    run = Run.objects.get(user=alice)
    assert run.pain_regions == ["buttock_right"]
    edit = alice_client.get(f"/runs/{run.pk}/edit/").content.decode()
    assert re.search(r'<details class="more" open>\s*<summary>Where it hurt</summary>', edit)
    assert re.search(r'value="buttock_right"[^>]*checked', edit)


def test_the_check_in_list_names_red_flags_first(alice: User, alice_client: Client) -> None:
    checkin(alice, red_flags=["bladder_bowel"], pain_regions=["below_knee_left", "low_back_left"])
    page = alice_client.get("/pain/").content.decode()
    row = page[page.index('class="item"') :]
    assert row.index("New symptoms that need a doctor") < row.index("Pain 3/10")
    assert "Where: Lower back, left; below the knee: left" in row


def test_the_home_page_puts_a_recent_red_flag_first(alice: User, alice_client: Client) -> None:
    checkin(alice, recorded_at=timezone.now() - dt.timedelta(days=6), red_flags=["leg_weakness"])
    checkin(alice, recorded_at=timezone.now() - dt.timedelta(hours=2))
    page = alice_client.get("/").content.decode()
    main = page[page.index('<main id="main"') :]
    assert main.index('id="see-doctor"') < main.index("<h1>")
    assert "noted: new weakness in a leg." in main


def test_an_old_red_flag_is_no_longer_on_the_home_page(alice: User, alice_client: Client) -> None:
    checkin(alice, recorded_at=timezone.now() - dt.timedelta(days=8), red_flags=["leg_weakness"])
    assert 'id="see-doctor"' not in alice_client.get("/").content.decode()


def test_someone_elses_red_flag_is_not_on_my_home_page(alice: User, bob_client: Client) -> None:
    checkin(alice, red_flags=["leg_weakness"])
    assert 'id="see-doctor"' not in bob_client.get("/").content.decode()


def test_the_home_page_counts_each_region_below_the_knee_apart(alice: User, alice_client: Client) -> None:
    checkin(alice, pain_regions=["low_back_center", "below_knee_left"])
    checkin(alice, recorded_at=timezone.now() - dt.timedelta(days=2), pain_regions=["low_back_center"])
    services.run_create(
        user=alice,
        started_at=timezone.now() - dt.timedelta(days=1),
        distance_m=5000,
        pain_regions=["low_back_center", "thigh_left"],
    )
    page = alice_client.get("/?weeks=4").content.decode()
    table = page[
        page.index('<table class="regions"') : page.index("</table>", page.index('<table class="regions"'))
    ]
    assert '<tr><th scope="row">Lower back, centre</th><td>2</td><td>1</td></tr>' in table
    assert '<tr><th scope="row">Left thigh</th><td>0</td><td>1</td></tr>' in table
    below = table[table.index('<tbody class="below-knee">') :]
    assert '<tr><th scope="row">Left leg, below the knee</th><td>1</td><td>0</td></tr>' in below
    # Radiating days still count the check-ins: the one below the knee.
    assert "<dt>Radiating leg pain</dt><dd>1 day" in page


def test_the_home_page_query_count_stays_the_same_with_red_flags_and_regions(alice: User, bob: User) -> None:
    checkin(alice, pain_regions=["thigh_left"], red_flags=["leg_weakness"])
    for hours in range(50):
        checkin(
            bob,
            recorded_at=timezone.now() - dt.timedelta(hours=hours + 1),
            pain_regions=["low_back_left", "below_knee_right"],
            red_flags=["saddle_numbness"],
        )
    counts = []
    for user in (alice, bob):
        client = Client()
        client.force_login(user)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- The analytics ----------------------------------------------------------------------

REGIONS = list(PAIN_REGIONS)
region_sets = st.lists(st.sampled_from(REGIONS), unique=True).map(tuple)
DAY = dt.date(2026, 3, 2)
NOON = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def run_record(n: int, regions: tuple[str, ...]) -> RunRecord:
    return RunRecord(n, NOON, DAY, "run", 5000.0, "road", None, 2, 3, None, pain_regions=regions)


@given(st.lists(region_sets), st.lists(region_sets))
def test_region_counts_count_each_entry_once_per_region(
    run_regions: list[tuple[str, ...]], checkin_regions: list[tuple[str, ...]]
) -> None:
    runs = [run_record(n, regions) for n, regions in enumerate(run_regions)]
    checkins = [
        CheckinRecord(n, NOON, DAY, 3, pain_regions=regions) for n, regions in enumerate(checkin_regions)
    ]
    counts = analytics.region_counts(runs, checkins, REGIONS)
    assert [count.region for count in counts] == REGIONS
    assert sum(count.runs for count in counts) == sum(map(len, run_regions))
    assert sum(count.checkins for count in counts) == sum(map(len, checkin_regions))
    for count in counts:
        assert count.checkins == sum(count.region in regions for regions in checkin_regions)


def test_editing_a_check_in_folds_the_map_open_when_it_has_regions(alice: User, alice_client: Client) -> None:
    with_regions = checkin(alice, pain_regions=["buttock_right"], red_flags=["leg_weakness"])
    without = checkin(alice, recorded_at=timezone.now() - dt.timedelta(days=1))
    page = alice_client.get(f"/pain/{with_regions.pk}/edit/").content.decode()
    assert re.search(r'<details class="more" open>\s*<summary>Where it hurts</summary>', page)
    assert re.search(r'value="buttock_right"[^>]*checked', page)
    assert re.search(r'<section class="see-doctor"[^>]*data-see-doctor>', page)  # shown: it has one
    page = alice_client.get(f"/pain/{without.pk}/edit/").content.decode()
    assert re.search(r'<details class="more">\s*<summary>Where it hurts</summary>', page)
