"""Reminders on a phone (docs/product.md#reminders): turning them on and off for this device in Settings,
the one-time offer after a first run, a pushed reminder shown by the service worker, and
tapping it opening the screen that answers it.

Two things a test browser cannot do for real, and what stands in for them:

- Subscribing. ``pushManager.subscribe`` asks the browser's push service (Google's, for
  Chromium) for an endpoint: Chromium refuses it in a Playwright context (an incognito
  profile: "Registration failed - permission denied") and, in a persistent one, waits for a
  service this machine cannot reach. ``FAKE_PUSH_SERVICE`` replaces just that call (and
  ``getSubscription``) in the page with one that hands out an endpoint on an allowed push
  host with real P-256 keys; everything around it is the app's: the permission, the key
  from the server, the subscription stored, listed and deleted through the API.
- Tapping a notification. No protocol can click one (there is no DevTools or WebDriver
  command for it). The test dispatches a ``notificationclick`` event, carrying the
  notification the worker really showed, inside the real service worker: its own handler
  runs. The browser allows ``focus()`` and ``openWindow()`` only in an event from a real
  tap, so what is checked is the part that needs neither: the open window of the app is
  sent to the notification's page (``WindowClient.navigate``), and the notification closed.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth.models import User
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, Playwright, Worker, expect

from backpainlog.accounts.models import Profile
from reminders import payloads
from reminders.models import PushSubscription
from tests.e2e.conftest import NARROW_VIEWPORT, PHONE, screenshot, sign_in
from tests.e2e.test_core_flow import scale_button
from tests.e2e.test_pwa import CONTROLLED, WORKER_ACTIVATED

pytestmark = pytest.mark.e2e

OFFER = "Get a reminder for next-morning pain?"
TURN_ON = "Turn on reminders on this device"
TURN_OFF = "Turn off on this device"

# In the page, before its own scripts: the browser's push service, and nothing else.
FAKE_PUSH_SERVICE = """(() => {
  const STORE = "e2e-push-subscription";
  const CALLS = "e2e-push-subscribe-calls";
  const config = %s;
  const b64 = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  function subscription(saved) {
    return {
      endpoint: saved.endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true, applicationServerKey: Uint8Array.from(saved.key).buffer },
      toJSON() { return { endpoint: saved.endpoint, expirationTime: null, keys: { p256dh: saved.p256dh, auth: saved.auth } }; },
      unsubscribe() { localStorage.removeItem(STORE); return Promise.resolve(true); },
    };
  }
  PushManager.prototype.getSubscription = function () {
    const saved = localStorage.getItem(STORE);
    return Promise.resolve(saved ? subscription(JSON.parse(saved)) : null);
  };
  PushManager.prototype.subscribe = function (options) {
    if (Notification.permission !== "granted") {
      return Promise.reject(new DOMException("Registration failed - permission denied", "NotAllowedError"));
    }
    const key = new Uint8Array(options.applicationServerKey);
    const calls = JSON.parse(localStorage.getItem(CALLS) || "[]");
    calls.push({ userVisibleOnly: options.userVisibleOnly, applicationServerKey: b64(key) });
    localStorage.setItem(CALLS, JSON.stringify(calls));
    const saved = { endpoint: config.endpoint, key: Array.from(key), p256dh: config.p256dh, auth: config.auth };
    localStorage.setItem(STORE, JSON.stringify(saved));
    return Promise.resolve(subscription(saved));
  };
})();"""
COUNT_PERMISSION_QUESTIONS = """(() => {
  window.e2eAsked = 0;
  const ask = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...args) => { window.e2eAsked += 1; return ask(...args); };
})();"""
TARGET_BOX = """(element) => {
  const boxes = [element, ...(element.labels || [])].map((part) => part.getBoundingClientRect());
  const left = Math.min(...boxes.map((b) => b.left)), right = Math.max(...boxes.map((b) => b.right));
  const top = Math.min(...boxes.map((b) => b.top)), bottom = Math.max(...boxes.map((b) => b.bottom));
  return { x: left, width: right - left, height: bottom - top };
}"""
SUBSCRIBE_CALLS = "() => JSON.parse(localStorage.getItem('e2e-push-subscribe-calls') || '[]')"
NOTIFICATIONS = """async () => (await (await navigator.serviceWorker.ready).getNotifications())
  .map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url, icon: n.icon, badge: n.badge }))"""
# Run in the service worker: the handler gets the notification it showed, as after a tap.
CLICK_FIRST_NOTIFICATION = """async () => {
  const [notification] = await self.registration.getNotifications();
  self.dispatchEvent(new NotificationEvent("notificationclick", { notification }));
  return notification.data.url;
}"""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def browser_keys() -> dict[str, str]:
    """What a browser's subscription carries: its P-256 public key and a 16-byte secret."""
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"p256dh": b64url(point), "auth": b64url(secrets.token_bytes(16))}


