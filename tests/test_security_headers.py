"""Security headers on every kind of answer, markup that a strict Content-Security-Policy
lets through (no inline script, style attribute, event handler or javascript: URL), the
HTTPS settings production runs with, and ``check --deploy`` passing with them."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TypedDict

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponseBase
from django.test import Client
from pytest_django import Settings

from backpainlog.accounts.selectors import local_today, user_zone
from backpainlog.chart_css import FALLBACK_CSS_CSP_SOURCE
from runs.models import PainCheckin, Run
from runs.services import analytics_refresh
from shoes.models import Insole, Shoe
from tests.conftest import token_client
from tests.factories import InsoleFactory, PainCheckinFactory, RunFactory, ShoeFactory
from tests.helpers import ClientResponse
from tests.sharing.helpers import make_link

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", FALLBACK_CSS_CSP_SOURCE],
    "img-src": ["'self'"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "midi")


def policy_of(response: HttpResponseBase) -> dict[str, list[str]]:
    directives = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


class Log(TypedDict):
    run: Run
    checkin: PainCheckin
    shoe: Shoe
    insole: Insole
    token: str


@pytest.fixture
def log(alice: User) -> Log:
    """Six weeks of alice's runs (charts with data), check-ins, gear and a share link."""
    shoe = ShoeFactory(user=alice, name="Ghost 16")
    insole = InsoleFactory(user=alice, name="Orthotics")
    runs = [
        RunFactory(
            user=alice,
            started_at=dt.datetime.combine(
                local_today(alice) - dt.timedelta(days=day), dt.time(7), tzinfo=user_zone(alice)
            ),
            distance_m=5000.0 + day * 200,
            shoe=shoe,
            pain_before=1,
            pain_after=5 if day % 7 == 0 else 2,
        )
        for day in range(0, 42, 2)
    ]
    checkin = PainCheckinFactory(user=alice, score=4)
    analytics_refresh(alice)
    _, token = make_link(alice)
    return {"run": runs[0], "checkin": checkin, "shoe": shoe, "insole": insole, "token": token}


# ------------------------------------------------------------------------------ headers


