"""Account pages: sign up, sign in, settings, password change and reset, delete account."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from backpainlog.accounts.models import ApiToken, Profile
from backpainlog.accounts.selectors import profile_of
from backpainlog.accounts.services import api_token_create, profile_update, user_sign_up
from runs.models import PainCheckin, Run
from shoes.models import Insole, Shoe
from tests.conftest import HtmlForm, HtmlPage
from tests.factories import PASSWORD, InsoleFactory, PainCheckinFactory, RunFactory, ShoeFactory
from tests.helpers import ClientResponse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

NEW_PASSWORD = "a-much-longer-passphrase-42"

EVERY_PAGE = [
    "/",
    "/runs/",
    "/runs/new/",
    "/pain/",
    "/pain/new/",
    "/shoes/",
    "/shoes/new/",
    "/insoles/new/",
    "/settings/",
    "/accounts/password_change/",
]


def the_form(client: Client, path: str) -> HtmlForm:
    response = client.get(path)
    assert response.status_code == 200
    forms = [f for f in HtmlPage(response.content).forms if f.attrs.get("class") == "stack"]
    return forms[0]


def is_signed_in_as(client: Client, username: str) -> bool:
    response = client.get("/")
    return response.status_code == 200 and f"Hello, {username}" in response.content.decode()


def sign_in(client: Client, username: str, password: str) -> ClientResponse:
    return client.post("/accounts/login/", {"username": username, "password": password})


# --- Sign up ---


def test_signup_page_labels_one_control_each(client: Client) -> None:
    page = HtmlPage(client.get("/accounts/signup/").content)
    assert page.assert_labels_one_control("Username")["name"] == "username"
    assert page.assert_labels_one_control("E-mail")["type"] == "email"
    assert page.assert_labels_one_control("Password")["type"] == "password"
    passwords = [c for f in page.forms for c in f.controls if c.attrs.get("type") == "password"]
    assert len(passwords) == 1


@pytest.mark.parametrize("email", ["new@example.com", ""])
def test_sign_up_logs_you_in(client: Client, email: str) -> None:
    response = client.post(
        "/accounts/signup/", {"username": "newrunner", "email": email, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    user = User.objects.get(username="newrunner")
    assert user.email == email
    assert user.check_password(NEW_PASSWORD)
    assert Profile.objects.filter(user=user, distance_unit="km", timezone="UTC").exists()
    assert "Welcome!" in client.get(response["Location"]).content.decode()
    assert is_signed_in_as(client, "newrunner")


@pytest.mark.parametrize(
    "password",
    ["password", "12345678", "short1", "newrunner1", "qwertyuiop", ""],
)
def test_weak_passwords_are_rejected(client: Client, password: str) -> None:
    response = client.post("/accounts/signup/", {"username": "newrunner", "password": password})
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert 'class="error"' in response.content.decode()
    assert not User.objects.filter(username="newrunner").exists()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("username", ["alice", "ALICE", "Alice"])
def test_duplicate_usernames_are_rejected_case_insensitively(
    client: Client, alice: User, username: str
) -> None:
    response = client.post("/accounts/signup/", {"username": username, "password": NEW_PASSWORD})
    assert response.status_code == 200
    assert "This username is taken." in response.content.decode()
    assert User.objects.filter(username__iexact="alice").count() == 1


@pytest.mark.parametrize(("username", "email"), [("has space", ""), ("x" * 151, ""), ("ok", "not-an-email")])
def test_bad_signup_input(client: Client, username: str, email: str) -> None:
    response = client.post(
        "/accounts/signup/", {"username": username, "email": email, "password": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ({"timezone": "Europe/Berlin", "distance_unit": "km"}, ("Europe/Berlin", "km")),
        ({"timezone": "America/New_York", "distance_unit": "mi"}, ("America/New_York", "mi")),
        ({"timezone": "Mars/Olympus_Mons", "distance_unit": "yd"}, ("UTC", "km")),  # ignored
        ({}, ("UTC", "km")),  # no JavaScript
    ],
)
def test_sign_up_takes_the_browsers_zone_and_unit(
    client: Client, sent: dict[str, str], expected: tuple[str, str]
) -> None:
    response = client.post("/accounts/signup/", {"username": "newrunner", "password": NEW_PASSWORD, **sent})
    assert response.status_code == 302
    profile = profile_of(User.objects.get(username="newrunner"))
    assert (profile.timezone, profile.distance_unit) == expected


def test_a_new_account_is_offered_its_first_pair(client: Client) -> None:
    client.post("/accounts/signup/", {"username": "newrunner", "password": NEW_PASSWORD})
    for path in ("/settings/", "/"):
        assert 'href="/shoes/new/">Add your first pair</a>' in client.get(path).content.decode(), path


def test_signed_in_users_skip_signup_and_login(alice_client: Client) -> None:
    assert alice_client.get("/accounts/signup/")["Location"] == "/"
    assert alice_client.get("/accounts/login/")["Location"] == "/"


# --- Sign in ---


def test_login_page_labels(client: Client) -> None:
    page = HtmlPage(client.get("/accounts/login/").content)
    assert page.assert_labels_one_control("Username")["name"] == "username"
    assert page.assert_labels_one_control("Password")["type"] == "password"


def test_login_with_the_right_password(client: Client, alice: User) -> None:
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_signed_in_as(client, "alice")


def test_login_follows_next(client: Client, alice: User) -> None:
    response = client.get("/runs/new/")
    assert response["Location"] == "/accounts/login/?next=/runs/new/"
    form = HtmlPage(client.get(response["Location"]).content).forms[0]
    response = client.post("/accounts/login/", form.data(username="alice", password=PASSWORD))
    assert response["Location"] == "/runs/new/"


def test_login_with_the_wrong_password(client: Client, alice: User) -> None:
    response = sign_in(client, "alice", "wrong-password")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert client.get("/").status_code == 302


def test_a_user_from_create_user_can_use_every_page_at_once(client: Client) -> None:
    User.objects.create_user("carol", password=NEW_PASSWORD)
    assert sign_in(client, "carol", NEW_PASSWORD).status_code == 302
    for path in EVERY_PAGE:
        assert client.get(path).status_code == 200, path
    carol = User.objects.get(username="carol")
    assert Profile.objects.filter(user=carol).exists()

    shoe_form = the_form(client, "/shoes/new/")
    assert client.post("/shoes/new/", shoe_form.data(name="Carol's pair", is_default="on")).status_code == 302
    run_form = HtmlPage(client.get("/runs/new/").content).form(id="run-form")
    assert client.post("/runs/new/", run_form.data(distance="5", pain_before="1")).status_code == 302
    assert Run.objects.get(user=carol).shoe == Shoe.objects.get(user=carol)
    checkin_form = the_form(client, "/pain/new/")
    assert client.post("/pain/new/", checkin_form.data(score="2")).status_code == 302
    settings_form = the_form(client, "/settings/")
    assert client.post("/settings/", settings_form.data(distance_unit="mi")).status_code == 302
    assert profile_of(carol).distance_unit == "mi"


@pytest.mark.parametrize("path", EVERY_PAGE)
def test_no_template_syntax_leaks_into_pages(alice: User, alice_client: Client, path: str) -> None:
    """A ``{# ... #}`` comment over several lines is printed as text, not hidden."""
    ShoeFactory(user=alice, name="Leak check")
    RunFactory(user=alice)
    PainCheckinFactory(user=alice)
    html = alice_client.get(path).content.decode()
    # Style sheets inside the charts close nested CSS blocks with "}}": not template text.
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.DOTALL)
    for marker in ("{#", "#}", "{%", "%}", "{{", "}}"):
        assert marker not in html, f"{marker} in {path}"