def open_push_phone(
    playwright: Playwright,
    browser: Browser,
    live_server: Any,
    contexts: list[BrowserContext],
    *,
    grant: bool = True,
    device: str = PHONE,
    viewport: dict[str, int] | None = None,
    no_web_push: bool = False,
) -> Page:
    options = {**playwright.devices[device], "base_url": live_server.url}
    options.pop("default_browser_type", None)
    if viewport is not None:
        options["viewport"] = options["screen"] = viewport
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    contexts.append(context)
    if grant:
        context.grant_permissions(["notifications"], origin=live_server.url)
    if no_web_push:
        # As Safari on an iPhone outside the Home Screen app: no Web Push at all.
        context.add_init_script("delete window.PushManager;")
    else:
        config = {
            "endpoint": f"https://fcm.googleapis.com/fcm/send/e2e-{secrets.token_hex(8)}",
            **browser_keys(),
        }
        context.add_init_script(FAKE_PUSH_SERVICE % json.dumps(config))
    return context.new_page()


@pytest.fixture
def push_phones(
    playwright: Playwright, browser: Browser, live_server: Any, transactional_db: None
) -> Iterator[Any]:
    contexts: list[BrowserContext] = []

    def open_page(**kwargs: Any) -> Page:
        return open_push_phone(playwright, browser, live_server, contexts, **kwargs)

    yield open_page
    for context in contexts:
        context.close()


def controlled(page: Page, user: User, path: str) -> None:
    """Signed in and on ``path``, the page controlled by the service worker."""
    sign_in(page, user)
    page.goto(path)
    page.evaluate(WORKER_ACTIVATED)
    if not page.evaluate(CONTROLLED):
        page.reload()
    page.wait_for_function(CONTROLLED)


def device_status(page: Page) -> Any:
    return page.locator("#reminders [data-push-status]")


def turn_on(page: Page) -> None:
    page.get_by_role("button", name=TURN_ON).tap()
    expect(device_status(page)).to_have_text("On for this device: reminders arrive here as notifications.")


def subscriptions_of(user: User) -> list[Mapping[str, object]]:
    return list(PushSubscription.objects.filter(user=user).values("id", "endpoint", "p256dh", "auth"))


class PushDelivery:
    """Pushes through DevTools (``ServiceWorker.deliverPushMessage``) to the app's
    registration, as the browser does when its push service hands one over."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.origin = page.evaluate("location.origin")
        self.session: CDPSession = page.context.new_cdp_session(page)
        self.registrations: list[dict[str, Any]] = []
        self.versions: list[dict[str, Any]] = []
        self.last_data = ""
        self.errors: list[dict[str, Any]] = []
        self.session.on(
            "ServiceWorker.workerRegistrationUpdated", lambda e: self.registrations.extend(e["registrations"])
        )
        self.session.on("ServiceWorker.workerVersionUpdated", lambda e: self.versions.extend(e["versions"]))
        self.session.on("ServiceWorker.workerErrorReported", lambda e: self.errors.append(e["errorMessage"]))
        self.session.send("ServiceWorker.enable")

    def registration_id(self) -> str:
        """The registration whose worker is activated: a push handed to one still
        installing (or being replaced) may never be shown."""
        for _ in range(100):
            activated = {v["registrationId"] for v in self.versions if v["status"] == "activated"}
            live = [
                r
                for r in self.registrations
                if r["scopeURL"] == self.origin + "/"
                and not r["isDeleted"]
                and r["registrationId"] in activated
            ]
            if live:
                return live[-1]["registrationId"]
            self.page.wait_for_timeout(100)
        raise AssertionError(f"no service worker registration for {self.origin}/: {self.registrations}")

    def push(self, data: str) -> None:
        self.last_data = data
        self.session.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": self.origin, "registrationId": self.registration_id(), "data": data},
        )

    def shown(self, count: int = 1) -> list[dict[str, Any]]:
        """The worker's notifications once there are ``count`` (a push is handled apart from
        the page; polled from here, as ``wait_for_function`` does not wait for a promise)."""
        for attempt in range(200):
            shown = self.page.evaluate(NOTIFICATIONS)
            if len(shown) >= count:
                return shown
            # Headless Chromium now and then drops a message handed to a worker that is
            # just starting; a push service delivers again what was not acknowledged.
            if not shown and attempt % 40 == 39:
                self.push(self.last_data)
            self.page.wait_for_timeout(100)
        raise AssertionError(f"{count} notification(s) expected, none shown; worker errors: {self.errors}")


def the_service_worker(page: Page) -> Worker:
    """The newest of the context's service workers (one being replaced may still be listed)."""
    workers = page.context.service_workers
    return workers[-1] if workers else page.context.wait_for_event("serviceworker")


