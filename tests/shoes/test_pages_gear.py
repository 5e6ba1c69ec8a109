"""The shoe and insole pages: add (in km or mi), wear, default, retire, back in use,
delete; each user sees only their own pairs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backpainlog.accounts.selectors import local_today
from backpainlog.accounts.services import profile_update
from runs.models import Run
from shoes import selectors
from shoes.models import Gear, Insole, Shoe
from shoes.selectors import GearModel
from tests.assertions import assert_field_error_shown
from tests.conftest import HtmlForm, HtmlPage
from tests.factories import InsoleFactory, RunFactory, ShoeFactory

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

MILE_M = 1609.344

# (URL prefix, model, factory, the run's and the log form's field)
KINDS = [
    pytest.param("shoes", Shoe, ShoeFactory, "shoe", id="shoes"),
    pytest.param("insoles", Insole, InsoleFactory, "insole", id="insoles"),
]


def gear_form(client: Client, path: str) -> HtmlForm:
    response = client.get(path)
    assert response.status_code == 200
    forms = [f for f in HtmlPage(response.content).forms if f.attrs.get("class") == "stack"]
    assert len(forms) == 1
    return forms[0]


def snapshot(pair: Gear) -> dict[str, Any]:
    return dict(type(pair)._default_manager.values().get(pk=pair.pk))


def log_form_options(client: Client, field: str) -> list[str]:
    page = HtmlPage(client.get("/runs/new/").content)
    return page.form(id="run-form").options(field)


def list_item(html: str, name: str) -> str:
    """The list item of the pair called ``name`` on /shoes/."""
    start = html.index(f"<strong>{name}")
    return html[html.rindex("<li", 0, start) : html.index("</li>", start)]


# --- Adding pairs ---


def test_add_form_labels(alice_client: Client) -> None:
    page = HtmlPage(alice_client.get("/shoes/new/").content)
    for label in ["Name", "Brand", "First worn on", "Distance already on them", "Replace after"]:
        page.assert_labels_one_control(label)
    assert 'type="submit"' in alice_client.get("/shoes/new/").content.decode()


def test_insoles_address_leads_to_the_insoles_on_the_shoes_page(alice_client: Client) -> None:
    response = alice_client.get("/insoles/")
    assert (response.status_code, response["Location"]) == (302, "/shoes/#insoles")
    assert 'id="insoles"' in alice_client.get("/shoes/").content.decode()


def test_replacement_advice_fits_shoes_and_insoles(alice_client: Client) -> None:
    assert "Most running shoes last 480–800 km" in alice_client.get("/shoes/new/").content.decode()
    insole_form = alice_client.get("/insoles/new/").content.decode()
    assert "running shoes" not in insole_form
    assert "Insoles wear out too" in insole_form


@pytest.mark.parametrize(("prefix", "model", "factory", "field"), KINDS)
def test_add_a_pair_in_km(
    alice: User, alice_client: Client, prefix: str, model: GearModel, factory: Any, field: str
) -> None:
    form = gear_form(alice_client, f"/{prefix}/new/")
    defaults = form.data()
    assert defaults["replacement_distance"] == "640"  # the profile's default, in km
    assert defaults["initial_distance"] == "0"
    assert defaults["started_on"] == local_today(alice).isoformat()
    response = alice_client.post(
        f"/{prefix}/new/",
        form.data(name="Speedgoats", brand="Hoka", initial_distance="120.5", replacement_distance="700"),
    )
    assert response.status_code == 302
    assert response["Location"] == "/shoes/"
    pair = model.objects.get(user=alice)
    assert (pair.name, pair.brand) == ("Speedgoats", "Hoka")
    assert pair.initial_distance_m == pytest.approx(120_500.0)
    assert pair.replacement_threshold_m == pytest.approx(700_000.0)
    assert pair.started_on == local_today(alice)
    assert not pair.is_default


@pytest.mark.parametrize(("prefix", "model", "factory", "field"), KINDS)
def test_add_a_pair_in_miles(
    alice: User, alice_client: Client, prefix: str, model: GearModel, factory: Any, field: str
) -> None:
    profile_update(user=alice, distance_unit="mi")
    page = HtmlPage(alice_client.get(f"/{prefix}/new/").content)
    page.assert_labels_one_control("Replace after (mi)")
    form = gear_form(alice_client, f"/{prefix}/new/")
    assert form.data()["replacement_distance"] == "398"  # 640 km, whole like km
    response = alice_client.post(
        f"/{prefix}/new/", form.data(name="Trail pair", initial_distance="10", replacement_distance="400")
    )
    assert response.status_code == 302
    pair = model.objects.get(user=alice)
    assert pair.initial_distance_m == pytest.approx(10 * MILE_M)
    assert pair.replacement_threshold_m == pytest.approx(400 * MILE_M)
    edit = gear_form(alice_client, f"/{prefix}/{pair.pk}/edit/").data()
    assert (edit["initial_distance"], edit["replacement_distance"]) == ("10", "400")


@pytest.mark.parametrize(("prefix", "model", "factory", "field"), KINDS)
def test_a_pair_saved_as_shown_in_miles_keeps_its_exact_distances(
    alice: User, alice_client: Client, prefix: str, model: GearModel, factory: Any, field: str
) -> None:
    """Shown whole (640 km is "398" mi), sent back unchanged: still 640 km, not 398 mi."""
    profile_update(user=alice, distance_unit="mi")
    pair = factory(user=alice, initial_distance_m=100_000.0, replacement_threshold_m=640_000.0)
    form = gear_form(alice_client, f"/{prefix}/{pair.pk}/edit/")
    assert (form.data()["initial_distance"], form.data()["replacement_distance"]) == ("62", "398")

    assert alice_client.post(f"/{prefix}/{pair.pk}/edit/", form.data()).status_code == 302
    pair.refresh_from_db()
    assert (pair.initial_distance_m, pair.replacement_threshold_m) == (100_000.0, 640_000.0)

    alice_client.post(f"/{prefix}/{pair.pk}/edit/", form.data(replacement_distance="399"))
    pair.refresh_from_db()
    assert pair.replacement_threshold_m == pytest.approx(399 * MILE_M)


def test_the_add_form_uses_the_profiles_default_replacement(alice: User, alice_client: Client) -> None:
    profile_update(user=alice, default_replacement_threshold_m=500_000.0)
    form = gear_form(alice_client, "/shoes/new/")
    assert form.data()["replacement_distance"] == "500"
    assert alice_client.post("/shoes/new/", form.data(name="Budget pair")).status_code == 302
    assert Shoe.objects.get(user=alice).replacement_threshold_m == 500_000.0


def test_adding_a_default_pair_takes_the_default_from_the_other(alice: User, alice_client: Client) -> None:
    old = ShoeFactory(user=alice, is_default=True)
    form = gear_form(alice_client, "/shoes/new/")
    assert alice_client.post("/shoes/new/", form.data(name="New default", is_default="on")).status_code == 302
    old.refresh_from_db()
    assert not old.is_default
    assert Shoe.objects.get(user=alice, is_default=True).name == "New default"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "n" * 101),
        ("initial_distance", "-1"),
        ("initial_distance", "abc"),
        ("initial_distance", "10000.001"),
        ("initial_distance", "NaN"),
        ("replacement_distance", "0"),
        ("replacement_distance", "-5"),
        ("replacement_distance", ""),
        ("replacement_distance", "5000.001"),
        ("replacement_distance", "1e9"),
        ("replacement_distance", "0.999"),
        ("started_on", "2025-02-30"),
        ("started_on", "yesterday"),
        ("name", "nul \x00 byte"),
    ],
)
@pytest.mark.parametrize(("prefix", "model", "factory", "run_field"), KINDS)
def test_bad_input_shows_the_error_and_stores_nothing(
    alice_client: Client,
    prefix: str,
    model: GearModel,
    factory: Any,
    run_field: str,
    field: str,
    value: str,
) -> None:
    data = gear_form(alice_client, f"/{prefix}/new/").data(**{"name": "Pair", field: value})
    response = alice_client.post(f"/{prefix}/new/", data)
    assert_field_error_shown(response, field)
    assert not model.objects.exists()


# --- The list: odometer, wear bar, remaining, status ---


def test_list_shows_odometer_wear_remaining_and_status(alice: User, alice_client: Client) -> None:
    fresh = ShoeFactory(user=alice, name="Fresh", initial_distance_m=0, replacement_threshold_m=600_000)
    RunFactory(user=alice, shoe=fresh, distance_m=150_000)
    nearing = ShoeFactory(
        user=alice, name="Nearing", initial_distance_m=400_000, replacement_threshold_m=500_000
    )
    RunFactory(user=alice, shoe=nearing, distance_m=20_000)
    ShoeFactory(user=alice, name="Worn", initial_distance_m=700_000, replacement_threshold_m=640_000)
    ShoeFactory(user=alice, name="Old", retired_on=dt.date(2025, 6, 1))
    html = alice_client.get("/shoes/").content.decode()

    item = list_item(html, "Fresh")
    assert "150.00 km of 600.00 km (25 %)" in item
    assert "1 run" in item
    assert 'value="25"' in item  # the wear bar
    assert "450.00 km left" in item
    assert "OK" in item

    item = list_item(html, "Nearing")
    assert "420.00 km of 500.00 km (84 %)" in item
    assert "Nearing replacement" in item
    assert "80.00 km left" in item
    assert "status-nearing" in item

    item = list_item(html, "Worn")
    assert 'value="100"' in item  # capped
    assert "Replace" in item
    assert "past its replacement distance" in item

    item = list_item(html, "Old")
    assert "Retired on 1 Jun 2025" in item
    assert "status-retired" in item


def test_list_shows_the_projected_replacement_date(alice: User, alice_client: Client) -> None:
    shoe = ShoeFactory(user=alice, name="Daily", initial_distance_m=0, replacement_threshold_m=56_000)
    # 28 km in the last 28 days: 1 km a day, 28 km left → four weeks from today.
    RunFactory(user=alice, shoe=shoe, distance_m=28_000, started_at=timezone.now() - dt.timedelta(days=3))
    item = list_item(alice_client.get("/shoes/").content.decode(), "Daily")
    due = local_today(alice) + dt.timedelta(days=28)
    assert f"Replacement due around {due.day} {due:%b %Y}" in item


def test_list_in_miles(alice: User, alice_client: Client) -> None:
    profile_update(user=alice, distance_unit="mi")
    ShoeFactory(
        user=alice, name="Milers", initial_distance_m=100 * MILE_M, replacement_threshold_m=400 * MILE_M
    )
    item = list_item(alice_client.get("/shoes/").content.decode(), "Milers")
    assert "100.00 mi of 400.00 mi (25 %)" in item
    assert "300.00 mi left" in item


def test_dashboard_shows_shoe_wear_without_actions(alice: User, alice_client: Client) -> None:
    ShoeFactory(user=alice, name="On the dashboard", initial_distance_m=320_000)
    ShoeFactory(user=alice, name="Retired pair", retired_on=dt.date(2025, 6, 1))
    html = alice_client.get("/").content.decode()
    assert "On the dashboard" in html
    assert "320.00 km of 640.00 km (50 %)" in html
    assert "Retired pair" not in html
    assert "/retire/" not in html


# --- Default, retire, back in use, delete ---


@pytest.mark.parametrize(("prefix", "model", "factory", "field"), KINDS)
def test_make_default_leaves_one_default(
    alice: User, alice_client: Client, prefix: str, model: GearModel, factory: Any, field: str
) -> None:
    first = factory(user=alice, name="First", is_default=True)
    second = factory(user=alice, name="Second")
    response = alice_client.post(f"/{prefix}/{second.pk}/default/")
    assert response.status_code == 302
    assert response["Location"] == "/shoes/"
    assert list(model.objects.filter(user=alice, is_default=True)) == [second]
    first.refresh_from_db()
    assert not first.is_default
    assert HtmlPage(alice_client.get("/runs/new/").content).form(id="run-form").data()[field] == str(
        second.pk
    )


@pytest.mark.parametrize(("prefix", "model", "factory", "field"), KINDS)
def test_retire_and_back_in_use(
    alice: User, alice_client: Client, prefix: str, model: GearModel, factory: Any, field: str
) -> None:
    pair = factory(user=alice, name="Veteran", is_default=True)
    other = factory(user=alice, name="Spare")
    response = alice_client.post(f"/{prefix}/{pair.pk}/retire/")
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.retired_on == local_today(alice)
    assert not pair.is_default
    assert str(pair.pk) not in log_form_options(alice_client, field)
    assert str(other.pk) in log_form_options(alice_client, field)
    item = list_item(alice_client.get("/shoes/").content.decode(), "Veteran")
    assert "status-retired" in item
    assert "Back in use" in item
    assert "Make default" not in item
    # A retired pair cannot be made the default.
    assert alice_client.post(f"/{prefix}/{pair.pk}/default/").status_code == 404

    response = alice_client.post(f"/{prefix}/{pair.pk}/retire/")
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.retired_on is None
    assert str(pair.pk) in log_form_options(alice_client, field)


def test_retiring_keeps_the_pair_on_its_runs(alice: User, alice_client: Client) -> None:
    shoe = ShoeFactory(user=alice)
    run = RunFactory(user=alice, shoe=shoe)
    alice_client.post(f"/shoes/{shoe.pk}/retire/")
    run.refresh_from_db()
    assert run.shoe == shoe


@pytest.mark.parametrize(("prefix", "model", "factory", "field"), KINDS)
def test_retiring_a_pair_first_worn_in_the_future_is_no_server_error(
    alice: User, alice_client: Client, prefix: str, model: GearModel, factory: Any, field: str
) -> None:
    pair = factory(user=alice, name="Bought ahead", started_on=local_today(alice) + dt.timedelta(days=10))
    response = alice_client.post(f"/{prefix}/{pair.pk}/retire/", follow=True)
    assert response.status_code in {200, 400}
    pair.refresh_from_db()
    assert pair.retired_on is None
    assert "cannot be retired before it was first worn" in response.content.decode()


@pytest.mark.parametrize(("prefix", "model", "factory", "field"), KINDS)
def test_edit_a_pair(
    alice: User, alice_client: Client, prefix: str, model: GearModel, factory: Any, field: str
) -> None:
    pair = factory(user=alice, name="Before", initial_distance_m=50_000, replacement_threshold_m=800_000)
    form = gear_form(alice_client, f"/{prefix}/{pair.pk}/edit/")
    data = form.data()
    assert (data["name"], data["initial_distance"], data["replacement_distance"]) == ("Before", "50", "800")
    response = alice_client.post(
        f"/{prefix}/{pair.pk}/edit/", form.data(name="After", replacement_distance="900")
    )
    assert response.status_code == 302
    pair.refresh_from_db()
    assert (pair.name, pair.replacement_threshold_m, pair.initial_distance_m) == (
        "After",
        900_000.0,
        50_000.0,
    )


def test_editing_a_retired_pair_to_be_the_default_is_refused(alice: User, alice_client: Client) -> None:
    pair = ShoeFactory(user=alice, retired_on=dt.date(2025, 6, 1))
    form = gear_form(alice_client, f"/shoes/{pair.pk}/edit/")
    response = alice_client.post(f"/shoes/{pair.pk}/edit/", form.data(is_default="on"))
    assert response.status_code == 200
    assert response.context["form"].errors
    pair.refresh_from_db()
    assert not pair.is_default


def test_a_start_after_retirement_is_refused(alice: User, alice_client: Client) -> None:
    pair = ShoeFactory(user=alice, name="Dated", retired_on=dt.date(2025, 6, 1))
    form = gear_form(alice_client, f"/shoes/{pair.pk}/edit/")
    response = alice_client.post(f"/shoes/{pair.pk}/edit/", form.data(started_on="2025-07-01"))
    assert response.status_code == 200
    assert "cannot be retired before it was first worn" in response.content.decode()
    pair.refresh_from_db()
    assert pair.started_on == dt.date(2025, 1, 1)


@pytest.mark.parametrize(("prefix", "model", "factory", "field"), KINDS)
def test_delete_asks_then_deletes_and_keeps_the_runs(
    alice: User, alice_client: Client, prefix: str, model: GearModel, factory: Any, field: str
) -> None:
    pair = factory(user=alice, name="Goner")
    runs = [RunFactory(user=alice, **{field: pair}) for _ in range(2)]
    response = alice_client.get(f"/{prefix}/{pair.pk}/delete/")
    assert response.status_code == 200
    assert "Goner" in response.content.decode()
    assert model.objects.filter(pk=pair.pk).exists()
    response = alice_client.post(f"/{prefix}/{pair.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == "/shoes/"
    assert not model.objects.filter(pk=pair.pk).exists()
    for run in runs:
        run.refresh_from_db()
        assert getattr(run, field) is None
    assert Run.objects.filter(user=alice).count() == 2


# --- Isolation ---


@pytest.mark.parametrize(
    ("method", "action"),
    [
        ("get", "edit"),
        ("post", "edit"),
        ("post", "retire"),
        ("post", "default"),
        ("get", "delete"),
        ("post", "delete"),
    ],
)
@pytest.mark.parametrize(("prefix", "model", "factory", "field"), KINDS)
def test_bob_gets_404_on_alices_pairs(
    alice: User,
    bob_client: Client,
    prefix: str,
    model: GearModel,
    factory: Any,
    field: str,
    method: str,
    action: str,
) -> None:
    pair = factory(user=alice, name="Alice pair")
    RunFactory(user=alice, **{field: pair})
    before = snapshot(pair)
    data = {
        "name": "Bob's now",
        "initial_distance": "0",
        "replacement_distance": "1",
        "started_on": "2025-01-01",
    }
    response = getattr(bob_client, method)(
        f"/{prefix}/{pair.pk}/{action}/", data if method == "post" else None
    )
    assert response.status_code == 404
    assert snapshot(pair) == before
    assert Run.objects.get(user=alice).__dict__[f"{field}_id"] == pair.pk


@pytest.mark.parametrize("action", ["edit", "retire", "default", "delete"])
@pytest.mark.parametrize("pk", ["0", "99999999999999999999999"])
@pytest.mark.parametrize("prefix", ["shoes", "insoles"])
def test_unknown_ids_are_404(alice_client: Client, prefix: str, pk: str, action: str) -> None:
    assert alice_client.post(f"/{prefix}/{pk}/{action}/").status_code == 404


@pytest.mark.parametrize("path", ["/shoes/", "/", "/runs/new/"])
def test_bobs_pages_never_show_alices_pairs(alice: User, bob: User, bob_client: Client, path: str) -> None:
    ShoeFactory(user=alice, name="Alice Cloudmonsters", is_default=True)
    InsoleFactory(user=alice, name="Alice Orthotics", is_default=True)
    ShoeFactory(user=bob, name="Bob Novablast")
    html = bob_client.get(path).content.decode()
    assert "Alice Cloudmonsters" not in html
    assert "Alice Orthotics" not in html
    assert "Bob Novablast" in html


def test_bobs_new_pair_does_not_touch_alices_default(alice: User, bob_client: Client) -> None:
    alices = ShoeFactory(user=alice, is_default=True)
    form = gear_form(bob_client, "/shoes/new/")
    assert bob_client.post("/shoes/new/", form.data(name="Bob default", is_default="on")).status_code == 302
    alices.refresh_from_db()
    assert alices.is_default


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/shoes/"),
        ("get", "/shoes/new/"),
        ("post", "/shoes/new/"),
        ("get", "/insoles/new/"),
        ("get", "/{prefix}/{id}/edit/"),
        ("post", "/{prefix}/{id}/edit/"),
        ("post", "/{prefix}/{id}/retire/"),
        ("post", "/{prefix}/{id}/default/"),
        ("get", "/{prefix}/{id}/delete/"),
        ("post", "/{prefix}/{id}/delete/"),
    ],
)
@pytest.mark.parametrize(("prefix", "model", "factory", "field"), KINDS)
def test_anonymous_users_are_sent_to_login(
    alice: User,
    client: Client,
    prefix: str,
    model: GearModel,
    factory: Any,
    field: str,
    method: str,
    path: str,
) -> None:
    pair = factory(user=alice)
    before = snapshot(pair)
    response = getattr(client, method)(path.format(prefix=prefix, id=pair.pk), {"name": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert snapshot(pair) == before


# --- Query counts ---


def test_gear_list_query_count_does_not_grow(alice: User, alice_client: Client) -> None:
    def add_pairs(count: int) -> None:
        for _ in range(count):
            shoe, insole = ShoeFactory(user=alice), InsoleFactory(user=alice)
            RunFactory(user=alice, shoe=shoe, insole=insole)
            RunFactory(
                user=alice, shoe=shoe, insole=insole, started_at=timezone.now() - dt.timedelta(days=60)
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice_client.get("/shoes/").status_code == 200
        return len(captured)

    add_pairs(1)
    alice_client.get("/shoes/")  # the profile is created on first use
    one = count()
    add_pairs(49)
    assert Shoe.objects.filter(user=alice).count() == 50
    assert count() == one


@pytest.mark.parametrize(("prefix", "model", "factory", "field"), KINDS)
def test_the_lists_figures_match_the_querys(
    alice: User, prefix: str, model: GearModel, factory: Any, field: str
) -> None:
    """gear_list works out remaining distance, wear and status in Python; the API's query in
    the database: the same figures, at the thresholds too."""
    threshold = 640_000.0
    for initial, logged, retired in [
        (0.0, 0.0, False),
        (500_000.0, 11_999.9, False),
        (500_000.0, 12_000.0, False),  # 80 % exactly
        (600_000.0, 40_000.0, False),  # 100 % exactly
        (600_000.0, 40_000.1, False),
        (700_000.0, 5_000.0, True),
    ]:
        pair = factory(
            user=alice,
            initial_distance_m=initial,
            replacement_threshold_m=threshold,
            retired_on=local_today(alice) if retired else None,
        )
        if logged:
            RunFactory(user=alice, distance_m=logged, **{field: pair})

    def figures(pairs: Any) -> list[tuple[Any, ...]]:
        return [(p.pk, p.distance_m, p.remaining_m, p.wear_ratio, str(p.status)) for p in pairs]

    listed = figures(selectors.gear_list(model, user=alice))
    assert listed == figures(selectors.gear_with_wear(model, user=alice))
    assert [row[4] for row in listed].count("nearing") == 1
    assert {row[4] for row in listed} == {"ok", "nearing", "replace", "retired"}
