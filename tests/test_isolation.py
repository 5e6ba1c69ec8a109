"""Isolation sweep: every URL pattern of the project (pages, API routes, downloads, the
admin), requested as another user with every method and with the parameters of Alice's
own objects, answers Bob with "not found", a refusal or his own data, never Alice's;
and Alice's objects are exactly as they were afterwards. Without credentials, every page
that is not public sends to the sign-in page and every API route answers 401.

The walk is over the URL configuration itself, so a new URL is swept as soon as it
exists; a new URL with parameters must say below how to fill them (the sweep fails until
it does), and a new public URL must be listed as public.
"""

from __future__ import annotations

import functools
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from backpainlog.accounts.models import ApiToken, Profile, RecoveryCode
from backpainlog.accounts.services import api_token_create, two_step_enable, two_step_setup_start
from clinical.models import QuestionnaireResponse, QuestionnaireSchedule, Treatment
from clinical.services import response_create, schedule_set, treatment_create
from imports.jobs import import_job_create
from imports.models import ImportJob
from reminders.models import PushSubscription, ReminderSettings
from runs.models import PainCheckin, Run
from sharing.models import ShareLink
from sharing.services import share_link_create, share_link_revoke
from shoes.models import Insole, Shoe
from tests.exports.helpers import body as body_of
from tests.factories import (
    InsoleFactory,
    PainCheckinFactory,
    PushSubscriptionFactory,
    RunFactory,
    ShoeFactory,
)
from tests.imports.builders import fit_file, fit_session, zipped
from tests.imports.test_api_imports import START

# Alice's distinctive values: none may appear in anything Bob is shown.
MARKS = {
    "run": "alice-run-note-q7Zx",
    "checkin": "alice-checkin-note-V3kp",
    "shoe": "Alice Shoe Wq8r",
    "insole": "Alice Insole Jt5m",
    "link": "Alice Physio Link Hn2c",
    "revoked_link": "Alice Old Link Pz4d",
    "token": "Alice Token Label Mk9t",
    "activity": "alice-psfs-activity-Rb6w",
    "treatment": "Alice Treatment Zc3y",
    "import": "alice-export-Gh4s.zip",
}
METHODS = ["get", "post", "put", "patch", "delete"]
# What Bob sends to every write: plausible for the forms and the API alike (but not his
# password, so that he never deletes his own account on the way).
FORM_BODY = {
    "notes": "written by bob",
    "score": "5",
    "distance": "5",
    "duration": "30:00",
    "name": "Bob's pair",
    "label": "Bob's link",
    "password": "not-bobs-password",
    "new_password1": "Another-long-passphrase-42",
    "new_password2": "Another-long-passphrase-42",
    "expires_in_days": "14",
}
JSON_BODY = {
    "notes": "written by bob",
    "score": 5,
    "distance_m": 5000.0,
    "name": "Bob's pair",
    "label": "Bob's link",
    "password": "not-bobs-password",
}


@dataclass
class Alices:
    user: User
    run: Run
    checkin: PainCheckin
    shoe: Shoe
    insole: Insole
    link: ShareLink
    revoked_token: str  # of another link of hers, revoked
    event: AuditEvent
    api_token: ApiToken
    response: QuestionnaireResponse
    treatment: Treatment
    import_job: ImportJob
    push_subscription: PushSubscription


def _gear_pk(field: str, alices: Alices) -> dict[str, object]:
    return {"pk": getattr(alices, field).pk}