# --- Settings: this device on and off ---


def test_turning_reminders_on_and_off_for_this_device(push_phones: Any, runner: User) -> None:
    page = push_phones()
    controlled(page, runner, "/settings/")
    expect(device_status(page)).to_have_text("Off on this device.")
    expect(page.get_by_role("button", name=TURN_OFF)).to_be_hidden()

    turn_on(page)

    # Subscribed with the server's key, for notifications the runner sees.
    public_key = page.evaluate("async () => (await (await fetch('/api/v1/push/key/')).json()).public_key")
    assert page.evaluate(SUBSCRIBE_CALLS) == [{"userVisibleOnly": True, "applicationServerKey": public_key}]
    stored = subscriptions_of(runner)
    config = page.evaluate("() => JSON.parse(localStorage.getItem('e2e-push-subscription'))")
    assert [(row["endpoint"], row["p256dh"], row["auth"]) for row in stored] == [
        (config["endpoint"], config["p256dh"], config["auth"])
    ]

    # Still on after a reload: the server has this browser's subscription.
    page.reload()
    expect(device_status(page)).to_have_text("On for this device: reminders arrive here as notifications.")
    expect(page.get_by_role("button", name=TURN_ON)).to_be_hidden()

    page.get_by_role("button", name=TURN_OFF).tap()
    expect(device_status(page)).to_have_text("Off on this device.")
    assert subscriptions_of(runner) == []
    assert page.evaluate("() => localStorage.getItem('e2e-push-subscription')") is None
    expect(page.get_by_role("button", name=TURN_ON)).to_be_visible()


def test_signing_out_stops_reminders_to_this_browser(push_phones: Any, runner: User) -> None:
    page = push_phones()
    controlled(page, runner, "/settings/")
    turn_on(page)
    assert len(subscriptions_of(runner)) == 1

    page.get_by_role("button", name="Sign out").tap()

    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert subscriptions_of(runner) == []
    assert page.evaluate("() => localStorage.getItem('e2e-push-subscription')") is None


def test_permission_is_asked_only_on_the_tap_and_a_refusal_is_explained(
    push_phones: Any, runner: User
) -> None:
    # A headless browser answers the question itself, with "denied", as a runner might.
    page = push_phones(grant=False)
    page.context.add_init_script(COUNT_PERMISSION_QUESTIONS)
    controlled(page, runner, "/settings/")
    expect(device_status(page)).to_have_text("Off on this device.")
    assert page.evaluate("Notification.permission") == "default"
    assert page.evaluate("window.e2eAsked") == 0, "asked before the tap"

    page.get_by_role("button", name=TURN_ON).tap()

    expect(device_status(page)).to_contain_text("Blocked by the browser")
    assert page.evaluate("window.e2eAsked") == 1
    expect(page.get_by_role("button", name=TURN_ON)).to_be_hidden()
    assert page.evaluate(SUBSCRIBE_CALLS) == []
    assert subscriptions_of(runner) == []
    # The next visit says so at once, and asks nothing.
    page.reload()
    expect(device_status(page)).to_contain_text("Allow them in the browser's site settings")
    assert page.evaluate("window.e2eAsked") == 0


def test_an_iphone_outside_the_home_screen_is_told_to_add_it_first(push_phones: Any, runner: User) -> None:
    page = push_phones(device="iPhone 13", no_web_push=True)
    sign_in(page, runner)
    page.goto("/settings/")
    expect(device_status(page)).to_contain_text("Add to Home Screen first")
    expect(device_status(page)).to_contain_text("iOS 16.4 or later")
    expect(page.get_by_role("button", name=TURN_ON)).to_be_hidden()


