"""The installable app on a phone: the service worker, the manifest, and logging with no
network (the outbox)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page, Playwright, Route, expect

from backpainlog import pwa
from backpainlog.accounts.selectors import profile_of
from runs.models import PainCheckin, Run
from tests.conftest import HtmlPage
from tests.e2e.conftest import PHONE, sign_in

pytestmark = pytest.mark.e2e

# A function, not an expression: Playwright polls an expression with eval, which the CSP refuses.
CONTROLLED = "() => navigator.serviceWorker.controller !== null"
FORMS_CACHED = """async () => {
  for (const name of await caches.keys()) {
    if (!name.startsWith("backpainlog-forms-")) continue;
    const cache = await caches.open(name);
    if (await cache.match("/runs/new/") && await cache.match("/pain/new/")) return true;
  }
  return false;
}"""
WORKER_ACTIVATED = """async () => {
  const worker = (await navigator.serviceWorker.ready).active;
  while (worker.state !== "activated") {
    await new Promise(resolve => worker.addEventListener("statechange", resolve, { once: true }));
  }
}"""
CACHE_NAMES = "async () => (await caches.keys()).sort()"


@pytest.fixture(autouse=True)
def fresh_version() -> None:
    pwa.shell_version.cache_clear()


@pytest.fixture
def phone_without_worker(
    playwright: Playwright, browser: Browser, live_server: Any, transactional_db: None
) -> Iterator[Page]:
    """A phone whose pages talk to the network directly: ``page.route`` sees every API
    request (a service worker's own requests would bypass it)."""
    options = {**playwright.devices[PHONE], "base_url": live_server.url, "service_workers": "block"}
    options.pop("default_browser_type", None)
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


NEW_YORK = ZoneInfo("America/New_York")


def in_new_york(user: User) -> None:
    profile = profile_of(user)
    profile.timezone = NEW_YORK.key
    profile.save()


def signed_in_with_worker(page: Page, user: User) -> None:
    """Signed in, the page controlled by the service worker and the forms cached."""
    sign_in(page, user)
    page.evaluate(WORKER_ACTIVATED)
    if not page.evaluate(CONTROLLED):
        # The page after signing in was requested while the worker was still installing:
        # as in any browser, the worker controls the pages loaded from then on.
        page.reload()
    page.wait_for_function(CONTROLLED)
    page.wait_for_function(FORMS_CACHED)


def waiting(page: Page) -> Any:
    return page.locator("[data-outbox-count]")


def wait_until_sent(page: Page) -> None:
    """Waits for a send started by a page load. Right after a load the header's count is
    hidden until the outbox has been read, so its being hidden proves nothing yet; an entry
    leaves the outbox only once the server has stored it."""
    page.wait_for_function("async () => (await BackpainlogOutbox.all()).length === 0")


def log_a_run(page: Page, distance: str = "8.4", duration: str = "46:12") -> None:
    page.get_by_label("Distance").fill(distance)
    page.get_by_label("Duration").fill(duration)
    page.get_by_label("Pain before").fill("2")
    page.get_by_label("Pain after").fill("3")
    page.get_by_role("button", name="Save", exact=True).tap()


def queue_a_run_offline(page: Page, **run: str) -> None:
    """Opens the log form online, loses the network, saves a run: it waits in the outbox."""
    page.goto("/runs/new/")
    page.context.set_offline(True)
    log_a_run(page, **run)
    expect(page.get_by_role("status").filter(has_text="waiting to sync")).to_be_visible()
    expect(waiting(page)).to_have_text("Waiting to sync (1)")


def test_service_worker_controls_the_page_and_caches_the_shell(phone: Page, runner: User) -> None:
    signed_in_with_worker(phone, runner)

    names = phone.evaluate(CACHE_NAMES)
    version = pwa.shell_version()
    assert names == [f"backpainlog-forms-{version}", f"backpainlog-shell-{version}"]
    shell = phone.evaluate(
        "async name => (await (await caches.open(name)).keys()).map(r => new URL(r.url).pathname)",
        f"backpainlog-shell-{version}",
    )
    assert {"/offline/", "/static/css/app.css", "/static/js/app.js", "/static/js/outbox.js"} <= set(shell)
    # Personal pages other than the forms, API answers and htmx parts: never cached.
    phone.goto("/runs/")
    phone.goto("/")
    phone.evaluate("fetch('/api/v1/runs/').then(r => r.text())")
    forms = phone.evaluate(
        "async name => (await (await caches.open(name)).keys()).map(r => new URL(r.url).pathname)",
        f"backpainlog-forms-{version}",
    )
    assert sorted(forms) == [
        "/pain/new/",
        "/questionnaires/pain-7d/",
        "/questionnaires/psfs/",
        "/questionnaires/rmdq/",
        "/runs/new/",
    ]


def test_manifest_meets_the_install_criteria(phone: Page, live_server: Any) -> None:
    phone.goto("/accounts/login/")
    href = phone.locator("link[rel=manifest]").get_attribute("href")
    assert href == "/manifest.webmanifest"
    response = phone.request.get(f"{live_server.url}{href}")
    assert response.ok
    assert response.headers["content-type"] == "application/manifest+json"
    manifest = json.loads(response.body())

    assert manifest["name"] == "backpainlog"
    assert manifest["short_name"]
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    found = set()
    for icon in manifest["icons"]:
        png = phone.request.get(f"{live_server.url}{icon['src']}")
        assert png.ok
        assert png.headers["content-type"] == "image/png"
        with Image.open(io.BytesIO(png.body())) as image:
            assert image.format == "PNG"
            assert "{}x{}".format(*image.size) == icon["sizes"]
        found.add((icon["sizes"], icon["purpose"]))
    assert {("192x192", "any"), ("512x512", "any")} <= found
    apple = phone.locator("link[rel=apple-touch-icon]").get_attribute("href")
    with Image.open(io.BytesIO(phone.request.get(f"{live_server.url}{apple}").body())) as image:
        assert image.size == (180, 180)


def test_a_run_logged_offline_is_sent_once_when_the_network_is_back(phone: Page, runner: User) -> None:
    page = phone
    in_new_york(runner)  # not the phone's zone: the form's times are the profile's
    signed_in_with_worker(page, runner)
    page.context.set_offline(True)

    page.goto("/runs/new/")  # from the cache
    expect(page.get_by_role("heading", name="Log a run")).to_be_visible()
    started = page.get_by_label("Date and time").input_value()
    log_a_run(page)
    expect(page.get_by_role("status").filter(has_text="waiting to sync")).to_be_visible()
    expect(waiting(page)).to_have_text("Waiting to sync (1)")
    outbox = page.get_by_role("region", name="Waiting to sync")
    expect(outbox.get_by_role("listitem")).to_contain_text("Run · 8.4 km in 46:12")
    assert Run.objects.count() == 0

    page.reload()  # still offline: the shell and the waiting entry are still there
    expect(page.get_by_role("heading", name="Log a run")).to_be_visible()
    expect(waiting(page)).to_have_text("Waiting to sync (1)")
    page.goto("/runs/")  # a page that is not kept offline
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    page.goto("/pain/new/")
    expect(page.get_by_role("heading", name="Pain check-in")).to_be_visible()

    # A second tab: both send when the network is back, and the service worker's
    # Background Sync too; `online` fires twice more for good measure.
    other = page.context.new_page()
    other.goto("/runs/new/")
    expect(waiting(other)).to_have_text("Waiting to sync (1)")
    page.context.set_offline(False)
    for tab in (page, other):
        tab.evaluate("window.dispatchEvent(new Event('online')); window.dispatchEvent(new Event('online'))")

    for tab in (page, other):
        expect(waiting(tab)).to_be_hidden()
    expect(page.get_by_role("region", name="Waiting to sync")).to_be_hidden()
    assert Run.objects.count() == 1
    run = Run.objects.get()
    assert run.user == runner
    assert run.distance_m == pytest.approx(8400)
    assert run.duration_s == 46 * 60 + 12
    assert f"{run.started_at.astimezone(NEW_YORK):%Y-%m-%dT%H:%M}" == started
    page.goto("/runs/")
    expect(page.get_by_role("listitem").filter(has_text="8.40 km")).to_have_count(1)


def test_a_check_in_saved_offline_is_sent_on_the_next_page_load(
    phone_without_worker: Page, runner: User
) -> None:
    page = phone_without_worker
    sign_in(page, runner)
    page.goto("/pain/new/")
    page.context.set_offline(True)
    page.get_by_label("Pain", exact=True).fill("6")
    page.get_by_label("Radiates down the leg").check()
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(waiting(page)).to_have_text("Waiting to sync (1)")
    assert PainCheckin.objects.count() == 0

    page.context.set_offline(False)
    page.goto("/")

    wait_until_sent(page)
    expect(waiting(page)).to_be_hidden()
    checkin = PainCheckin.objects.get()
    assert (checkin.user, checkin.score, checkin.radiating_leg_pain) == (runner, 6, True)


def test_a_run_whose_request_fails_on_a_bad_connection_waits_in_the_outbox(
    phone_without_worker: Page, runner: User
) -> None:
    """The phone thinks it is online, but the request never reaches the server."""
    page = phone_without_worker
    sign_in(page, runner)
    page.goto("/runs/new/")
    page.route("**/runs/new/", lambda route: route.abort("internetdisconnected"))
    page.route("**/api/v1/runs/", lambda route: route.abort("internetdisconnected"))

    log_a_run(page)

    expect(page.get_by_role("status").filter(has_text="waiting to sync")).to_be_visible()
    expect(waiting(page)).to_have_text("Waiting to sync (1)")
    expect(page.get_by_role("region", name="Waiting to sync")).to_contain_text("No connection. Trying again.")
    assert Run.objects.count() == 0

    page.unroute("**/runs/new/")
    page.unroute("**/api/v1/runs/")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(waiting(page)).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text="Sent: it is in your log now.")).to_be_visible()
    assert Run.objects.count() == 1


