"""What every API endpoint shares (docs/api.md#conventions): authentication, the health check,
the OpenAPI schema and its browsable docs."""

from __future__ import annotations

import json
import re
import sys
import uuid

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from rest_framework.test import APIClient

from runs.models import PainCheckin, Run
from tests.factories import InsoleFactory, PainCheckinFactory, RunFactory, ShoeFactory

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

COLLECTIONS = ["/api/v1/runs/", "/api/v1/pain-checkins/", "/api/v1/shoes/", "/api/v1/insoles/"]


def test_healthz(client: APIClient, db: None) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_get_and_head_only(client: APIClient, db: None) -> None:
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


# --- Authentication -----------------------------------------------------------------------


@pytest.fixture
def every_endpoint(alice: User) -> list[tuple[str, str]]:
    """(method, url) of every API endpoint, detail URLs naming alice's real objects."""
    objects = {
        "/api/v1/runs/": RunFactory(user=alice).pk,
        "/api/v1/pain-checkins/": PainCheckinFactory(user=alice).pk,
        "/api/v1/shoes/": ShoeFactory(user=alice).pk,
        "/api/v1/insoles/": InsoleFactory(user=alice).pk,
    }
    endpoints = []
    for collection, pk in objects.items():
        endpoints += [("get", collection), ("post", collection)]
        endpoints += [(method, f"{collection}{pk}/") for method in ("get", "put", "patch", "delete")]
    endpoints += [
        ("get", "/api/v1/profile/"),
        ("patch", "/api/v1/profile/"),
        ("delete", "/api/v1/account/"),
        ("post", "/api/v1/auth/logout/"),
    ]
    return endpoints


def test_no_credentials_is_401_everywhere(every_endpoint: list[tuple[str, str]]) -> None:
    client = APIClient()
    runs, checkins = Run.objects.count(), PainCheckin.objects.count()

    for method, url in every_endpoint:
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code == 401, (method, url, response.status_code)
        assert response["WWW-Authenticate"].startswith("Token"), (method, url)

    assert (Run.objects.count(), PainCheckin.objects.count()) == (runs, checkins)


def test_a_wrong_token_is_401_everywhere(every_endpoint: list[tuple[str, str]]) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {uuid.uuid4().hex}")

    for method, url in every_endpoint:
        assert getattr(client, method)(url, {}, format="json").status_code == 401, (method, url)


def test_session_auth_works(alice: User) -> None:
    client = APIClient()  # does not enforce CSRF, like a client that sends the token
    client.force_login(alice)

    response = client.post(
        "/api/v1/runs/", {"started_at": "2025-01-05T08:00:00Z", "distance_m": 5000}, format="json"
    )

    assert response.status_code == 201
    assert Run.objects.get().user == alice
    for url in COLLECTIONS:
        assert client.get(url).status_code == 200
    assert client.get("/api/v1/profile/").json()["username"] == "alice"


def test_session_writes_need_the_csrf_token(alice: User) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    body = {"started_at": "2025-01-05T08:00:00Z", "distance_m": 5000}

    assert client.get("/api/v1/runs/").status_code == 200
    refused = client.post("/api/v1/runs/", body, format="json")
    assert refused.status_code == 403
    assert not Run.objects.exists()

    csrf_token = "a" * 32
    client.cookies["csrftoken"] = csrf_token
    accepted = client.post("/api/v1/runs/", body, format="json", HTTP_X_CSRFTOKEN=csrf_token)
    assert accepted.status_code == 201
    assert Run.objects.count() == 1


def test_token_requests_need_no_csrf_token(alice: User, alice_api: APIClient) -> None:
    alice_api.handler.enforce_csrf_checks = True

    response = alice_api.post(
        "/api/v1/runs/", {"started_at": "2025-01-05T08:00:00Z", "distance_m": 5000}, format="json"
    )

    assert response.status_code == 201


# --- Schema and docs ----------------------------------------------------------------------


def test_openapi_schema(db: None) -> None:
    response = APIClient().get("/api/schema/?format=json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for collection in COLLECTIONS:
        assert set(paths[collection]) >= {"get", "post"}
        assert set(paths[f"{collection}{{id}}/"]) >= {"get", "put", "patch", "delete"}
    for path in ("/api/v1/auth/token/", "/api/v1/auth/logout/", "/api/v1/profile/", "/api/v1/account/"):
        assert path in paths
    run = schema["components"]["schemas"]["Run"]["properties"]
    assert {"distance_m", "started_at", "pace_s_per_km", "shoe_distance_m", "flags"} <= set(run)
    assert run["pace_s_per_km"]["readOnly"] is True
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_openapi_schema_as_yaml(db: None) -> None:
    response = APIClient().get("/api/schema/")

    assert response.status_code == 200
    assert b"openapi: 3." in response.content


def test_docs_use_no_cdn(db: None) -> None:
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    for cdn in ("cdn.", "jsdelivr", "unpkg", "cdnjs", "googleapis"):
        assert cdn not in html, cdn
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)
    # The schema's address is in the page's init script, served as a file of its own.
    assert "/api/schema/" in APIClient().get("/api/docs/?script=").content.decode()
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        assert finders.find(asset), asset


# --- Bodies no endpoint can read ----------------------------------------------------------

UNREADABLE_BODIES = {
    "nested too deeply": "[" * 100_000 + "]" * 100_000,
    "objects nested too deeply": '{"a": ' * 50_000 + "1" + "}" * 50_000,
    "NaN": '{"distance_m": NaN}',
    "truncated": '{"distance_m": 8',
    "not UTF-8": b'{"notes": "\xff"}',
    "huge integer": '{"distance_m": ' + "9" * 5000 + "}",
}