def test_a_superuser_from_createsuperuser_can_use_every_page(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", NEW_PASSWORD)
    call_command(
        "createsuperuser", interactive=False, username="admin", email="admin@example.com", verbosity=0
    )
    client.force_login(User.objects.get(username="admin"))
    for path in EVERY_PAGE:
        assert client.get(path).status_code == 200, path


# --- Settings ---


def test_settings_labels(alice_client: Client) -> None:
    page = HtmlPage(alice_client.get("/settings/").content)
    assert page.assert_labels_one_control("Distance unit")["tag"] == "select"
    # Searchable: typed, with the zone names as suggestions.
    zone = page.assert_labels_one_control("Time zone")
    assert (zone["tag"], zone["list"]) == ("input", "timezone-names")
    html = alice_client.get("/settings/").content.decode()
    assert '<datalist id="timezone-names">' in html
    assert '<option value="Europe/London">Europe/London</option>' in html
    assert '<option value="America/New_York">America/New York</option>' in html
    page.assert_labels_one_control("Default replacement distance")
    assert page.assert_labels_one_control("Your password")["type"] == "password"


def test_settings_show_the_current_values(alice: User, alice_client: Client) -> None:
    data = the_form(alice_client, "/settings/").data()
    assert data == {
        "csrfmiddlewaretoken": data["csrfmiddlewaretoken"],
        "distance_unit": "km",
        "timezone": "UTC",
        "default_replacement": "640",
    }


def test_change_unit_time_zone_and_replacement_distance(alice: User, alice_client: Client) -> None:
    form = the_form(alice_client, "/settings/")
    response = alice_client.post(
        "/settings/", form.data(distance_unit="mi", timezone="Europe/Berlin", default_replacement="500")
    )
    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    profile = Profile.objects.get(user=alice)
    # The distance is read in the unit the page showed it in (km), even as the unit changes.
    assert (profile.distance_unit, profile.timezone) == ("mi", "Europe/Berlin")
    assert profile.default_replacement_threshold_m == pytest.approx(500_000.0)
    page = alice_client.get("/settings/").content.decode()
    assert "Settings saved." in page
    shown = HtmlPage(page).forms
    data = next(f for f in shown if f.attrs.get("class") == "stack").data()
    assert data["default_replacement"] == "311"  # 500 km, whole like km
    assert "(mi)" in page


def test_the_time_zone_changes_how_times_are_shown(alice: User, alice_client: Client) -> None:
    RunFactory(user=alice, started_at=dt.datetime(2025, 1, 15, 23, 30, tzinfo=dt.UTC), notes="late run")
    assert "Wed 15 Jan 2025, 23:30" in alice_client.get("/runs/").content.decode()
    profile_update(user=alice, timezone="Asia/Tokyo")
    assert "Thu 16 Jan 2025, 08:30" in alice_client.get("/runs/").content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("distance_unit", "furlong"),
        ("distance_unit", ""),
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", ""),
        ("timezone", "utc "),
        ("default_replacement", "0"),
        ("default_replacement", "-5"),
        ("default_replacement", "abc"),
        ("default_replacement", ""),
        ("default_replacement", "5000.001"),
        ("default_replacement", "Infinity"),
        ("default_replacement", "0.5"),
    ],
)
def test_bad_settings_are_refused(alice: User, alice_client: Client, field: str, value: str) -> None:
    before = Profile.objects.values().get(user=profile_of(alice).user)
    response = alice_client.post("/settings/", the_form(alice_client, "/settings/").data(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'class="error"' in response.content.decode()
    assert Profile.objects.values().get(user=alice) == before


# --- Password change and reset ---


def test_password_change(alice: User, alice_client: Client) -> None:
    page = HtmlPage(alice_client.get("/accounts/password_change/").content)
    page.assert_labels_one_control("Old password")
    response = alice_client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/done/"
    assert alice_client.get("/accounts/password_change/done/").status_code == 200
    assert is_signed_in_as(alice_client, "alice")  # this session stays signed in
    assert sign_in(Client(), "alice", NEW_PASSWORD).status_code == 302
    assert sign_in(Client(), "alice", PASSWORD).status_code == 200


def test_password_change_with_the_wrong_old_password(alice: User, alice_client: Client) -> None:
    response = alice_client.post(
        "/accounts/password_change/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_password_reset_by_email(client: Client, alice: User) -> None:
    page = HtmlPage(client.get("/accounts/password_reset/").content)
    page.assert_labels_one_control("Email")
    response = client.post("/accounts/password_reset/", {"email": "alice@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    match = re.search(r"https?://testserver(/accounts/reset/\S+/)", str(mail.outbox[0].body))
    assert match, mail.outbox[0].body
    link = match.group(1)

    response = client.get(link)
    assert response.status_code == 302  # to the same page without the token in the address
    set_password = response["Location"]
    page = HtmlPage(client.get(set_password).content)
    page.assert_labels_one_control("New password confirmation")
    response = client.post(set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reset/done/"
    assert client.get("/accounts/reset/done/").status_code == 200

    assert sign_in(Client(), "alice", NEW_PASSWORD).status_code == 302
    # The link works once.
    assert "expired" in Client().get(link, follow=True).content.decode()


def test_password_reset_for_an_unknown_email_sends_nothing(client: Client, alice: User) -> None:
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


# --- Delete account ---


def fill(user: User) -> None:
    shoe = ShoeFactory(user=user)
    insole = InsoleFactory(user=user)
    RunFactory.create_batch(3, user=user, shoe=shoe, insole=insole)
    PainCheckinFactory.create_batch(2, user=user)
    api_token_create(user=user)
    profile_of(user)


def counts(user_id: int) -> tuple[int, ...]:
    return tuple(
        model.objects.filter(user_id=user_id).count()
        for model in (Run, PainCheckin, Shoe, Insole, ApiToken, Profile)
    )


@pytest.mark.parametrize("password", ["wrong", ""])
def test_delete_account_with_the_wrong_password(alice: User, alice_client: Client, password: str) -> None:
    fill(alice)
    before = counts(alice.pk)
    response = alice_client.post("/accounts/delete/", {"password": password})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert User.objects.filter(pk=alice.pk).exists()
    assert counts(alice.pk) == before == (3, 2, 1, 1, 1, 1)
    assert is_signed_in_as(alice_client, "alice")


def test_delete_account_with_the_right_password(alice: User, bob: User, alice_client: Client) -> None:
    fill(alice)
    fill(bob)
    bob_before = counts(bob.pk)
    response = alice_client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert not User.objects.filter(pk=alice.pk).exists()
    assert counts(alice.pk) == (0, 0, 0, 0, 0, 0)
    assert counts(bob.pk) == bob_before
    assert User.objects.filter(pk=bob.pk).exists()
    assert alice_client.get("/").status_code == 302
    assert sign_in(Client(), "alice", PASSWORD).status_code == 200


def test_delete_account_takes_only_post(alice_client: Client) -> None:
    assert alice_client.get("/accounts/delete/").status_code == 405


# --- Anonymous users ---


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/settings/"),
        ("post", "/settings/"),
        ("post", "/accounts/delete/"),
        ("get", "/accounts/password_change/"),
    ],
)
def test_anonymous_users_are_sent_to_login(client: Client, alice: User, method: str, path: str) -> None:
    response = getattr(client, method)(path, {"password": PASSWORD, "distance_unit": "mi"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert User.objects.filter(pk=alice.pk).exists()


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/accounts/signup/", "/accounts/password_reset/", "/accounts/password_reset/done/"],
)
def test_public_pages_open_without_login(client: Client, path: str) -> None:
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_a_sign_up_that_loses_a_race_for_the_name_gets_a_message_not_a_500() -> None:
    user_sign_up(username="carol", password="a-long-enough-password")
    # The form's own check ran before the other sign-up committed: the service still refuses.
    with pytest.raises(ValidationError, match="taken"):
        user_sign_up(username="carol", password="a-long-enough-password")
    assert User.objects.filter(username="carol").count() == 1