def test_a_form_drawn_long_ago_gets_a_fresh_time_and_id(phone_without_worker: Page, runner: User) -> None:
    """A form from the cache: its "now" and its hidden id are from when it was drawn."""
    page = phone_without_worker
    in_new_york(runner)
    sign_in(page, runner)
    later = timezone.now() + dt.timedelta(minutes=30)
    page.clock.set_fixed_time(later)

    response = page.goto("/runs/new/")

    assert response is not None
    drawn = HtmlPage(response.text()).form(id="run-form").data()
    when = page.get_by_label("Date and time")
    expect(when).to_have_value(f"{later.astimezone(NEW_YORK):%Y-%m-%dT%H:%M}")
    assert drawn["started_at"] != when.input_value()
    hidden_id = page.locator("#run-form input[name=id]")
    expect(hidden_id).not_to_have_value(str(drawn["id"]))
    expect(hidden_id).to_have_value(re.compile(r"^[0-9a-f-]{36}$"))


PUT_WAITING_RUN = """([owner, createdAt]) => BackpainlogOutbox.put({
  id: crypto.randomUUID(), kind: "run", url: "/api/v1/runs/", owner: owner, formUrl: "/runs/new/",
  payload: {started_at: "2026-01-10T07:30:00+00:00", activity: "run", distance_m: 5000, surface: "road"},
  values: {}, summary: "Run · 5 km", csrf: "", createdAt: createdAt, state: "waiting", errors: [],
  attempts: 0})"""


