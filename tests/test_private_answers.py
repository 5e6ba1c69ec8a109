"""Answers with personal data are never stored by a cache, the cookies are bound to the
host under HTTPS, and the app's own server sends no banner."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponseBase
from django.test import Client
from pytest_django import Settings
from rest_framework.test import APIClient

from tests.factories import PASSWORD
from tests.helpers import ROOT, settings_in_process


def assert_private(response: HttpResponseBase, where: str) -> None:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= directives, f"{where}: {response.get('Cache-Control')!r}"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/runs/",
        "/runs/new/",
        "/pain/new/",
        "/shoes/",
        "/share/",
        "/settings/",
        "/settings/activity/",
        "/import/",
    ],
)
def test_every_personal_page_is_private_and_not_stored(alice_client: Client, path: str) -> None:
    response = alice_client.get(path)
    assert response.status_code == 200
    assert_private(response, path)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/runs/",
        "/api/v1/profile/",
        "/api/v1/shoes/",
        "/api/v1/flags/",
        "/api/v1/auth/tokens/",
        "/api/v1/runs/x/",
    ],
)
def test_every_api_answer_is_private_and_not_stored(alice_api: APIClient, path: str) -> None:
    response = alice_api.get(path)
    assert response.status_code in {200, 404}
    assert_private(response, path)


def test_a_write_answer_is_private_too(alice_api: APIClient) -> None:
    response = alice_api.post("/api/v1/shoes/", {"name": "Pair"}, format="json")
    assert response.status_code == 201
    assert_private(response, "POST /api/v1/shoes/")


def test_the_service_worker_keeps_its_own_caching(alice_client: Client) -> None:
    assert alice_client.get("/sw.js")["Cache-Control"] == "no-cache"


PRODUCTION = {"DJANGO_DEBUG": "", "DJANGO_SECRET_KEY": "x" * 50}
COOKIE_NAMES = (
    "getattr(s, 'SESSION_COOKIE_NAME', 'Django default'), getattr(s, 'CSRF_COOKIE_NAME', 'Django default')"
)


def test_cookies_carry_the_host_prefix_under_https() -> None:
    assert (
        settings_in_process(COOKIE_NAMES, **PRODUCTION, DJANGO_HTTPS="1").stdout.strip()
        == "__Host-sessionid __Host-csrftoken"
    )
    # Without HTTPS, no prefix: browsers refuse __Host- cookies that are not secure.
    assert (
        settings_in_process(COOKIE_NAMES, **PRODUCTION, DJANGO_HTTPS="0").stdout.strip()
        == "Django default Django default"
    )


def test_the_host_prefixed_cookies_work(settings: Settings, alice: User) -> None:
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = client.cookies["__Host-csrftoken"].value
    assert page.status_code == 200
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert "__Host-sessionid" in client.cookies
    assert client.cookies["__Host-sessionid"]["path"] == "/"
    assert not client.cookies["__Host-sessionid"]["domain"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_sends_no_server_header(tmp_path: Path) -> None:
    """``Server: gunicorn`` was sent with every answer."""
    port = _free_port()
    env = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    server = subprocess.Popen(  # noqa: S603 (the test's own server)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "backpainlog.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/manifest.webmanifest")
                response = connection.getresponse()
                break
            time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
        assert response.status == 200
        assert response.getheader("Server") is None
        assert response.getheader("Date") is not None
    finally:
        server.terminate()
        server.wait(timeout=10)
