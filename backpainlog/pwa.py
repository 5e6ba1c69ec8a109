"""The installable app: web app manifest, service worker, offline page, and a sign-out
that also empties what the browser cached for the user."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

THEME_COLOR = "#0f766e"
BACKGROUND_COLOR = "#f7f7f5"  # --bg in app.css (light)

#: The app shell: cached when the service worker installs, served from the cache after.
SHELL_STATIC = [
    "css/app.css",
    "css/charts.css",
    "js/numbers.js",
    "js/app.js",
    "js/pwa.js",
    "js/outbox.js",
    "django_htmx/htmx-2.min.js",
    "icons/icon.svg",
    "icons/icon-192.png",
    "icons/icon-512.png",
    "icons/apple-touch-icon.png",
    "icons/badge-96.png",
]
SERVICE_WORKER = "js/sw.js"

#: Personal pages kept for offline use (cached only when they load signed in, emptied
#: on sign-out): the forms an entry is logged with, and the questionnaires.
OFFLINE_FORMS = [
    "run_new",
    "checkin_new",
    "questionnaire_rmdq",
    "questionnaire_psfs",
    "questionnaire_pain_7d",
]


def _static_bytes(name: str) -> bytes:
    """A static file's content: from the app's folders, or the collected copy."""
    found = finders.find(name)
    if found:
        return Path(str(found)).read_bytes()
    with staticfiles_storage.open(name) as file:
        return file.read()


@lru_cache(maxsize=1)
def shell_version() -> str:
    """A hash of the service worker and everything it precaches, so that a deploy that
    changes any of them changes the worker byte for byte and browsers install it."""
    digest = hashlib.sha256()
    for name in [SERVICE_WORKER, *SHELL_STATIC]:
        digest.update(name.encode())
        digest.update(_static_bytes(name))
    for name in ("pwa/offline.html", "base.html", "runs/run_form.html", "runs/checkin_form.html"):
        digest.update((Path(settings.BASE_DIR) / "templates" / name).read_bytes())
    return digest.hexdigest()[:16]


def manifest_data() -> dict[str, Any]:
    def icon(name: str, size: int, purpose: str = "any") -> dict[str, str]:
        return {
            "src": static(f"icons/{name}"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }

    return {
        "id": "/",
        "name": "backpainlog",
        "short_name": "backpainlog",
        "description": "Log runs, back pain and shoes; see how load and pain move together.",
        "lang": "en",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            icon("icon-192.png", 192),
            icon("icon-512.png", 512),
            icon("icon-maskable-192.png", 192, "maskable"),
            icon("icon-maskable-512.png", 512, "maskable"),
        ],
        "shortcuts": [
            {
                "name": "Log a run",
                "url": reverse("run_new"),
                "icons": [icon("shortcut-run-96.png", 96)],
            },
            {
                "name": "Pain check-in",
                "url": reverse("checkin_new"),
                "icons": [icon("shortcut-pain-96.png", 96)],
            },
        ],
        "screenshots": [
            {
                "src": static("screenshots/log-a-run.png"),
                "sizes": "824x1830",
                "type": "image/png",
                "form_factor": "narrow",
                "label": "Logging a run on a phone",
            }
        ],
    }


@require_safe
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    return JsonResponse(manifest_data(), content_type="application/manifest+json")


def service_worker_source() -> str:
    shell = {
        "version": shell_version(),
        "static": [static(name) for name in SHELL_STATIC],
        "offline": reverse("offline"),
        "forms": [reverse(name) for name in OFFLINE_FORMS],
        "outbox": static("js/outbox.js"),
        # A reminder's notification: the app's icon, and the one-colour mark for the status bar.
        "icon": static("icons/icon-192.png"),
        "badge": static("icons/badge-96.png"),
    }
    config = f"self.SHELL = {json.dumps(shell)};\n"
    return config + _static_bytes(SERVICE_WORKER).decode()


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(service_worker_source(), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker on every navigation; never answer from a cache.
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    """Shown when a page is asked for without a network; the same for everyone (it is
    cached), so it holds nothing personal."""
    return render(request, "pwa/offline.html", {"title": "Offline"})


class LogoutView(auth_views.LogoutView):
    """Django's sign-out, plus ``Clear-Site-Data``: the browser drops what it cached
    while the user was signed in (the service worker's copies of the forms are deleted
    by the page before it submits)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache"'
        return response