def test_entries_saved_by_someone_else_on_this_phone_are_neither_shown_nor_sent(
    phone_without_worker: Page, runner: User
) -> None:
    """Someone whose sign-in expired left an entry; the next person to sign in must not
    see it or send it as their own."""
    page = phone_without_worker
    sign_in(page, runner)
    page.goto("/settings/")
    page.evaluate(PUT_WAITING_RUN, ["someone-else", 1])
    page.evaluate(PUT_WAITING_RUN, [str(runner.pk), 2])
    expect(waiting(page)).to_have_text("Waiting to sync (1)")

    page.evaluate("window.dispatchEvent(new Event('online'))")

    expect(waiting(page)).to_be_hidden()
    assert Run.objects.count() == 1
    left = page.evaluate("BackpainlogOutbox.all().then(entries => entries.map(entry => entry.owner))")
    assert left == ["someone-else"]


def test_a_server_error_keeps_the_entry_and_a_later_attempt_sends_it(
    phone_without_worker: Page, runner: User
) -> None:
    page = phone_without_worker
    sign_in(page, runner)
    queue_a_run_offline(page)
    answers: list[int] = []

    def first_fails(route: Route) -> None:
        if not answers:
            answers.append(500)
            route.fulfill(status=500, content_type="text/html", body="<h1>Server Error</h1>")
        else:
            answers.append(0)
            route.continue_()

    page.route("**/api/v1/runs/", first_fails)
    page.context.set_offline(False)

    outbox = page.get_by_role("region", name="Waiting to sync")
    expect(outbox).to_contain_text("The server answered 500. Trying again.")
    assert Run.objects.count() == 0
    # Retried by itself after a short wait (backoff), no reload needed.
    expect(waiting(page)).to_be_hidden()
    assert answers == [500, 0]
    assert Run.objects.count() == 1


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        # Fetch follows the redirect: the sign-in page comes back as a 200 HTML page.
        ({"status": 302, "headers": {"Location": "/accounts/login/?next=/api/v1/runs/"}}, "did not confirm"),
        (
            {"status": 403, "content_type": "application/json", "body": '{"detail": "CSRF Failed"}'},
            "answered 403",
        ),
        (
            {"status": 401, "content_type": "application/json", "body": '{"detail": "Not signed in"}'},
            "answered 401",
        ),
        ({"status": 413, "content_type": "text/html", "body": "<h1>Too large</h1>"}, "answered 413"),
    ],
    ids=["redirect-to-sign-in", "403", "401", "413"],
)
def test_an_entry_is_kept_when_the_answer_is_not_the_apis_own(
    phone_without_worker: Page, runner: User, answer: dict[str, Any], shown: str
) -> None:
    page = phone_without_worker
    sign_in(page, runner)
    queue_a_run_offline(page)
    page.route("**/api/v1/runs/", lambda route: route.fulfill(**answer))
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")

    outbox = page.get_by_role("region", name="Waiting to sync")
    expect(outbox).to_contain_text(shown)
    expect(waiting(page)).to_have_text("Waiting to sync (1)")
    page.reload()  # not lost
    expect(waiting(page)).to_have_text("Waiting to sync (1)")
    assert Run.objects.count() == 0

    page.unroute("**/api/v1/runs/")
    page.reload()
    wait_until_sent(page)
    expect(waiting(page)).to_be_hidden()