@pytest.mark.parametrize("body", UNREADABLE_BODIES.values(), ids=UNREADABLE_BODIES.keys())
def test_unreadable_body_is_a_400_everywhere(
    every_endpoint: list[tuple[str, str]], alice_api: APIClient, body: str | bytes
) -> None:
    runs, checkins = Run.objects.count(), PainCheckin.objects.count()
    writes = [(method, url) for method, url in every_endpoint if method in {"post", "put", "patch"}]
    writes += [("delete", "/api/v1/account/"), ("post", "/api/v1/auth/token/")]

    for method, url in writes:
        if url == "/api/v1/auth/logout/":
            continue  # reads no body
        response = getattr(alice_api, method)(url, body, content_type="application/json")
        assert response.status_code == 400, (method, url, response.status_code)

    assert (Run.objects.count(), PainCheckin.objects.count()) == (runs, checkins)
    assert User.objects.filter(username="alice").exists()


# --- Found by fuzzing the API against its schema (tests/test_schemathesis.py) ---------------


@pytest.mark.parametrize("page_size", ["ten", "0", "-1", "1.5", ""])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_a_400(alice_api: APIClient, page_size: str) -> None:
    response = alice_api.get("/api/v1/runs/", {"page_size": page_size})

    assert response.status_code == 400
    assert response.json()["page_size"]


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/pain-checkins/", {"recorded_at": "2025-05-01T08:00:00Z", "score": 3, "notes": 0}),
        ("/api/v1/shoes/", {"name": "Pair", "is_default": 0}),
        ("/api/v1/share-links/", {"label": 7}),
        ("/api/v1/auth/token/", {"username": 1, "password": "x"}),
    ],
)
def test_strings_and_booleans_must_have_their_json_type(
    alice_api: APIClient, url: str, body: dict[str, object]
) -> None:
    response = alice_api.post(url, body, format="json")

    assert response.status_code == 400
    assert set(response.json()) & {"notes", "is_default", "label", "username"}


def test_an_api_address_that_matches_no_route_is_a_json_404(alice_api: APIClient) -> None:
    response = alice_api.get("/api/v1/runs/1.5/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("url", ["/api/v1/runs/", "/export/runs.csv"])
def test_empty_date_bounds_are_no_bounds(alice: User, alice_api: APIClient, url: str) -> None:
    RunFactory(user=alice)

    response = alice_api.get(url, {"from": "", "to": ""})

    assert response.status_code == 200


@pytest.mark.parametrize("distance", [5e-324, 1e-310, -5e-324])
def test_a_subnormal_distance_is_a_400(alice_api: APIClient, distance: float) -> None:
    """5e-324 passed "> 0"; the next longer run's evidence held Infinity, which JSON columns
    refuse: every later run of the account was a 500 for 30 days."""
    response = alice_api.post(
        "/api/v1/runs/",
        {"started_at": "2025-05-01T08:00:00Z", "distance_m": distance, "duration_s": 60},
        format="json",
    )

    assert response.status_code == 400
    assert "distance_m" in response.json()


def test_the_smallest_normal_distance_leaves_no_infinity_in_the_evidence(
    alice: User, alice_api: APIClient
) -> None:
    smallest = sys.float_info.min
    first = alice_api.post(
        "/api/v1/runs/",
        {"started_at": "2025-05-01T08:00:00Z", "distance_m": smallest, "duration_s": 60},
        format="json",
    )
    assert first.status_code == 201, first.json()
    assert first.json()["pace_s_per_km"] is None
    for day in (2, 3):
        later = alice_api.post(
            "/api/v1/runs/",
            {"started_at": f"2025-05-0{day}T08:00:00Z", "distance_m": 300_000, "duration_s": 90_000},
            format="json",
        )
        assert later.status_code == 201, later.json()
    assert alice_api.get("/api/v1/runs/").status_code == 200
    assert alice_api.get("/api/v1/flags/").status_code == 200
    for evidence in Run.objects.filter(user=alice).values_list("flag_evidence", flat=True):
        assert "Infinity" not in json.dumps(evidence)
        assert "NaN" not in json.dumps(evidence)


def test_the_schema_documents_the_error_answers_and_the_bodies(db: None) -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]

    assert {"400", "401", "404"} <= set(paths["/api/v1/runs/{id}/"]["patch"]["responses"])
    assert "429" in paths["/api/v1/auth/token/"]["post"]["responses"]
    assert "requestBody" in paths["/api/v1/account/"]["delete"]
    distance = schema["components"]["schemas"]["RunRequest"]["properties"]["distance_m"]
    assert (distance["minimum"], distance["exclusiveMinimum"]) == (0, True)


@pytest.mark.parametrize(
    ("page_size", "expected"), [("9" * 4301, 500), ("0" * 5000 + "7", 7), ("1" * 50, 500)]
)
def test_a_page_size_of_thousands_of_digits_is_read_not_a_500(
    alice: User, alice_api: APIClient, page_size: str, expected: int
) -> None:
    """int() refuses strings of more than 4,300 digits: that ValueError was a 500."""
    RunFactory.create_batch(8, user=alice)
    response = alice_api.get("/api/v1/runs/", {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(expected, 8)


def test_a_page_size_of_zeros_is_a_400(alice_api: APIClient) -> None:
    response = alice_api.get("/api/v1/runs/", {"page_size": "0" * 5000})
    assert response.status_code == 400
    assert "page_size" in response.json()
