"""No SSRF: the server posts only to https URLs on the push services' hosts."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from reminders.endpoints import (
    DEFAULT_PUSH_ENDPOINT_HOSTS,
    EndpointRefused,
    HostRule,
    check_endpoint,
    parse_host_rule,
    parse_host_rules,
)
from reminders.models import PushSubscription
from tests.helpers import settings_in_process
from tests.reminders.browser import BrowserKeys

DEFAULTS = parse_host_rules(DEFAULT_PUSH_ENDPOINT_HOSTS)


@pytest.mark.parametrize(
    "url",
    [
        "https://fcm.googleapis.com/fcm/send/cVtSzzWTGD8:APA91bHPRgkF3JUikC4ENAHEeMrd41Zxv3hVZjC9KtT8",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABmZ3YfX1w",
        "https://web.push.apple.com/QGuQyavXutnMH1ZXjg",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAADGz%2bSpOp%3d",
        "https://FCM.googleapis.com/fcm/send/abc",  # host names are case-insensitive
        "https://fcm.googleapis.com:443/fcm/send/abc",
    ],
)
def test_the_push_services_browsers_use_are_allowed(url: str) -> None:
    assert check_endpoint(url, DEFAULTS) == url


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://fcm.googleapis.com/fcm/send/abc", "https://"),
        ("ftp://fcm.googleapis.com/x", "https://"),
        ("//fcm.googleapis.com/x", "https://"),
        ("https://fcm.googleapis.com.evil.example/fcm/send/abc", "not a push service"),
        ("https://evilfcm.googleapis.com/x", "not a push service"),
        ("https://googleapis.com/x", "not a push service"),
        ("https://notify.windows.com/x", "not a push service"),  # *. is for subdomains only
        ("https://x.notify.windows.com.evil.example/x", "not a push service"),
        ("https://push.services.mozilla.com/x", "not a push service"),
        ("https://fcm.googleapis.com:8443/fcm/send/abc", "not a push service"),
        ("https://fcm.googleapis.com:444/x", "not a push service"),
        ("https://user:pass@fcm.googleapis.com/x", "user name or password"),
        ("https://fcm.googleapis.com@evil.example/x", "user name or password"),
        ("https://evil.example\\@fcm.googleapis.com/x", "user name or password"),
        ("https://evil.example\\.fcm.googleapis.com/x", "plainly written"),
        ("https://127.0.0.1/x", "not a push service"),
        ("https://169.254.169.254/latest/meta-data/", "not a push service"),
        ("https://2130706433/x", "not a push service"),
        ("https://0x7f000001/x", "not a push service"),
        ("https://[::1]/x", "plainly written"),
        ("https://localhost/x", "not a push service"),
        ("https://fcm.googleapis.com./x", "plainly written"),
        ("https://fcm.googleapis.com%2eevil.example/x", "plainly written"),
        ("https://fcm.googleapis.com/x#frag", "plainly written"),
        ("https://fcm.googleapis.com/a b", "plainly written"),
        ("https://fcm.googleapis.com?x=1", "plainly written"),
        ("https://fcm.googleapis.com/" + "a" * 2100, "longer than"),
        ("", "Enter"),
    ],
)
def test_anything_else_is_refused_with_a_reason(url: str, why: str) -> None:
    with pytest.raises(EndpointRefused, match=why):
        check_endpoint(url, DEFAULTS)


def test_an_explicit_entry_with_a_port_allows_that_host_and_port_only() -> None:
    rules = (*DEFAULTS, parse_host_rule("127.0.0.1:8443"))
    assert check_endpoint("https://127.0.0.1:8443/push/1", rules)
    for url in ("https://127.0.0.1/push/1", "https://127.0.0.1:8444/push/1", "http://127.0.0.1:8443/push/1"):
        with pytest.raises(EndpointRefused):
            check_endpoint(url, rules)


@pytest.mark.parametrize(
    ("entry", "rule"),
    [
        ("fcm.googleapis.com", HostRule("fcm.googleapis.com")),
        (" *.Push.Apple.com ", HostRule("push.apple.com", wildcard=True)),
        ("push.example.org:8443", HostRule("push.example.org", port=8443)),
    ],
)
def test_allowlist_entries(entry: str, rule: HostRule) -> None:
    assert parse_host_rule(entry) == rule


@pytest.mark.parametrize(
    "entry", ["https://fcm.googleapis.com", "*.0.0.1", "*.", "fcm.googleapis.com:0", "a:99999", "fcm/x", "*"]
)
def test_bad_allowlist_entries_are_refused(entry: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(entry))):  # the message names the entry
        parse_host_rule(entry)


def test_the_setting_refuses_a_bad_entry_at_start_up() -> None:
    result = settings_in_process(
        "s.PUSH_ENDPOINT_HOSTS", PUSH_ENDPOINT_HOSTS="fcm.googleapis.com,http://evil.example"
    )
    assert result.returncode != 0
    assert "PUSH_ENDPOINT_HOSTS" in result.stderr
    assert "http://evil.example" in result.stderr


def test_the_setting_replaces_the_defaults() -> None:
    result = settings_in_process(
        "[r.name for r in s.PUSH_ENDPOINT_HOSTS]", PUSH_ENDPOINT_HOSTS="push.example.org, *.push.example.net"
    )
    assert result.stdout.strip() == "['push.example.org', 'push.example.net']"


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",
        "https://fcm.googleapis.com.evil.example/fcm/send/abc",
        "https://127.0.0.1:8080/",
        "https://user@fcm.googleapis.com/x",
        "https://fcm.googleapis.com:8443/x",
    ],
)
def test_the_api_refuses_endpoints_outside_the_allowlist(alice_api: APIClient, endpoint: str) -> None:
    answer = alice_api.post(
        "/api/v1/push-subscriptions/", BrowserKeys().subscription(endpoint), format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["endpoint"]
    assert not PushSubscription.objects.exists()
