"""The installable app's server side: manifest, service worker, offline page, sign-out."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from backpainlog import pwa
from tests.conftest import HtmlPage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_version() -> None:
    pwa.shell_version.cache_clear()


def test_manifest_has_what_browsers_install_from(client: Client) -> None:
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "backpainlog"
    assert manifest["short_name"]
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0f766e"
    assert manifest["background_color"] == "#f7f7f5"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}
    shortcuts = {shortcut["name"]: shortcut["url"] for shortcut in manifest["shortcuts"]}
    assert shortcuts == {"Log a run": "/runs/new/", "Pain check-in": "/pain/new/"}
    assert all(shortcut["icons"] for shortcut in manifest["shortcuts"])
    assert [shot["form_factor"] for shot in manifest["screenshots"]] == ["narrow"]


def test_every_image_in_the_manifest_is_a_png_of_its_stated_size(client: Client) -> None:
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    images = [
        *manifest["icons"],
        *[icon for shortcut in manifest["shortcuts"] for icon in shortcut["icons"]],
        *manifest["screenshots"],
    ]
    for image in images:
        path = finders.find(image["src"].removeprefix("/static/"))
        assert path, f"{image['src']} is missing"
        with Image.open(io.BytesIO(Path(path).read_bytes())) as png:
            assert png.format == "PNG"
            assert "{}x{}".format(*png.size) == image["sizes"]


def test_service_worker_is_served_from_the_root_and_never_cached(client: Client) -> None:
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    assert pwa.shell_version() in source
    shell = json.loads(source.split("self.SHELL = ", 1)[1].split(";\n", 1)[0])
    assert shell["version"] == pwa.shell_version()
    assert {
        "/static/css/app.css",
        "/static/js/app.js",
        "/static/js/outbox.js",
        "/static/icons/icon-192.png",
    } <= set(shell["static"])
    assert shell["offline"] == "/offline/"
    assert shell["forms"] == [
        "/runs/new/",
        "/pain/new/",
        "/questionnaires/rmdq/",
        "/questionnaires/psfs/",
        "/questionnaires/pain-7d/",
    ]
    assert 'addEventListener("fetch"' in source
    # Reminders: shown from the push, opened on a tap, with the app's icon and badge.
    assert 'addEventListener("push"' in source
    assert 'addEventListener("notificationclick"' in source
    assert shell["icon"] == "/static/icons/icon-192.png"
    assert shell["badge"] == "/static/icons/badge-96.png"
    assert shell["badge"] in shell["static"]
    assert finders.find("icons/badge-96.png")


def test_service_worker_changes_with_the_files_it_caches(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = client.get("/sw.js").content
    monkeypatch.setattr(pwa, "shell_version", lambda: "a-new-deploy")

    after = client.get("/sw.js").content

    assert before != after
    assert b'"version": "a-new-deploy"' in after


def test_version_is_a_hash_of_the_static_files(monkeypatch: pytest.MonkeyPatch) -> None:
    version = pwa.shell_version()
    real = pwa._static_bytes
    pwa.shell_version.cache_clear()
    monkeypatch.setattr(
        pwa, "_static_bytes", lambda name: real(name) + (b"/* changed */" if name == "css/app.css" else b"")
    )

    assert pwa.shell_version() != version


def test_offline_page_is_public_and_the_same_for_everyone(client: Client, alice_client: Client) -> None:
    anonymous = client.get("/offline/")
    signed_in = alice_client.get("/offline/")

    assert anonymous.status_code == signed_in.status_code == 200
    assert b"You are offline" in anonymous.content
    # Cached and shown to whoever is offline: no user, no form token.
    assert b"alice" not in signed_in.content
    assert b"csrf" not in signed_in.content.lower()
    assert anonymous.content == signed_in.content


def test_pages_link_the_manifest_icon_and_scripts(alice_client: Client) -> None:
    html = alice_client.get("/runs/new/").content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png">' in html
    assert 'src="/static/js/pwa.js"' in html
    assert 'src="/static/js/outbox.js"' in html
    assert "<script>" not in html, "no inline scripts (the CSP forbids them)"
    assert " style=" not in html


def test_new_entry_forms_say_how_to_send_them_offline(alice: User, alice_client: Client) -> None:
    run_form = HtmlPage(alice_client.get("/runs/new/").content).form(id="run-form")
    assert run_form.attrs["data-outbox"] == "run"
    assert run_form.attrs["data-outbox-url"] == "/api/v1/runs/"
    assert run_form.attrs["data-unit"] == "km"
    assert run_form.attrs["data-timezone"]

    checkin_page = HtmlPage(alice_client.get("/pain/new/").content)
    [checkin_form] = [form for form in checkin_page.forms if form.attrs.get("data-outbox")]
    assert checkin_form.attrs["data-outbox"] == "checkin"
    assert checkin_form.attrs["data-outbox-url"] == "/api/v1/pain-checkins/"

    for path, key in (("rmdq", "rmdq"), ("psfs", "psfs"), ("pain-7d", "pain_7d")):
        form = HtmlPage(alice_client.get(f"/questionnaires/{path}/").content).form(id="questionnaire-form")
        assert (form.attrs["data-outbox"], form.attrs["data-questionnaire"]) == ("questionnaire", key)
        assert form.attrs["data-outbox-url"] == "/api/v1/questionnaire-responses/"


def test_sign_out_clears_the_browsers_cache(alice_client: Client) -> None:
    response = alice_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache"'
    assert alice_client.get("/runs/new/").status_code == 302  # signed out for real


def test_sign_out_form_warns_about_waiting_entries(alice_client: Client) -> None:
    page = HtmlPage(alice_client.get("/settings/").content)

    [sign_out] = [form for form in page.forms if form.attrs.get("action") == "/accounts/logout/"]
    assert "data-sign-out" in sign_out.attrs