def test_background_sync_sends_with_the_current_csrf_token_not_the_stored_one(
    phone: Page, runner: User
) -> None:
    """The token stored with an entry is stale after a new sign-in; the worker, with no
    page to read the cookie from, uses the current one and the entry is sent once."""
    page = phone
    signed_in_with_worker(page, runner)
    owner = page.evaluate("document.body.getAttribute('data-signed-in')")
    [worker] = page.context.service_workers
    entry = {
        "id": "0b0b4f6e-2f57-4c59-9b1e-6f1d2a3c4d5e",
        "kind": "run",
        "owner": owner,
        "url": "/api/v1/runs/",
        "formUrl": "/runs/new/",
        "payload": {
            "started_at": "2026-11-01T07:30:00+00:00",
            "activity": "run",
            "distance_m": 8400,
        },
        "values": {},
        "summary": "Run · 8.4 km",
        "csrf": "stale" * 6 + "st",
        "createdAt": 1,
        "state": "waiting",
        "errors": [],
        "attempts": 0,
    }
    result = worker.evaluate(
        "entry => BackpainlogOutbox.put(entry).then(() => BackpainlogOutbox.flush())", entry
    )

    assert result["sent"] == 1, result
    assert not result["retry"]
    assert worker.evaluate("BackpainlogOutbox.all()") == []
    assert Run.objects.count() == 1