def assert_common_headers(response: HttpResponseBase) -> None:
    policy = policy_of(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert {name: policy[name] for name in POLICY if name != "img-src"} == {
        name: sources for name, sources in POLICY.items() if name != "img-src"
    }
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    features = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    for feature in DENIED_FEATURES:
        assert features[feature] == "()", feature


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz", "/sw.js", "/manifest.webmanifest"])
def test_public_answers_carry_the_security_headers(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert_common_headers(response)
    assert policy_of(response)["img-src"] == ["'self'"]
    assert response["Referrer-Policy"] == "same-origin"


def test_a_signed_in_page_carries_the_security_headers(alice_client: Client, log: Log) -> None:
    response = alice_client.get("/")

    assert response.status_code == 200
    assert_common_headers(response)
    assert response["Referrer-Policy"] == "same-origin"


def test_the_api_carries_the_security_headers(alice: User) -> None:
    response = token_client(alice).get("/api/v1/runs/")

    assert response.status_code == 200
    assert_common_headers(response)


def test_a_shared_report_keeps_no_referrer_under_the_policy(client: Client, log: Log) -> None:
    response = client.get(f"/shared/{log['token']}/")

    assert response.status_code == 200
    assert_common_headers(response)
    assert response["Referrer-Policy"] == "no-referrer"


def test_only_the_api_docs_allow_data_images(alice_client: Client) -> None:
    page = alice_client.get("/api/docs/")
    script = alice_client.get("/api/docs/?script=")

    assert page.status_code == 200
    assert_common_headers(page)
    assert policy_of(page)["img-src"] == ["'self'", "data:"]
    # Swagger UI starts from a script file of its own, not an inline one.
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content
    assert b'src="/api/docs/?script="' in page.content


# ------------------------------------------------------------------------------- markup


class InlineCode(HTMLParser):
    """What a page carries that its CSP must allow inline: every problem found, e.g. a
    ``style`` attribute, an ``onclick``, a ``javascript:`` link, a ``<script>`` with a body,
    a ``<style>`` whose hash the policy does not list."""

    URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href"})
    DATA_SCRIPT_TYPES = frozenset({"application/json", "application/ld+json"})

    def __init__(self, style_sources: list[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.style_sources = style_sources
        self.problems: list[str] = []
        self.styles = 0
        self._raw: tuple[str, dict[str, str], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {name: value or "" for name, value in attrs_list}
        for name, value in attrs.items():
            if name == "style":
                self.problems.append(f'<{tag} style="{value}">')
            elif name.startswith(("on", "hx-on", "data-hx-on")):
                self.problems.append(f"<{tag} {name}>")
            elif name in self.URL_ATTRIBUTES and value.strip().lower().startswith("javascript:"):
                self.problems.append(f'<{tag} {name}="{value}">')
            elif name in {"hx-vals", "hx-vars"} and value.strip().startswith(("js:", "javascript:")):
                self.problems.append(f"<{tag} {name}> evaluates code")
        if tag in {"script", "style"}:
            self._raw = (tag, attrs, [])

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._raw[2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._raw is None or tag != self._raw[0]:
            return
        _, attrs, chunks = self._raw
        self._raw = None
        text = "".join(chunks)
        if tag == "script":
            if text.strip() and attrs.get("type", "").lower() not in self.DATA_SCRIPT_TYPES:
                self.problems.append(f"inline <script>: {text.strip()[:60]}")
        else:
            self.styles += 1
            digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
            if f"'sha256-{digest}'" not in self.style_sources:
                self.problems.append(f"inline <style> not allowed by its hash: {text[:60]}")


def inline_code(response: ClientResponse) -> InlineCode:
    parser = InlineCode(policy_of(response)["style-src"])
    parser.feed(response.content.decode())
    parser.close()
    return parser


def signed_in_pages(log: Log) -> list[str]:
    run, checkin = log["run"], log["checkin"]
    return [
        "/",
        "/?weeks=52",
        "/definitions/",
        "/runs/",
        "/runs/?needs_pain=1",
        "/runs/new/",
        f"/runs/{run.pk}/edit/",
        f"/runs/{run.pk}/delete/",
        "/pain/",
        "/pain/new/",
        f"/pain/{checkin.pk}/edit/",
        f"/pain/{checkin.pk}/delete/",
        "/shoes/",
        "/shoes/new/",
        f"/shoes/{log['shoe'].pk}/edit/",
        f"/shoes/{log['shoe'].pk}/delete/",
        f"/insoles/{log['insole'].pk}/edit/",
        "/settings/",
        "/share/",
        "/import/",
        "/accounts/password_change/",
        "/offline/",
        "/api/docs/",
    ]


def test_signed_in_pages_need_no_inline_script_or_style(alice_client: Client, log: Log) -> None:
    problems = {}
    for path in signed_in_pages(log):
        response = alice_client.get(path)
        assert response.status_code == 200, path
        found = inline_code(response).problems
        if found:
            problems[path] = found

    assert problems == {}


def test_htmx_partials_need_no_inline_script_or_style(alice_client: Client, log: Log) -> None:
    trends = alice_client.get("/?weeks=4", headers={"HX-Request": "true"})
    created = alice_client.post(
        "/share/", {"label": "GP", "expires_in_days": "7"}, headers={"HX-Request": "true"}
    )

    assert trends.status_code == 200
    assert created.status_code == 200
    assert b"<svg" in created.content  # the new link's QR code
    for response in (trends, created):
        assert inline_code(response).problems == []


def test_charts_carry_only_the_style_the_policy_allows(alice_client: Client, log: Log) -> None:
    """The dashboard's three charts each hold their fallback rules in a <style> that the
    policy allows by hash: the test above would flag any other."""
    found = inline_code(alice_client.get("/"))

    assert found.styles == 3
    assert found.problems == []


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/accounts/password_reset/"])
def test_public_pages_need_no_inline_script_or_style(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert inline_code(response).problems == []


def test_shared_pages_need_no_inline_script_or_style(client: Client, log: Log) -> None:
    report = client.get(f"/shared/{log['token']}/")
    dead = client.get("/shared/not-a-token/")

    assert report.status_code == 200
    assert dead.status_code == 404
    assert inline_code(report).styles >= 1  # the report's charts
    for response in (report, dead):
        assert inline_code(response).problems == []


def test_base_template_tells_htmx_to_need_no_eval_or_injected_style(alice_client: Client) -> None:
    page = alice_client.get("/settings/").content.decode()
    start = page.index('<meta name="htmx-config" content=\'') + len('<meta name="htmx-config" content=\'')
    config = json.loads(page[start : page.index("'", start)])

    assert config["allowEval"] is False
    assert config["includeIndicatorStyles"] is False
    # The meta tag comes before htmx itself.
    assert page.index('name="htmx-config"') < page.index("django_htmx/htmx")


# -------------------------------------------------------------------- HTTPS in production


def production_env(**extra: str) -> dict[str, str]:
    """This environment (the database, the path) without the test run's own DJANGO_*
    variables (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE), plus a real secret key."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    return {**env, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), **extra}


HTTPS_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)


@pytest.fixture
def https_settings(settings: Settings) -> dict[str, object]:
    """The HTTPS settings that settings.py gives with DJANGO_HTTPS=1 (read in a fresh
    interpreter, as settings are read once at start-up), applied to this process."""
    script = f"import json, backpainlog.settings as s; print(json.dumps({{n: getattr(s, n) for n in {HTTPS_SETTINGS!r}}}))"
    result = subprocess.run(  # noqa: S603 (the test's own script)
        [sys.executable, "-c", script],
        env=production_env(DJANGO_HTTPS="1"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.splitlines()[-1])
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    for name, value in values.items():
        setattr(settings, name, value)
    return values


def test_https_redirects_plain_http_except_the_health_check(https_settings: dict[str, object]) -> None:
    client = Client()

    redirected = client.get("/accounts/login/")
    health = client.get("/healthz")

    assert redirected.status_code == 301
    assert redirected["Location"] == "https://testserver/accounts/login/"
    assert health.status_code == 200


def test_https_sends_hsts_for_a_year_and_secure_cookies(
    https_settings: dict[str, object], alice: User
) -> None:
    client = Client()
    secure: dict[str, Any] = {"HTTP_X_FORWARDED_PROTO": "https"}

    page = client.get("/accounts/login/", **secure)
    signed_in = client.post(
        "/accounts/login/",
        {"username": "alice", "password": "correct-horse-battery-staple"},
        **secure,
    )

    assert page.status_code == 200
    hsts = dict(part.strip().partition("=")[::2] for part in page["Strict-Transport-Security"].split(";"))
    assert int(hsts["max-age"]) >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts
    assert page.cookies["csrftoken"]["secure"] is True
    assert signed_in.status_code == 302
    assert signed_in.cookies["sessionid"]["secure"] is True


def run_deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_passes_with_production_settings() -> None:
    result = run_deploy_check(production_env(DJANGO_HTTPS="1"))

    assert result.returncode == 0, result.stderr


def test_check_deploy_fails_without_https() -> None:
    result = run_deploy_check(production_env(DJANGO_HTTPS="0"))

    assert result.returncode != 0
    assert "security.W008" in result.stderr  # SECURE_SSL_REDIRECT