# Parameters of the app's own URLs, by route: Alice's objects. A route missing here
# fails the sweep (see ``fill``).
OWN_ROUTES: dict[str, Callable[[Alices], dict[str, object]]] = {
    "runs/<uuid:pk>/edit/": lambda a: {"pk": a.run.pk},
    "runs/<uuid:pk>/delete/": lambda a: {"pk": a.run.pk},
    "runs/<uuid:pk>/next-morning/": lambda a: {"pk": a.run.pk},
    "pain/<uuid:pk>/edit/": lambda a: {"pk": a.checkin.pk},
    "pain/<uuid:pk>/delete/": lambda a: {"pk": a.checkin.pk},
    **{
        f"{prefix}/<int:pk>/{action}/": functools.partial(_gear_pk, prefix[:-1])
        for prefix in ("shoes", "insoles")
        for action in ("edit", "retire", "default", "delete")
    },
    "share/<int:pk>/revoke/": lambda a: {"pk": a.link.pk},
    "settings/tokens/<int:pk>/revoke/": lambda a: {"pk": a.api_token.pk},
    "api/v1/^auth/tokens/(?P<pk>[^/.]+)/$": lambda a: {"pk": a.api_token.pk},
    "api/v1/^runs/(?P<pk>[^/.]+)/$": lambda a: {"pk": a.run.pk},
    "api/v1/^pain-checkins/(?P<pk>[^/.]+)/$": lambda a: {"pk": a.checkin.pk},
    "api/v1/^shoes/(?P<pk>[^/.]+)/$": lambda a: {"pk": a.shoe.pk},
    "api/v1/^insoles/(?P<pk>[^/.]+)/$": lambda a: {"pk": a.insole.pk},
    "api/v1/^share-links/(?P<pk>[^/.]+)/$": lambda a: {"pk": a.link.pk},
    "api/v1/^audit-events/(?P<pk>[^/.]+)/$": lambda a: {"pk": a.event.pk},
    "questionnaires/<uuid:pk>/delete/": lambda a: {"pk": a.response.pk},
    "treatments/<uuid:pk>/edit/": lambda a: {"pk": a.treatment.pk},
    "treatments/<uuid:pk>/delete/": lambda a: {"pk": a.treatment.pk},
    "api/v1/^questionnaire-responses/(?P<pk>[^/.]+)/$": lambda a: {"pk": a.response.pk},
    "api/v1/^treatments/(?P<pk>[^/.]+)/$": lambda a: {"pk": a.treatment.pk},
    "import/jobs/<uuid:job_id>/": lambda a: {"job_id": a.import_job.pk},
    "api/v1/imports/<uuid:pk>/": lambda a: {"pk": a.import_job.pk},
    "api/v1/^push-subscriptions/(?P<pk>[^/.]+)/$": lambda a: {"pk": a.push_subscription.pk},
}
# Parameters that name no one's object: a questionnaire's key. Bob reads and sets his own
# schedule there; Alice's (set apart from the default) must stay as it is.
SHARED_KEY_ROUTES: dict[str, Callable[[Alices], dict[str, object]]] = {
    "api/v1/^questionnaires/(?P<key>rmdq|psfs|pain_7d)/$": lambda a: {"key": "psfs"},
}
# Public by design, reached by a secret in the address: a share link's token (the link
# is the permission, so Alice's revoked one must be "not found") and a password reset
# link (Alice's user id with a token only her mailbox has: an "invalid link" page).
SECRET_ROUTES: dict[str, Callable[[Alices], dict[str, object]]] = {
    "shared/<str:token>/": lambda a: {"token": a.revoked_token},
    "shared/<str:token>/report.pdf": lambda a: {"token": a.revoked_token},
    "shared/<str:token>/runs.csv": lambda a: {"token": a.revoked_token},
    "^shared(?:/(?P<rest>.*))?$": lambda a: {"rest": f"{a.revoked_token}/runs.json"},
    "accounts/reset/<uidb64>/<token>/": lambda a: {
        "uidb64": urlsafe_base64_encode(force_bytes(a.user.pk)),
        "token": "set-password",
    },
}
# The admin's parameters, by name: Bob is no staff, so every admin address sends him to
# the admin's sign-in page whatever they are.
ADMIN_PARAMETERS: dict[str, Callable[[Alices], object]] = {
    "object_id": lambda a: a.run.pk,
    "id": lambda a: a.user.pk,
    "pk": lambda a: a.user.pk,
    "content_type_id": lambda a: 1,
    "app_label": lambda a: "runs",
    "url": lambda a: f"runs/no-such-page-{a.run.pk}/",
}
# Pages anyone may open without signing in (besides SECRET_ROUTES).
PUBLIC_ROUTES = {
    "definitions/",
    "insoles/",  # a redirect to /shoes/, which asks for signing in
    "accounts/signup/",
    "accounts/login/",
    "accounts/login/code/",
    "accounts/logout/",
    "accounts/password_reset/",
    "accounts/password_reset/done/",
    "accounts/reset/done/",
    "api/v1/auth/token/",
    "api/schema/",
    "api/docs/",
    "healthz",
    "manifest.webmanifest",
    "sw.js",
    "offline/",
    "admin/login/",
    "admin/logout/",
    "admin/jsi18n/",
}