def test_a_rejected_entry_stays_with_the_message_until_fixed(
    phone_without_worker: Page, runner: User
) -> None:
    page = phone_without_worker
    sign_in(page, runner)
    queue_a_run_offline(page)
    message = "Ensure this value is less than or equal to 500000.0."
    page.route(
        "**/api/v1/runs/",
        lambda route: route.fulfill(
            status=400, content_type="application/json", body=json.dumps({"distance_m": [message]})
        ),
    )
    page.context.set_offline(False)

    entry = page.get_by_role("region", name="Waiting to sync").get_by_role("listitem").first
    expect(entry).to_contain_text(f"Distance: {message}")
    expect(entry).to_contain_text("Not saved")
    page.reload()  # not lost
    entry = page.get_by_role("region", name="Waiting to sync").get_by_role("listitem").first
    expect(entry).to_contain_text(f"Distance: {message}")
    assert Run.objects.count() == 0

    page.unroute("**/api/v1/runs/")
    entry.get_by_role("button", name="Fix").tap()
    expect(page.get_by_label("Distance")).to_have_value("8.4")
    page.get_by_label("Distance").fill("9")
    page.get_by_role("button", name="Save", exact=True).tap()

    wait_until_sent(page)
    expect(waiting(page)).to_be_hidden()
    assert Run.objects.get().distance_m == pytest.approx(9000)


def test_signing_out_warns_about_waiting_entries_and_forgets_them(phone: Page, runner: User) -> None:
    page = phone
    signed_in_with_worker(page, runner)
    page.goto("/settings/")
    # An entry the server turned down: it waits for the user, and is never sent again.
    page.evaluate(
        """BackpainlogOutbox.put({id: crypto.randomUUID(), kind: "run", url: "/api/v1/runs/",
        owner: document.body.dataset.signedIn, formUrl: "/runs/new/", payload: {}, values: {},
        summary: "Run · 900 km", csrf: "", createdAt: Date.now(), state: "invalid",
        errors: ["Distance: too far."], attempts: 0})"""
    )
    expect(waiting(page)).to_have_text("Waiting to sync (1)")
    dialogs: list[str] = []

    def answer(accept: bool) -> Any:
        def handle(dialog: Any) -> None:
            dialogs.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return handle

    page.once("dialog", answer(False))
    with page.expect_event("dialog"):
        page.get_by_role("button", name="Sign out").tap()
    assert "1 entry is waiting to sync" in dialogs[0]
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    expect(waiting(page)).to_have_text("Waiting to sync (1)")

    page.once("dialog", answer(True))
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").tap()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert len(dialogs) == 2
    # The forms are gone; the shell (nothing personal) stays for the offline page.
    assert page.evaluate(CACHE_NAMES) == [f"backpainlog-shell-{pwa.shell_version()}"]
    assert page.evaluate("BackpainlogOutbox.all().then(entries => entries.length)") == 0


def test_a_new_version_is_offered_and_replaces_the_old_cache(
    phone: Page, runner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = phone
    signed_in_with_worker(page, runner)
    old = pwa.shell_version()

    monkeypatch.setattr(pwa, "shell_version", lambda: "next-deploy")
    page.evaluate("navigator.serviceWorker.getRegistration().then(registration => registration.update())")
    banner = page.get_by_role("status").filter(has_text="A new version of backpainlog is ready.")
    expect(banner).to_be_visible()
    with page.expect_navigation():
        banner.get_by_role("button", name="Reload").tap()

    page.wait_for_function(CONTROLLED)
    page.wait_for_function(
        "async () => (await caches.keys()).includes('backpainlog-shell-next-deploy')"
        " && !(await caches.keys()).includes('backpainlog-shell-" + old + "')"
    )
    names = page.evaluate(CACHE_NAMES)
    assert not [name for name in names if old in name]
    expect(page.get_by_role("status").filter(has_text="A new version")).to_have_count(0)
