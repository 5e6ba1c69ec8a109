"""Each kind of account activity is recorded, through the doors a user or a clinician
really uses, with the right owner and detail; a refused action records nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, transaction
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp.oath import TOTP
from rest_framework.test import APIClient

from audit.models import AuditEvent
from audit.services import record_event
from backpainlog.accounts import services as account_services
from sharing.models import ShareAccess, ShareLink
from tests.conftest import HtmlPage
from tests.factories import PASSWORD
from tests.sharing.helpers import make_link

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Version/17.4 Safari/604.1"
)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
NEW_PASSWORD = "a-much-longer-passphrase-42"


def events(user: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(user=user).order_by("occurred_at", "id"))


def kinds(user: User) -> list[str]:
    return [event.kind for event in events(user)]


def last(user: User) -> AuditEvent:
    return AuditEvent.objects.filter(user=user).latest("occurred_at", "id")


def sign_in(client: Client, username: str, password: str) -> Any:
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, HTTP_USER_AGENT=FIREFOX
    )


# --- Sign-in, failures, sign-out, password --------------------------------------------


def test_sign_in_through_the_login_page(alice: User) -> None:
    response = sign_in(Client(REMOTE_ADDR="198.51.100.7"), "alice", PASSWORD)
    assert response.status_code == 302
    event = last(alice)
    assert event.kind == AuditEvent.Kind.SIGNED_IN
    assert event.client == "Firefox on Linux"
    assert event.address == "198.51.100.7"  # an account's own sign-in keeps its address
    assert event.detail == {}


def test_failed_sign_in_is_recorded_for_an_existing_account(alice: User, bob: User) -> None:
    response = sign_in(Client(REMOTE_ADDR="203.0.113.9"), "alice", "not-the-password")
    assert response.status_code == 200
    assert kinds(alice) == [AuditEvent.Kind.SIGN_IN_FAILED]
    event = last(alice)
    assert event.detail == {"via": "web"}
    assert event.address == "203.0.113.9"
    assert event.client == "Firefox on Linux"
    assert kinds(bob) == []


def test_an_unknown_username_records_nothing(alice: User) -> None:
    response = sign_in(Client(), "mallory", "whatever")
    assert response.status_code == 200
    assert not AuditEvent.objects.exists()


def test_a_locked_out_attempt_is_still_recorded(alice: User, settings: Any) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    client = Client(REMOTE_ADDR="203.0.113.10")
    for _ in range(limit):
        sign_in(client, "alice", "wrong")
    # Locked out: even the right password is refused, and the attempt is in the log.
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code != 302
    assert AuditEvent.Kind.SIGNED_IN not in kinds(alice)
    assert last(alice).kind == AuditEvent.Kind.SIGN_IN_FAILED
    assert last(alice).detail.get("locked_out") is True
    # Once per pause: more attempts while paused add nothing to the owner's log.
    recorded = AuditEvent.objects.filter(user=alice).count()
    for _ in range(10):
        sign_in(client, "alice", "wrong")
    assert AuditEvent.objects.filter(user=alice).count() == recorded


def test_a_wrong_second_step_code_is_a_failed_sign_in(alice: User, rf: RequestFactory) -> None:
    """The two-step sign-in sends django.contrib.auth's signal for a wrong code, itself."""
    request = rf.post("/accounts/login/code/", REMOTE_ADDR="203.0.113.11")
    user_login_failed.send(
        sender="backpainlog.accounts.views", credentials={"username": "alice"}, request=request
    )
    event = last(alice)
    assert event.kind == AuditEvent.Kind.SIGN_IN_FAILED
    assert event.detail == {"via": "web", "step": "code"}
    assert event.address == "203.0.113.11"
    assert event.summary() == "Sign-in page, wrong two-step code"


def test_sign_out(alice: User, alice_client: Client) -> None:
    assert alice_client.post("/accounts/logout/", HTTP_USER_AGENT=IPHONE).status_code == 302
    event = last(alice)
    assert event.kind == AuditEvent.Kind.SIGNED_OUT
    assert event.client == "Safari on iPhone"
    assert event.address == ""  # not a sign-in


def test_signing_out_while_signed_out_records_nothing(db: None) -> None:
    Client().post("/accounts/logout/")
    assert not AuditEvent.objects.exists()


def test_password_change(alice: User, alice_client: Client) -> None:
    response = alice_client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    event = last(alice)
    assert event.kind == AuditEvent.Kind.PASSWORD_CHANGED
    assert event.detail == {"via": "settings"}