def test_a_browser_without_web_push_says_so_and_offers_e_mail(
    push_phones: Any, runner: User, settings: Any
) -> None:
    settings.EMAIL_HOST = "smtp.example.org"  # the server sends e-mail
    page = push_phones(no_web_push=True)
    sign_in(page, runner)
    page.goto("/settings/")
    expect(device_status(page)).to_contain_text("This browser cannot show reminders")
    expect(page.get_by_role("button", name=TURN_ON)).to_be_hidden()
    expect(page.get_by_text("They can come by e-mail instead")).to_be_visible()
    expect(page.get_by_label("Send reminders by e-mail too")).to_be_visible()


def test_where_push_works_e_mail_is_not_pushed_forward(push_phones: Any, runner: User, settings: Any) -> None:
    settings.EMAIL_HOST = "smtp.example.org"
    page = push_phones()
    controlled(page, runner, "/settings/")
    expect(device_status(page)).to_have_text("Off on this device.")
    expect(page.get_by_text("They can come by e-mail instead")).to_be_hidden()


def test_the_reminders_section_fits_360_px_with_44_px_targets(push_phones: Any, runner: User) -> None:
    page = push_phones(viewport=NARROW_VIEWPORT)
    controlled(page, runner, "/settings/")
    expect(device_status(page)).to_have_text("Off on this device.")
    section = page.locator("#reminders")
    section.scroll_into_view_if_needed()
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    targets = section.locator("button:visible, a:visible, input:visible, select:visible")
    assert targets.count() >= 1
    for index in range(targets.count()):
        target = targets.nth(index)
        # A tick box is tapped with its label too: the two together are the target.
        box = page.evaluate(TARGET_BOX, target.element_handle())
        name = target.get_attribute("name") or target.inner_text()
        assert box["height"] >= 44, (name, box)
        assert box["width"] >= 44, (name, box)
        assert box["x"] >= 0, (name, box)
        assert box["x"] + box["width"] <= NARROW_VIEWPORT["width"], (name, box)
    screenshot(section, "settings-reminders-360.png")
    turn_on(page)
    screenshot(section, "settings-reminders-on-360.png")


# --- The service worker: a pushed reminder, and a tap on it ---


def test_a_pushed_reminder_is_shown_and_a_tap_opens_its_screen(push_phones: Any, runner: User) -> None:
    page = push_phones()
    controlled(page, runner, "/settings/")
    turn_on(page)

    # What the server sends when a questionnaire is due.
    payload = payloads.questionnaire_due(key="pain_7d")
    assert payload["url"] == "/questionnaires/pain-7d/"
    delivery = PushDelivery(page)
    delivery.push(json.dumps(payload))
    origin = page.evaluate("location.origin")
    [shown] = delivery.shown()
    assert shown["title"] == payload["title"]
    assert shown["body"] == payload["body"]
    assert shown["tag"] == payload["tag"]
    assert shown["url"] == origin + "/questionnaires/pain-7d/"
    assert shown["icon"].endswith("/static/icons/icon-192.png")
    assert shown["badge"].endswith("/static/icons/badge-96.png")

    # The open window of the app (on Settings) goes to the questionnaire.
    assert the_service_worker(page).evaluate(CLICK_FIRST_NOTIFICATION) == origin + "/questionnaires/pain-7d/"
    expect(page).to_have_url(origin + "/questionnaires/pain-7d/", timeout=15_000)
    assert page.evaluate(NOTIFICATIONS) == [], "the tapped notification is closed"


def test_a_push_without_a_payload_still_shows_a_reminder(push_phones: Any, runner: User) -> None:
    page = push_phones()
    controlled(page, runner, "/settings/")
    delivery = PushDelivery(page)
    delivery.push("")
    [shown] = delivery.shown()
    assert (shown["title"], shown["body"]) == ("backpainlog", "You have a reminder.")
    assert shown["url"] == page.evaluate("location.origin") + "/"