@dataclass
class Route:
    template: str  # the full route, as the URL configuration spells it
    pattern: URLPattern
    admin: bool

    @property
    def parameters(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.template)


def walk(patterns: list[URLPattern | URLResolver], prefix: str = "", admin: bool = False) -> Iterator[Route]:
    for entry in patterns:
        template = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, template, admin or entry.namespace == "admin")
        else:
            yield Route(template, entry, admin)


def unique_routes() -> list[Route]:
    """Each route once: where two patterns spell the same route, the first one wins (it
    is the one that answers)."""
    routes: dict[str, Route] = {}
    for route in walk(get_resolver().url_patterns):
        routes.setdefault(route.template, route)
    return list(routes.values())


ROUTES = unique_routes()


def fill(route: Route, alices: Alices) -> str:
    """The route's path with its parameters filled; fails for a route it does not know."""
    if route.admin:
        unknown = set(route.parameters) - set(ADMIN_PARAMETERS)
        assert not unknown, f"admin route {route.template!r}: no value for {unknown}"
        values = {name: ADMIN_PARAMETERS[name](alices) for name in route.parameters}
    elif route.template in OWN_ROUTES:
        values = OWN_ROUTES[route.template](alices)
    elif route.template in SECRET_ROUTES:
        values = SECRET_ROUTES[route.template](alices)
    elif route.template in SHARED_KEY_ROUTES:
        values = SHARED_KEY_ROUTES[route.template](alices)
    else:
        assert not route.parameters, (
            f"{route.template!r} takes {route.parameters}: add it to OWN_ROUTES (one of "
            "Alice's objects) or SECRET_ROUTES, so that the isolation sweep covers it"
        )
        values = {}
    path = route.template
    for name, value in values.items():
        path = re.sub(rf"<(?:\w+:)?{name}>|\(\?P<{name}>[^()]*(?:\([^()]*\)[^()]*)*\)", str(value), path)
    path = "/" + path.replace("^", "").replace("$", "").replace("(?:", "").replace(")?", "")
    assert resolve(path).func == route.pattern.callback, f"{path} does not resolve to {route.template}"
    return path


def body_text(response: HttpResponseBase) -> str:
    """What a client is shown: the body, the files inside a zip, and where it redirects."""
    content = body_of(response)
    if response.get("Content-Type", "").startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"".join(archive.read(name) for name in archive.namelist())
    return content.decode(errors="replace") + response.get("Location", "")


def snapshot(user: User) -> dict[str, list[dict[str, object]]]:
    """Every stored field of everything Alice has."""
    owned: list[type[models.Model]] = [
        Run,
        PainCheckin,
        Shoe,
        Insole,
        ShareLink,
        ApiToken,
        AuditEvent,
        Profile,
        TOTPDevice,
        RecoveryCode,
        QuestionnaireResponse,
        QuestionnaireSchedule,
        Treatment,
        ImportJob,
        PushSubscription,
        ReminderSettings,
    ]
    state: dict[str, list[Any]] = {
        model.__name__: list(model._default_manager.filter(user=user).order_by("pk").values())
        for model in owned
    }
    state["User"] = list(User.objects.filter(pk=user.pk).values())
    return state


@pytest.fixture
def alices(alice: User) -> Alices:
    # Two-step sign-in on, so that a route changing another user's device or recovery
    # codes would show in the snapshot.
    device = two_step_setup_start(user=alice)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    two_step_enable(device=device, code=f"{totp.token():06d}")
    link, _ = share_link_create(user=alice, label=MARKS["link"], expires_in_days=14)
    revoked, revoked_token = share_link_create(user=alice, label=MARKS["revoked_link"], expires_in_days=14)
    share_link_revoke(link=revoked)
    api_token, _ = api_token_create(user=alice, label=MARKS["token"])
    schedule_set(user=alice, questionnaire="psfs", schedule="4w")
    response, _ = response_create(
        user=alice, questionnaire="psfs", answers=[{"activity": MARKS["activity"], "score": 4}]
    )
    treatment, _ = treatment_create(
        user=alice, kind="medication", name=MARKS["treatment"], started_at=timezone.now()
    )
    # Queued, not run: the upload's bytes are still there for a route to give away.
    import_job = import_job_create(
        user=alice,
        upload=SimpleUploadedFile(MARKS["import"], zipped({"a.fit": fit_file(fit_session(START))})),
    )
    return Alices(
        user=alice,
        run=RunFactory(user=alice, notes=MARKS["run"], shoe=ShoeFactory(user=alice, name=MARKS["shoe"])),
        checkin=PainCheckinFactory(user=alice, notes=MARKS["checkin"]),
        shoe=Shoe.objects.get(user=alice),
        insole=InsoleFactory(user=alice, name=MARKS["insole"]),
        link=link,
        revoked_token=revoked_token,
        event=AuditEvent.objects.filter(user=alice).latest("pk"),
        api_token=api_token,
        response=response,
        treatment=treatment,
        import_job=import_job,
        push_subscription=PushSubscriptionFactory(user=alice),
    )