def test_a_wrong_old_password_is_a_failed_sign_in_not_a_change(alice: User, alice_client: Client) -> None:
    before = kinds(alice)
    response = alice_client.post(
        "/accounts/password_change/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert kinds(alice) == [*before, AuditEvent.Kind.SIGN_IN_FAILED]
    event = last(alice)
    assert event.detail == {"via": "web", "step": "password_check"}
    assert event.summary() == "Wrong password given while signed in (settings)"


def test_password_reset_by_email(alice: User) -> None:
    client = Client()
    client.post("/accounts/password_reset/", {"email": "alice@example.com"})
    match = re.search(r"https?://testserver(/accounts/reset/\S+/)", str(mail.outbox[0].body))
    assert match
    set_password = client.get(match.group(1))["Location"]
    response = client.post(set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == "/accounts/reset/done/"
    assert kinds(alice) == [AuditEvent.Kind.PASSWORD_CHANGED]
    assert last(alice).detail == {"via": "reset"}


# --- API tokens ---------------------------------------------------------------------------


def test_token_created_and_revoked_through_the_api(alice: User) -> None:
    client = APIClient(REMOTE_ADDR="198.51.100.23")
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": PASSWORD, "label": "Watch"},
        format="json",
        HTTP_USER_AGENT="python-requests/2.32",
    )
    assert response.status_code == 200
    token_id = response.json()["id"]
    created = last(alice)
    assert created.kind == AuditEvent.Kind.TOKEN_CREATED
    assert created.detail == {"token_id": token_id, "label": "Watch"}
    assert created.address == "198.51.100.23"  # the API's sign-in: its address
    assert created.client == "Python script"

    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    revoked = last(alice)
    assert revoked.kind == AuditEvent.Kind.TOKEN_REVOKED
    assert revoked.detail == {"token_id": token_id, "label": "Watch"}
    assert revoked.address == ""


def test_a_wrong_password_for_a_token_is_a_failed_sign_in(alice: User) -> None:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "alice", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert kinds(alice) == [AuditEvent.Kind.SIGN_IN_FAILED]
    assert last(alice).detail == {"via": "api"}


# --- Exports ----------------------------------------------------------------------------

EXPORTS = [
    ("/export/runs.csv", "csv"),
    ("/export/fhir.json", "fhir"),
    ("/export/account.zip", "zip"),
    ("/export/report.pdf", "pdf"),
]


@pytest.mark.parametrize(("url", "export_format"), EXPORTS)
def test_every_export_is_recorded_with_its_period(
    alice: User, alice_api: APIClient, url: str, export_format: str
) -> None:
    response = alice_api.get(url, {"from": "2026-01-01", "to": "2026-03-31"})
    assert response.status_code == 200
    event = last(alice)
    assert event.kind == AuditEvent.Kind.EXPORTED
    assert event.detail == {"format": export_format, "from": "2026-01-01", "to": "2026-03-31"}
    assert event.address == ""


@pytest.mark.parametrize(("url", "export_format"), EXPORTS)
def test_an_export_without_dates(alice: User, alice_client: Client, url: str, export_format: str) -> None:
    assert alice_client.get(url).status_code == 200
    detail = last(alice).detail
    assert detail["format"] == export_format
    if export_format == "pdf":  # the report always covers concrete dates: the ones it used
        assert detail["from"]
        assert detail["to"]
    else:
        assert detail["from"] is None
        assert detail["to"] is None


@pytest.mark.parametrize(("url", "export_format"), EXPORTS)
def test_a_refused_export_records_nothing(
    alice: User, alice_api: APIClient, url: str, export_format: str
) -> None:
    before = kinds(alice)
    assert alice_api.get(url, {"from": "2026-04-01", "to": "2026-03-01"}).status_code == 400
    assert APIClient().get(url).status_code == 401
    assert kinds(alice) == before


# --- Share links --------------------------------------------------------------------------


def test_share_link_created_and_revoked_through_the_api(alice: User, alice_api: APIClient) -> None:
    response = alice_api.post(
        "/api/v1/share-links/", {"label": "Physio", "from": "2026-01-01", "to": "2026-03-31"}, format="json"
    )
    assert response.status_code == 201
    link_id = response.json()["id"]
    created = last(alice)
    assert created.kind == AuditEvent.Kind.SHARE_CREATED
    assert created.detail["link_id"] == link_id
    assert created.detail["label"] == "Physio"
    assert (created.detail["from"], created.detail["to"]) == ("2026-01-01", "2026-03-31")
    assert created.summary() == "“Physio”, 1 Jan 2026 – 31 Mar 2026"

    assert alice_api.delete(f"/api/v1/share-links/{link_id}/").status_code == 204
    assert last(alice).kind == AuditEvent.Kind.SHARE_REVOKED
    assert last(alice).detail == {"link_id": link_id, "label": "Physio"}
    # Revoking again changes nothing, and records nothing.
    count = AuditEvent.objects.count()
    assert alice_api.delete(f"/api/v1/share-links/{link_id}/").status_code == 204
    assert AuditEvent.objects.count() == count


def test_share_link_created_and_revoked_on_the_page(alice: User, alice_client: Client) -> None:
    form = HtmlPage(alice_client.get("/share/").content).form(id="share-form")
    response = alice_client.post("/share/", form.data(label="GP"), HTTP_USER_AGENT=IPHONE)
    assert response.status_code == 200
    link = ShareLink.objects.get(user=alice)
    created = last(alice)
    assert created.kind == AuditEvent.Kind.SHARE_CREATED
    assert created.detail["label"] == "GP"
    assert created.client == "Safari on iPhone"

    assert alice_client.post(f"/share/{link.pk}/revoke/").status_code == 302
    assert last(alice).kind == AuditEvent.Kind.SHARE_REVOKED
    assert last(alice).detail == {"link_id": link.pk, "label": "GP"}


def test_an_invalid_share_link_records_nothing(
    alice: User, alice_client: Client, alice_api: APIClient
) -> None:
    before = kinds(alice)
    form = HtmlPage(alice_client.get("/share/").content).form(id="share-form")
    assert alice_client.post("/share/", form.data(expires_in_days="0")).status_code == 400
    assert alice_api.post("/api/v1/share-links/", {"expires_in_days": 91}, format="json").status_code == 400
    assert kinds(alice) == before


def test_another_users_link_cannot_be_revoked(alice: User, bob: User, bob_client: Client) -> None:
    link, _ = make_link(alice)
    before = AuditEvent.objects.count()
    assert bob_client.post(f"/share/{link.pk}/revoke/").status_code == 404
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(("suffix", "opened"), [("", "page"), ("report.pdf", "pdf"), ("runs.csv", "csv")])
def test_every_share_link_access_is_recorded_for_the_owner(
    alice: User, bob: User, suffix: str, opened: str
) -> None:
    link, token = make_link(alice, label="Physio")
    visitor = Client(REMOTE_ADDR="192.0.2.44")
    response = visitor.get(f"/shared/{token}/{suffix}", HTTP_USER_AGENT=IPHONE)
    assert response.status_code == 200
    event = last(alice)
    assert event.kind == AuditEvent.Kind.SHARE_OPENED
    assert event.detail == {"link_id": link.pk, "label": "Physio", "opened": opened, "count": 1}
    assert event.client == "Safari on iPhone"
    assert event.address == ""  # the clinician's address is never kept
    assert "192.0.2.44" not in str(AuditEvent.objects.values_list())
    assert ShareAccess.objects.get().kind == opened
    assert kinds(bob) == []


def test_a_refused_share_access_records_nothing(alice: User) -> None:
    link, token = make_link(alice)
    before = kinds(alice)
    client = Client()
    assert client.get("/shared/" + "x" * 43 + "/").status_code == 404
    link.revoked_at = timezone.now()
    link.save()
    assert client.get(f"/shared/{token}/").status_code == 404
    assert kinds(alice) == before


def test_no_access_without_its_event(alice: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """The access and its event are one transaction: if the event cannot be written, the
    report is not given out and no access row is left behind."""
    _, token = make_link(alice)

    def fail(**kwargs: Any) -> None:
        raise DatabaseError("disk full")

    monkeypatch.setattr(AuditEvent.objects, "create", fail)
    response = Client(raise_request_exception=False).get(f"/shared/{token}/")
    assert response.status_code >= 500
    assert not ShareAccess.objects.exists()


# --- The table itself ---------------------------------------------------------------------


def test_the_database_refuses_an_unknown_kind(alice: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(user=alice, kind="hacked")


def test_the_database_keeps_addresses_for_sign_ins_only(alice: User) -> None:
    AuditEvent.objects.create(user=alice, kind=AuditEvent.Kind.SIGNED_IN, address="192.0.2.1")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(user=alice, kind=AuditEvent.Kind.SHARE_OPENED, address="192.0.2.1")


def test_an_ipv6_address_is_kept_per_64(alice: User, rf: RequestFactory) -> None:
    request = rf.get("/", REMOTE_ADDR="2001:db8:1:2:3:4:5:6")
    event = record_event(user=alice, kind=AuditEvent.Kind.SIGNED_IN, request=request)
    assert event.address == "2001:db8:1:2::/64"


def test_record_event_keeps_a_coarse_browser_only(alice: User) -> None:
    event = record_event(user=alice, kind=AuditEvent.Kind.SHARE_OPENED, user_agent=IPHONE)
    assert event.client == "Safari on iPhone"
    assert "17_4" not in str(AuditEvent.objects.values_list())


def test_prune_keeps_the_retention_period(alice: User) -> None:
    old = record_event(user=alice, kind=AuditEvent.Kind.SIGNED_OUT)
    old.occurred_at = timezone.now() - dt.timedelta(days=401)
    old.save()
    recent = record_event(user=alice, kind=AuditEvent.Kind.SIGNED_OUT)
    recent.occurred_at = timezone.now() - dt.timedelta(days=399)
    recent.save()
    call_command("prune_audit_events")
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    # Less than a month would leave an owner too little to notice an intrusion with.
    with pytest.raises(CommandError):
        call_command("prune_audit_events", days=5)
    assert AuditEvent.objects.count() == 1


def test_two_step_changes_are_recorded(alice: User) -> None:
    """Someone in the account turning two-step sign-in off must leave a trace."""
    device = account_services.two_step_setup_start(user=alice)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    account_services.two_step_enable(device=device, code=f"{totp.token():06d}")
    account_services.recovery_codes_replace(user=alice)
    account_services.two_step_disable(user=alice)

    assert kinds(alice) == [
        AuditEvent.Kind.TWO_STEP_ON,
        AuditEvent.Kind.RECOVERY_CODES_NEW,
        AuditEvent.Kind.TWO_STEP_OFF,
    ]