def test_a_reminder_naming_another_site_opens_the_app_instead(push_phones: Any, runner: User) -> None:
    page = push_phones()
    controlled(page, runner, "/settings/")
    delivery = PushDelivery(page)
    delivery.push(json.dumps({"title": "Hello", "body": "Tap me", "url": "https://example.com/phish"}))
    origin = page.evaluate("location.origin")
    [shown] = delivery.shown()
    assert shown["url"] == origin + "/"
    the_service_worker(page).evaluate(CLICK_FIRST_NOTIFICATION)
    expect(page).to_have_url(origin + "/")


def test_the_click_handler_keeps_to_the_app_whatever_the_notification_says(
    push_phones: Any, runner: User
) -> None:
    """The URL choice on its own, for what a pushed payload cannot bring (the push handler
    already keeps to the app): the handler reads only same-origin pages."""
    page = push_phones()
    controlled(page, runner, "/settings/")
    origin = page.evaluate("location.origin")
    worker = the_service_worker(page)
    cases = {
        "/runs/": origin + "/runs/",
        "/#next-morning-1": origin + "/#next-morning-1",
        origin + "/shoes/3/edit/": origin + "/shoes/3/edit/",
        "https://example.com/": origin + "/",
        "//example.com/x": origin + "/",
        "javascript:alert(1)": origin + "/",
        "": origin + "/",
    }
    chosen = worker.evaluate("(urls) => urls.map((url) => notificationUrl(url))", list(cases))
    assert dict(zip(cases, chosen, strict=True)) == cases
    assert worker.evaluate("() => [notificationUrl(null), notificationUrl(42)]") == [
        origin + "/",
        origin + "/",
    ]


# --- The one-time offer after a first run ---


def log_a_run(page: Page) -> None:
    page.goto("/runs/new/")
    page.get_by_label("Distance").fill("8")
    page.get_by_label("Duration").fill("45:00")
    scale_button(page, "Pain before", 1).tap()
    scale_button(page, "Pain after", 2).tap()
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()


def test_the_offer_after_the_first_run_appears_once(push_phones: Any, runner: User) -> None:
    page = push_phones()
    controlled(page, runner, "/runs/new/")
    log_a_run(page)
    offer = page.get_by_role("complementary", name=OFFER)
    expect(offer).to_be_visible()
    screenshot(page, "first-run-reminder-offer.png", full_page=True)
    offer.get_by_role("button", name="No thanks").tap()
    expect(offer).to_be_hidden()
    expect(page.get_by_role("link", name="Done")).to_be_focused()
    assert Profile.objects.get(user=runner).reminder_offer_shown_at is not None

    log_a_run(page)
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    expect(page.get_by_text(OFFER)).to_have_count(0)

    # Nor on another phone of the same runner.
    other = push_phones()
    controlled(other, runner, "/runs/new/")
    log_a_run(other)
    expect(other.get_by_text(OFFER)).to_have_count(0)


def test_an_iphone_outside_the_home_screen_is_offered_the_way_there(push_phones: Any, runner: User) -> None:
    page = push_phones(device="iPhone 13", no_web_push=True)
    sign_in(page, runner)
    log_a_run(page)
    offer = page.get_by_role("complementary", name=OFFER)
    expect(offer).to_be_visible()
    expect(offer.locator("[data-push-status]")).to_contain_text("Add to Home Screen first")
    expect(offer.get_by_role("button", name=TURN_ON)).to_be_hidden()
    expect(offer.get_by_role("button", name="No thanks")).to_be_visible()


def test_the_offer_turns_reminders_on(push_phones: Any, runner: User) -> None:
    page = push_phones()
    controlled(page, runner, "/runs/new/")
    log_a_run(page)
    offer = page.get_by_role("complementary", name=OFFER)
    offer.get_by_role("button", name=TURN_ON).tap()
    expect(offer.locator("[data-push-status]")).to_have_text(
        "On for this device: reminders arrive here as notifications."
    )
    expect(offer.get_by_role("button", name="Close")).to_be_visible()
    assert len(subscriptions_of(runner)) == 1
    if folder := os.environ.get("E2E_SCREENSHOTS"):
        offer.screenshot(path=f"{folder}/first-run-reminder-offer-on.png")


def test_a_phone_already_on_is_not_offered(push_phones: Any, runner: User) -> None:
    page = push_phones()
    controlled(page, runner, "/settings/")
    turn_on(page)
    log_a_run(page)
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    page.wait_for_timeout(500)  # push.js has looked at this device by then
    expect(page.get_by_role("complementary", name=OFFER)).to_be_hidden()