def send(client: Client, method: str, path: str) -> HttpResponseBase:
    if method == "get":
        return client.get(path)
    if path.startswith("/api/"):
        return getattr(client, method)(path, data=json.dumps(JSON_BODY), content_type="application/json")
    if method == "post":
        return client.post(path, data=FORM_BODY)
    return getattr(client, method)(path, data=FORM_BODY)


def assert_nothing_of_alices(response: HttpResponseBase, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code}"
    # The PDF's text is drawn in an embedded font, not searchable here; what goes into
    # a report is checked in tests/exports/test_report.py.
    if response.get("Content-Type", "").startswith("application/pdf"):
        return
    shown = body_text(response)
    leaked = [mark for mark in MARKS.values() if mark in shown]
    assert not leaked, f"{where} shows Alice's {leaked}"


def assert_refused(response: HttpResponseBase, route: Route, where: str) -> None:
    """Alice's object through Bob: not found (or the method is not allowed at all)."""
    if route.admin:
        assert response.status_code == 302, f"{where}: {response.status_code}"
        assert response["Location"].startswith("/admin/login/"), where
    elif route.template.startswith("accounts/reset/"):
        assert response.status_code in {200, 302}, f"{where}: {response.status_code}"
        assert "Location" not in response or not response["Location"].startswith("/accounts/reset/done/"), (
            where
        )
    else:
        assert response.status_code in {404, 405}, f"{where}: {response.status_code}"


def test_every_route_is_known_to_the_sweep(alices: Alices) -> None:
    assert len(ROUTES) > 50
    for route in ROUTES:
        fill(route, alices)


def test_another_user_never_sees_or_changes_alices_data(
    alices: Alices, bob: User, fast_password_hashing: None
) -> None:
    before = snapshot(alices.user)
    for route in ROUTES:
        path = fill(route, alices)
        clients = {"session": Client()}
        if path.startswith("/api/"):
            clients["token"] = Client()
        for method in METHODS:
            for door, client in clients.items():
                # Signed in afresh each time: a sign-out or token revocation on the way
                # must not turn the rest of the sweep into anonymous requests.
                if door == "session":
                    client.force_login(bob)
                else:
                    _, token = api_token_create(user=bob)
                    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
                response = send(client, method, path)
                where = f"{method.upper()} {path} as bob ({door})"
                assert_nothing_of_alices(response, where)
                if route.template in SHARED_KEY_ROUTES:
                    continue
                if route.parameters or (route.admin and route.template not in PUBLIC_ROUTES):
                    assert_refused(response, route, where)
    assert snapshot(alices.user) == before


def test_without_credentials_only_public_pages_open(alices: Alices) -> None:
    before = snapshot(alices.user)
    client = Client()
    for route in ROUTES:
        path = fill(route, alices)
        for method in ("get", "post"):
            response = send(client, method, path)
            where = f"{method.upper()} {path} without credentials"
            assert_nothing_of_alices(response, where)
            if route.template in SECRET_ROUTES:
                assert_refused(response, route, where)
                continue
            if route.template in PUBLIC_ROUTES:
                continue
            if path.startswith("/api/"):
                assert response.status_code == 401, f"{where}: {response.status_code}"
            elif response.status_code != 401:  # the downloads answer API clients as the API does
                login = "/admin/login/" if route.admin else "/accounts/login/"
                assert response.status_code == 302, f"{where}: {response.status_code}"
                assert response["Location"].startswith(login), f"{where}: {response['Location']}"
    assert snapshot(alices.user) == before
