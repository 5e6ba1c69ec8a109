"""The public pages under /shared/<token>/: no login, the period's data only, the privacy
headers on every answer, one 404 for every dead token, a record of every access, a limit
on guessing, and nothing that writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.http import HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import Settings

from backpainlog.accounts.selectors import local_today, user_zone
from backpainlog.clients import client_address, coarse_client
from runs.services import analytics_refresh
from sharing import throttle
from sharing.models import ShareAccess, ShareLink
from sharing.services import share_link_revoke
from tests.exports.helpers import body as body_of
from tests.factories import PainCheckinFactory, RunFactory, ShoeFactory
from tests.sharing.helpers import make_link

PHONE_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


def local_noon(user: User, days_ago: int) -> dt.datetime:
    return dt.datetime.combine(
        local_today(user) - dt.timedelta(days=days_ago), dt.time(12), tzinfo=user_zone(user)
    )


def assert_private(response: HttpResponseBase) -> None:
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.fixture
def alice_log(alice: User) -> None:
    shoe = ShoeFactory(user=alice, name="Ghost Ω 👟")
    RunFactory(
        user=alice, started_at=local_noon(alice, 3), shoe=shoe, notes="IN-PERIOD hills 😀", pain_after=6
    )
    RunFactory(user=alice, started_at=local_noon(alice, 60), notes="BEFORE-PERIOD")
    PainCheckinFactory(user=alice, recorded_at=local_noon(alice, 2), score=4)
    analytics_refresh(alice)


def test_the_report_opens_without_login(alice: User, alice_log: None) -> None:
    today = local_today(alice)
    _, token = make_link(alice, start=today - dt.timedelta(days=30), end=today)

    response = Client().get(f"/shared/{token}/", HTTP_USER_AGENT=PHONE_AGENT)

    assert response.status_code == 200
    assert_private(response)
    html = response.content.decode()
    assert '<meta name="robots" content="noindex' in html
    assert "IN-PERIOD hills 😀" in html
    assert "BEFORE-PERIOD" not in html  # outside the shared period
    assert "Ghost Ω 👟" in html
    assert "Flare-ups (1)" in html
    assert '<ul class="alerts">' in html  # the flare-up after the hilly run, listed
    assert "<svg" in html
    assert "chart-weekly" in html
    assert "chart-acwr" in html
    assert 'href="report.pdf"' in html
    assert 'href="runs.csv"' in html
    assert "does not diagnose" in html
    # The key points come first, before the summary.
    assert html.index("Key points") < html.index("Summary")
    for title in (
        "Pain trend",
        "Flare-up episodes",
        "Pain radiating down the leg",
        "Patterns (likely and possible)",
    ):
        assert title in html
    # Nothing that needs a login: no app navigation, no forms.
    for path in ('href="/"', "/runs/", "/settings/", "/share/", "<form", "csrfmiddlewaretoken"):
        assert path not in html
    assert "sessionid" not in response.cookies
    assert "csrftoken" not in response.cookies


def test_the_whole_log_when_no_period(alice: User, alice_log: None) -> None:
    _, token = make_link(alice)
    html = Client().get(f"/shared/{token}/").content.decode()
    assert "IN-PERIOD" in html
    assert "BEFORE-PERIOD" in html


def test_only_the_owners_data(alice: User, bob: User, alice_log: None) -> None:
    RunFactory(user=bob, started_at=local_noon(bob, 3), notes="BOB-SECRET")
    ShoeFactory(user=bob, name="Bob's pair")
    analytics_refresh(bob)
    _, token = make_link(alice)
    html = Client().get(f"/shared/{token}/").content.decode()
    assert "BOB-SECRET" not in html
    assert "Bob's pair" not in html


def test_pdf_and_csv(alice: User, alice_log: None) -> None:
    _, token = make_link(alice)
    client = Client()

    pdf = client.get(f"/shared/{token}/report.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert_private(pdf)

    csv = client.get(f"/shared/{token}/runs.csv")
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    body = body_of(csv).decode("utf-8-sig")
    assert "IN-PERIOD" in body
    assert_private(csv)


def test_csv_covers_the_shared_period_only(alice: User, alice_log: None) -> None:
    today = local_today(alice)
    _, token = make_link(alice, start=today - dt.timedelta(days=30), end=today)
    body = body_of(Client().get(f"/shared/{token}/runs.csv")).decode("utf-8-sig")
    assert "IN-PERIOD" in body
    assert "BEFORE-PERIOD" not in body


def test_every_access_is_recorded_without_the_address(alice: User, alice_log: None) -> None:
    link, token = make_link(alice)
    client = Client()
    client.get(f"/shared/{token}/", HTTP_USER_AGENT=PHONE_AGENT, REMOTE_ADDR="203.0.113.9")
    client.get(f"/shared/{token}/", HTTP_USER_AGENT=PHONE_AGENT)
    assert ShareAccess.objects.get(link=link).client == "Safari on iPhone"
    client.get(f"/shared/{token}/report.pdf")
    client.get(f"/shared/{token}/runs.csv")
    client.head(f"/shared/{token}/")

    # One row per kind and hour, with its count.
    accesses = {access.kind: access for access in ShareAccess.objects.filter(link=link)}
    assert {kind: access.count for kind, access in accesses.items()} == {"page": 3, "pdf": 1, "csv": 1}
    assert accesses["page"].client == "Several browsers"  # the HEAD came without a browser name
    stored = str(list(ShareAccess.objects.values()))
    assert "203.0.113" not in stored
    assert "Mozilla" not in stored


@pytest.mark.parametrize(
    ("agent", "coarse"),
    [
        (PHONE_AGENT, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
            "Chrome on Windows",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux"),
        ("WhatsApp/2.23 link preview bot", "Link preview or bot"),
        ("", ""),
        ("x" * 5000, "Other browser"),
    ],
)
def test_coarse_client(agent: str, coarse: str) -> None:
    assert coarse_client(agent) == coarse


@pytest.mark.parametrize("state", ["expired", "revoked", "unknown", "malformed", "owner-disabled"])
@pytest.mark.parametrize("suffix", ["", "report.pdf", "runs.csv"])
def test_dead_tokens_all_get_the_same_404(alice: User, state: str, suffix: str) -> None:
    link, token = make_link(alice)
    if state == "expired":
        ShareLink.objects.filter(pk=link.pk).update(
            created_at=timezone.now() - dt.timedelta(days=15),
            expires_at=timezone.now() - dt.timedelta(seconds=1),
        )
    elif state == "revoked":
        share_link_revoke(link=link)
    elif state == "unknown":
        token = "A" * 43
    elif state == "malformed":
        token = "not a token!'\"<>"
    elif state == "owner-disabled":
        User.objects.filter(pk=alice.pk).update(is_active=False)

    response = Client().get(f"/shared/{token}/{suffix}")

    assert response.status_code == 404
    assert_private(response)
    assert b"This link does not open a report" in response.content
    assert not ShareAccess.objects.exists()


@pytest.mark.parametrize(
    "path", ["/shared/", "/shared", "/shared/x/y/z", "/shared/%00/", "/shared/" + "a" * 5000 + "/"]
)
def test_other_paths_under_shared_are_the_same_404(db: None, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 404
    assert_private(response)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("suffix", ["", "report.pdf", "runs.csv"])
def test_only_get_and_head(alice: User, method: str, suffix: str) -> None:
    link, token = make_link(alice)
    response = getattr(Client(), method)(f"/shared/{token}/{suffix}")
    assert response.status_code == 405
    assert_private(response)
    assert not ShareAccess.objects.exists()
    assert ShareLink.objects.get(pk=link.pk).revoked_at is None


def test_guessing_is_limited_per_address(alice: User) -> None:
    _, token = make_link(alice)
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    for attempt in range(throttle.MAX_FAILURES):
        assert guesser.get(f"/shared/{'B' * 42}{attempt % 10}/").status_code == 404

    blocked = guesser.get(f"/shared/{'C' * 43}/")
    assert blocked.status_code == 429
    assert_private(blocked)
    assert int(blocked["Retry-After"]) > 0
    # Blocked for the window, even with a good token: guessing must not pay off.
    assert guesser.get(f"/shared/{token}/").status_code == 429
    # Someone else, elsewhere, is not.
    assert Client(REMOTE_ADDR="192.0.2.1").get(f"/shared/{token}/").status_code == 200


def test_failures_are_counted_in_the_database_every_process_shares(alice: User) -> None:
    from django.core.cache import cache
    from django.db import connection

    guesser = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(throttle.MAX_FAILURES):
        guesser.get(f"/shared/{'D' * 43}/")
    cache.clear()  # what one process keeps in its own memory does not hold the count
    assert guesser.get(f"/shared/{'E' * 43}/").status_code == 429
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM backpainlog_cache")
        assert cursor.fetchone()[0] == throttle.MAX_FAILURES


def test_successful_opens_do_not_count(alice: User) -> None:
    _, token = make_link(alice)
    client = Client(REMOTE_ADDR="198.51.100.8")
    for _ in range(throttle.MAX_FAILURES + 5):
        assert client.get(f"/shared/{token}/").status_code == 200


def test_ipv6_counts_per_64(db: None, settings: Settings) -> None:
    from django.test import RequestFactory

    one = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2::1")
    other = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert client_address(one) == client_address(other) == "2001:db8:1:2::/64"


def test_behind_the_trusted_proxy_the_forwarded_address_counts(settings: Settings) -> None:
    from django.test import RequestFactory

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert client_address(request) == "10.0.0.1"  # no proxy configured: not trusted
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client_address(request) == "10.0.0.1"  # HTTPS alone trusts no X-Forwarded-For
    settings.TRUSTED_PROXIES = 1
    assert client_address(request) == "203.0.113.5"


def test_the_link_stops_at_expiry(alice: User) -> None:
    link, token = make_link(alice, days=1)
    assert Client().get(f"/shared/{token}/").status_code == 200
    ShareLink.objects.filter(pk=link.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2), expires_at=timezone.now() - dt.timedelta(days=1)
    )
    assert Client().get(f"/shared/{token}/").status_code == 404


def test_pdf_covers_the_shared_period(alice: User, alice_log: None) -> None:
    start, end = dt.date(2026, 1, 5), dt.date(2026, 2, 1)
    _, token = make_link(alice, start=start, end=end)
    pdf = Client().get(f"/shared/{token}/report.pdf")
    assert pdf.status_code == 200
    assert "backpainlog-report-2026-01-05-to-2026-02-01.pdf" in pdf["Content-Disposition"]


@pytest.mark.parametrize("suffix", ["", "report.pdf", "runs.csv"])
def test_a_period_without_runs(alice: User, alice_log: None, suffix: str) -> None:
    _, token = make_link(alice, start=dt.date(2001, 3, 1), end=dt.date(2001, 3, 31))
    response = Client().get(f"/shared/{token}/{suffix}")
    assert response.status_code == 200
    assert_private(response)
    if suffix == "runs.csv":
        [header] = body_of(response).decode("utf-8-sig").splitlines()
        assert header.startswith("id,started_at,")


@pytest.mark.parametrize("suffix", ["", "report.pdf", "runs.csv"])
def test_a_disabled_or_deleted_owner_closes_the_link(alice: User, alice_log: None, suffix: str) -> None:
    _, token = make_link(alice)
    alice.is_active = False
    alice.save()
    disabled = Client().get(f"/shared/{token}/{suffix}")
    assert disabled.status_code == 404
    assert_private(disabled)
    alice.delete()
    assert Client().get(f"/shared/{token}/{suffix}").status_code == 404
    assert not ShareAccess.objects.exists()


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_the_only_writes_are_the_access_record_and_its_event(
    alice: User, bob: User, alice_log: None, signed_in: bool
) -> None:
    _, token = make_link(alice)
    client = Client()
    if signed_in:  # a visitor with an account of their own: their session stays as it was
        client.force_login(bob)
        client.get("/")
    with CaptureQueriesContext(connection) as queries:
        for suffix in ["", "report.pdf", "runs.csv"]:
            response = client.get(f"/shared/{token}/{suffix}")
            assert response.status_code == 200
            response.getvalue()  # a streamed file is read while it is sent
    writes = [
        query["sql"]
        for query in queries
        if query["sql"].split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE", "REPLACE"}
    ]
    # Per request: the access, and its event in the owner's account activity.
    assert len(writes) == 6
    assert [sql.split(" (", 1)[0] for sql in writes] == [
        'INSERT INTO "sharing_shareaccess"',
        'INSERT INTO "audit_auditevent"',
    ] * 3, writes
