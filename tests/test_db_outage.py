"""A database that cannot be reached is a 503 with Retry-After, never a 500 or a stack
trace; nothing is half-written; the app recovers by itself when the database is back.

The in-process tests raise a real ``OperationalError`` from a failed connect (a closed
port on PostgreSQL, a file that cannot be opened on SQLite) inside a real request. The
outage test on PostgreSQL cuts a TCP proxy between a live server and the database.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.test import Client
from rest_framework.test import APIClient

from backpainlog import views
from backpainlog.accounts.services import api_token_create
from loadtest.proxy import TcpProxy
from runs.models import Run
from tests.factories import UserFactory

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

RUN = {"started_at": "2026-03-01T07:30:00Z", "distance_m": 8000, "duration_s": 2700, "pain_before": 2}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def unreachable_database() -> BaseDatabaseWrapper:
    """A connection to the test database's engine where there is no database."""
    settings_dict = {**connection.settings_dict}
    if ON_POSTGRES:
        settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    else:
        settings_dict["NAME"] = "/nonexistent-directory/backpainlog.sqlite3"
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "unreachable")


@pytest.fixture
def outage_error() -> OperationalError:
    database = unreachable_database()
    with pytest.raises(OperationalError) as caught:
        database.ensure_connection()
    return caught.value


def assert_json_503(response: Any) -> None:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    assert "database is unavailable" in json.loads(response.content)["detail"]


def assert_html_503(response: Any) -> None:
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Back in a moment" in page
    assert "Traceback" not in page
    assert "<script" not in page
    assert "style=" not in page


def test_api_read_answers_503_json(
    alice_api: APIClient, outage_error: OperationalError, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise outage_error

    monkeypatch.setattr("runs.api.selectors.runs_for_user", fail)
    with caplog.at_level(logging.ERROR):
        response = alice_api.get("/api/v1/runs/")
    assert_json_503(response)
    assert any(
        record.levelno == logging.ERROR and "/api/v1/runs/" in record.getMessage()
        for record in caplog.records
    )


def test_failure_after_the_insert_leaves_nothing_and_the_retry_stores_the_run_once(
    alice: User, alice_api: APIClient, outage_error: OperationalError, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection dies after the run's row is written but before the request ends:
    the row goes with the transaction, and the client's retry with its id stores it once."""

    def fail(user: User, since: dt.date | None = None) -> None:
        raise outage_error

    body: dict[str, Any] = {**RUN, "id": str(uuid.uuid4())}
    with monkeypatch.context() as patched:
        patched.setattr("runs.services.analytics_refresh", fail)
        assert_json_503(alice_api.post("/api/v1/runs/", body, format="json"))
    assert not Run.objects.filter(user=alice).exists()

    assert alice_api.post("/api/v1/runs/", body, format="json").status_code == 201
    assert alice_api.post("/api/v1/runs/", body, format="json").status_code == 200
    assert list(Run.objects.filter(user=alice).values_list("id", flat=True)) == [uuid.UUID(body["id"])]


@pytest.mark.parametrize(("path", "assert_503"), [("/", assert_html_503), ("/api/v1/runs/", assert_json_503)])
def test_failure_in_middleware_answers_503(
    alice: User,
    outage_error: OperationalError,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    assert_503: Any,
) -> None:
    """The session is loaded by middleware, before any view: the page answers the friendly
    503, and the API (signed in with the session) its JSON."""
    client = Client(raise_request_exception=False)
    client.force_login(alice)

    def fail(*args: Any) -> None:
        raise outage_error

    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore._get_session_from_db", fail)
    assert_503(client.get(path))


def test_other_errors_stay_500(alice_api: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr("runs.api.selectors.runs_for_user", fail)
    alice_api.raise_request_exception = False
    response = alice_api.get("/api/v1/runs/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_healthz_answers_503_when_the_database_does_not(
    client: Client, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.get("/healthz").status_code == 200
    monkeypatch.setattr(views, "connection", unreachable_database())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert response["Retry-After"] == "5"


# --- A real outage: the live server reaches PostgreSQL through a proxy that is cut. ---


def fetch(url: str, *, method: str = "GET", body: dict[str, Any] | None = None, **headers: str) -> Any:
    """``(status, headers, body)`` of a request to the live server."""
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data, headers, method=method)  # noqa: S310 (the live server's http URL)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture
def database_behind_proxy(transactional_db: None) -> Any:
    """New connections (the live server opens one per request) go through a proxy."""
    proxy = TcpProxy(
        connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"] or 5432)
    )
    saved = connection.settings_dict["HOST"], connection.settings_dict["PORT"]
    # The test's own connection stays direct: opened now, before the switch.
    connection.ensure_connection()
    # Every thread's connection is built from this same dictionary.
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(proxy.port))
    try:
        yield proxy
    finally:
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = saved
        proxy.close()


@pytest.mark.skipif(not ON_POSTGRES, reason="cuts a TCP proxy to PostgreSQL (set DATABASE_URL to PostgreSQL)")
def test_postgres_outage_answers_503_then_recovers_by_itself(
    live_server: Any, database_behind_proxy: TcpProxy
) -> None:
    alice = UserFactory(username="alice")
    _, token = api_token_create(user=alice)
    api: dict[str, Any] = {"Authorization": f"Token {token}"}
    browser = Client()
    browser.force_login(alice)
    signed_in: dict[str, Any] = {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"}
    body: dict[str, Any] = {**RUN, "id": str(uuid.uuid4())}
    base = live_server.url

    assert fetch(f"{base}/api/v1/runs/", **api)[0] == 200

    database_behind_proxy.cut()
    status, headers, text = fetch(f"{base}/api/v1/runs/", **api)
    assert (status, headers["Retry-After"]) == (503, "5")
    assert "database is unavailable" in json.loads(text)["detail"]
    assert fetch(f"{base}/api/v1/runs/", method="POST", body=body, **api)[0] == 503
    status, headers, text = fetch(f"{base}/", **signed_in)
    assert (status, headers["Content-Type"].split(";")[0]) == (503, "text/html")
    assert "Back in a moment" in text
    assert fetch(f"{base}/healthz")[0] == 503
    assert not Run.objects.exists()  # checked on the test's own connection, not the proxy's

    database_behind_proxy.restore()
    assert fetch(f"{base}/healthz")[0] == 200
    assert fetch(f"{base}/", **signed_in)[0] == 200
    assert fetch(f"{base}/api/v1/runs/", method="POST", body=body, **api)[0] == 201
    assert fetch(f"{base}/api/v1/runs/", method="POST", body=body, **api)[0] == 200
    assert Run.objects.filter(user=alice).count() == 1
