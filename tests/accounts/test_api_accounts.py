"""Tokens, the profile and the account over the API (docs/api.md#conventions,
docs/api.md#tokens, docs/api.md#profile-and-account)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from backpainlog.accounts.authentication import token_digest
from backpainlog.accounts.models import ApiToken, Profile
from backpainlog.accounts.selectors import profile_of
from runs.models import PainCheckin, Run
from shoes.models import Insole, Shoe
from tests.factories import PASSWORD, InsoleFactory, PainCheckinFactory, RunFactory, ShoeFactory
from tests.helpers import DEFAULT_REMINDERS, with_token

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

TOKEN_URL = "/api/v1/auth/token/"
LOGOUT_URL = "/api/v1/auth/logout/"
PROFILE_URL = "/api/v1/profile/"
ACCOUNT_URL = "/api/v1/account/"


def obtain_token(username: str = "alice", password: str = PASSWORD) -> str:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


# --- Tokens -------------------------------------------------------------------------------


def test_token_for_the_right_credentials(alice: User) -> None:
    response = APIClient().post(
        TOKEN_URL, {"username": "alice", "password": PASSWORD, "label": "phone"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert len(body["token"]) >= 32
    assert body["label"] == "phone"
    record = ApiToken.objects.get()
    assert (record.pk, record.user, record.label) == (body["id"], alice, "phone")


def test_the_token_authenticates_as_its_user(alice: User, bob: User) -> None:
    RunFactory(user=alice)
    RunFactory.create_batch(2, user=bob)

    client = with_token(obtain_token("alice"))

    assert client.get("/api/v1/runs/").json()["count"] == 1
    assert client.get(PROFILE_URL).json()["username"] == "alice"


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "alice", "password": "wrong"},
        {"username": "alice", "password": PASSWORD.upper()},
        {"username": "nobody", "password": PASSWORD},
        {"username": "alice", "password": ""},
    ],
)
def test_wrong_credentials_get_no_token(alice: User, credentials: dict[str, str]) -> None:
    response = APIClient().post(TOKEN_URL, credentials, format="json")

    assert response.status_code == 400
    assert "token" not in response.json()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("body", "key"),
    [({"password": PASSWORD}, "username"), ({"username": "alice"}, "password"), ([], "non_field_errors")],
)
def test_token_request_needs_both_fields(alice: User, body: Any, key: str) -> None:
    response = APIClient().post(TOKEN_URL, body, format="json")

    assert response.status_code == 400
    assert key in response.json()
    assert not ApiToken.objects.exists()


def test_inactive_user_gets_no_token_and_loses_existing_ones(alice: User) -> None:
    token = obtain_token("alice")
    alice.is_active = False
    alice.save()

    response = APIClient().post(TOKEN_URL, {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert with_token(token).get("/api/v1/runs/").status_code == 401


def test_tokens_are_stored_hashed(alice: User) -> None:
    tokens = [obtain_token("alice") for _ in range(2)]

    stored = list(ApiToken.objects.values())
    assert len(stored) == 2
    for token in tokens:
        assert all(token not in str(value) for row in stored for value in row.values())
    assert {row["digest"] for row in stored} == {token_digest(token) for token in tokens}


def test_logout_revokes_only_the_token_used(alice: User) -> None:
    used, other = obtain_token("alice"), obtain_token("alice")
    client = with_token(used)
    assert client.get("/api/v1/runs/").status_code == 200

    assert client.post(LOGOUT_URL).status_code == 204

    assert client.get("/api/v1/runs/").status_code == 401
    assert with_token(used).post(LOGOUT_URL).status_code == 401
    assert with_token(other).get("/api/v1/runs/").status_code == 200
    assert ApiToken.objects.filter(digest=token_digest(used)).count() == 0


def test_logout_ends_a_session(alice: User) -> None:
    client = APIClient()
    client.force_login(alice)
    assert client.get("/api/v1/runs/").status_code == 200

    assert client.post(LOGOUT_URL).status_code == 204

    assert client.get("/api/v1/runs/").status_code == 401


@pytest.mark.parametrize("header", ["Token nonsense", "Token ", "Token a b", "Bearer x", "Token é"])
def test_bad_tokens_are_refused(alice: User, header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    assert client.get("/api/v1/runs/").status_code == 401


# --- Profile ------------------------------------------------------------------------------


def test_profile_defaults(alice: User, alice_api: APIClient) -> None:
    assert alice_api.get(PROFILE_URL).json() == {
        "username": "alice",
        "distance_unit": "km",
        "timezone": "UTC",
        "default_replacement_threshold_m": 640_000,
        "reminders": DEFAULT_REMINDERS,
    }


def test_profile_patch(alice: User, alice_api: APIClient) -> None:
    changes = {
        "distance_unit": "mi",
        "timezone": "America/New_York",
        "default_replacement_threshold_m": 700_000,
    }

    response = alice_api.patch(PROFILE_URL, changes, format="json")

    assert response.status_code == 200
    assert response.json() == {"username": "alice", **changes, "reminders": response.json()["reminders"]}
    profile = Profile.objects.get(user=alice)
    assert (profile.distance_unit, profile.timezone, profile.default_replacement_threshold_m) == (
        "mi",
        "America/New_York",
        700_000,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", ""),
        ("timezone", "../../etc/passwd"),
        ("timezone", None),
        ("distance_unit", "yd"),
        ("distance_unit", None),
        ("default_replacement_threshold_m", 0),
        ("default_replacement_threshold_m", -1),
        ("default_replacement_threshold_m", True),
        ("default_replacement_threshold_m", "NaN"),
        ("default_replacement_threshold_m", 10**12),
        ("default_replacement_threshold_m", "far"),
        ("default_replacement_threshold_m", 1e-320),
        ("timezone", "localtime"),
        ("timezone", "Factory"),
        ("timezone", "posixrules"),
    ],
)
def test_invalid_profile_changes_nothing(
    alice: User, alice_api: APIClient, field: str, value: object
) -> None:
    before = Profile.objects.filter(pk=profile_of(alice).pk).values().get()

    response = alice_api.patch(PROFILE_URL, {field: value}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Profile.objects.filter(pk=before["id"]).values().get() == before


def test_username_is_read_only(alice: User, alice_api: APIClient) -> None:
    response = alice_api.patch(PROFILE_URL, {"username": "mallory"}, format="json")

    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.username == "alice"


def test_profile_only_acts_on_the_caller(alice: User, bob: User, bob_api: APIClient) -> None:
    profile_of(alice)

    response = bob_api.patch(PROFILE_URL, {"timezone": "Asia/Tokyo"}, format="json")

    assert response.status_code == 200
    assert response.json()["username"] == "bob"
    assert Profile.objects.get(user=bob).timezone == "Asia/Tokyo"
    assert Profile.objects.get(user=alice).timezone == "UTC"


@pytest.mark.parametrize("body", ["[]", '"km"', "null"])
def test_profile_body_that_is_not_an_object_is_rejected(alice_api: APIClient, body: str) -> None:
    assert alice_api.patch(PROFILE_URL, body, content_type="application/json").status_code == 400


def test_profile_put_and_account_get_are_not_allowed(alice_api: APIClient) -> None:
    assert alice_api.put(PROFILE_URL, {"timezone": "UTC"}, format="json").status_code == 405
    assert alice_api.get(ACCOUNT_URL).status_code == 405


# --- Account ------------------------------------------------------------------------------


def give_data(user: User) -> None:
    shoe = ShoeFactory(user=user)
    insole = InsoleFactory(user=user)
    RunFactory.create_batch(2, user=user, shoe=shoe, insole=insole)
    PainCheckinFactory(user=user)
    profile_of(user)


def counts(user: User) -> dict[str, int]:
    return {
        "runs": Run.objects.filter(user=user).count(),
        "checkins": PainCheckin.objects.filter(user=user).count(),
        "shoes": Shoe.objects.filter(user=user).count(),
        "insoles": Insole.objects.filter(user=user).count(),
        "profiles": Profile.objects.filter(user=user).count(),
        "tokens": ApiToken.objects.filter(user=user).count(),
    }


@pytest.mark.parametrize(
    "body",
    [
        {"password": "wrong"},
        {"password": ""},
        {},
        {"password": None},
        ["password"],
        {"password": PASSWORD + " "},
    ],
)
def test_account_delete_needs_the_password(alice: User, alice_api: APIClient, body: Any) -> None:
    give_data(alice)
    before = counts(alice)

    response = alice_api.delete(ACCOUNT_URL, body, format="json")

    assert response.status_code == 400
    assert User.objects.filter(pk=alice.pk).exists()
    assert counts(alice) == before


def test_account_delete_removes_the_user_and_everything_theirs(
    alice: User, bob: User, alice_api: APIClient, bob_api: APIClient
) -> None:
    give_data(alice)
    give_data(bob)
    bobs = counts(bob)

    response = alice_api.delete(ACCOUNT_URL, {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    assert not User.objects.filter(pk=alice.pk).exists()
    assert counts(alice) == dict.fromkeys(bobs, 0)
    assert counts(bob) == bobs
    assert alice_api.get("/api/v1/runs/").status_code == 401
    assert bob_api.get("/api/v1/runs/").json()["count"] == 2


def test_account_delete_only_acts_on_the_caller(
    alice: User, bob: User, bob_api: APIClient, alice_api: APIClient
) -> None:
    give_data(alice)
    alices = counts(alice)

    # Bob sends his own password: his account goes, never alice's.
    assert bob_api.delete(ACCOUNT_URL, {"password": PASSWORD}, format="json").status_code == 204

    assert not User.objects.filter(pk=bob.pk).exists()
    assert counts(alice) == alices
    assert alice_api.get("/api/v1/runs/").json()["count"] == 2
