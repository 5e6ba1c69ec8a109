"""The push API: the VAPID key, subscriptions (scoped to the caller, allowlisted hosts only),
the test notification, and the reminders part of the profile."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from reminders.models import PushSubscription, Reminder, ReminderSettings
from tests.helpers import DEFAULT_REMINDERS
from tests.reminders.browser import BrowserKeys

FCM = "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91bHPRgkF"


def subscribe(client: APIClient, endpoint: str = FCM, keys: BrowserKeys | None = None) -> Any:
    return client.post(
        "/api/v1/push-subscriptions/", (keys or BrowserKeys()).subscription(endpoint), format="json"
    )


def test_public_key_is_an_uncompressed_p256_point_and_stays_the_same(alice_api: APIClient) -> None:
    from reminders.keys import b64url_decode

    first = alice_api.get("/api/v1/push/key/")
    assert first.status_code == 200
    point = b64url_decode(first.json()["public_key"])
    assert len(point) == 65
    assert point[0] == 4
    assert alice_api.get("/api/v1/push/key/").json() == first.json()


def test_subscribing_twice_with_one_endpoint_keeps_one_row(alice: User, alice_api: APIClient) -> None:
    keys = BrowserKeys()
    created = subscribe(alice_api, keys=keys)
    assert created.status_code == 201, created.json()
    again = subscribe(alice_api, keys=keys)
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"]
    assert PushSubscription.objects.filter(user=alice).count() == 1
    listed = alice_api.get("/api/v1/push-subscriptions/").json()
    assert [row["endpoint"] for row in listed["results"]] == [FCM]
    assert "keys" not in listed["results"][0]


def test_bob_neither_sees_nor_deletes_alices_subscription(alice_api: APIClient, bob_api: APIClient) -> None:
    pk = subscribe(alice_api).json()["id"]
    assert bob_api.get("/api/v1/push-subscriptions/").json()["count"] == 0
    assert bob_api.delete(f"/api/v1/push-subscriptions/{pk}/").status_code == 404
    assert PushSubscription.objects.filter(pk=pk).exists()
    assert alice_api.delete(f"/api/v1/push-subscriptions/{pk}/").status_code == 204
    assert not PushSubscription.objects.filter(pk=pk).exists()


def test_an_endpoint_handed_over_by_another_account_moves_to_it(
    alice: User, bob: User, alice_api: APIClient, bob_api: APIClient
) -> None:
    subscribe(alice_api)
    assert subscribe(bob_api).status_code == 201
    assert list(PushSubscription.objects.values_list("user", flat=True)) == [bob.pk]


@pytest.mark.parametrize(
    ("keys", "field"),
    [
        ({"p256dh": "not-a-key", "auth": BrowserKeys().auth}, "p256dh"),
        ({"p256dh": "BAAA" + "A" * 83, "auth": BrowserKeys().auth}, "p256dh"),  # 65 bytes, not on the curve
        ({"p256dh": BrowserKeys().p256dh, "auth": "c2hvcnQ"}, "auth"),
        ({"p256dh": BrowserKeys().p256dh}, "auth"),
    ],
)
def test_bad_keys_are_a_400_naming_them(alice_api: APIClient, keys: dict[str, str], field: str) -> None:
    answer = alice_api.post("/api/v1/push-subscriptions/", {"endpoint": FCM, "keys": keys}, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["keys"]
    assert not PushSubscription.objects.exists()


def test_profile_has_reminders_with_defaults(alice_api: APIClient) -> None:
    reminders = alice_api.get("/api/v1/profile/").json()["reminders"]
    assert reminders == DEFAULT_REMINDERS


def test_profile_reminders_change(alice: User, alice_api: APIClient) -> None:
    answer = alice_api.patch(
        "/api/v1/profile/",
        {"reminders": {"time": "07:30", "shoes": False, "quiet_end": "06:00"}},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["reminders"]["time"] == "07:30"
    stored = ReminderSettings.objects.get(user=alice)
    assert (stored.time.isoformat(), stored.shoes, stored.quiet_end.isoformat()) == (
        "07:30:00",
        False,
        "06:00:00",
    )


@pytest.mark.parametrize(
    ("reminders", "field"),
    [
        ({"time": "7:30"}, "time"),
        ({"time": "24:00"}, "time"),
        ({"time": "07:30:00"}, "time"),
        ({"quiet_start": 730}, "quiet_start"),
        ({"quiet_end": ""}, "quiet_end"),
        ({"shoes": "yes"}, "shoes"),
        ({"email": True}, "email"),  # no EMAIL_HOST in the tests
        ({"weekends": True}, "weekends"),
    ],
)
def test_bad_reminder_settings_are_a_400_naming_the_field_and_change_nothing(
    alice: User, alice_api: APIClient, reminders: dict[str, object], field: str
) -> None:
    answer = alice_api.patch(
        "/api/v1/profile/",
        {"distance_unit": "mi", "reminders": {"next_morning": False, **reminders}},
        format="json",
    )
    assert answer.status_code == 400
    assert field in answer.json()["reminders"]
    assert alice_api.get("/api/v1/profile/").json()["distance_unit"] == "km"
    assert ReminderSettings.objects.get(user=alice).next_morning is True


def test_email_reminders_need_a_mail_server_and_an_address(
    alice: User, alice_api: APIClient, settings: object
) -> None:
    settings.EMAIL_HOST = "smtp.example.com"  # type: ignore[attr-defined]
    answer = alice_api.patch("/api/v1/profile/", {"reminders": {"email": True}}, format="json")
    assert answer.status_code == 200, answer.json()
    alice.email = ""
    alice.save()
    refused = alice_api.patch("/api/v1/profile/", {"reminders": {"email": True}}, format="json")
    assert refused.status_code == 400
    assert "no e-mail address" in refused.json()["reminders"]["email"][0]


def test_test_notification_is_queued(alice: User, alice_api: APIClient) -> None:
    subscribe(alice_api)
    answer = alice_api.post("/api/v1/push/test/")
    assert answer.status_code == 202
    assert answer.json()["subscriptions"] == 1
    assert Reminder.objects.get(pk=answer.json()["id"]).kind == Reminder.Kind.TEST


def test_push_endpoints_need_sign_in() -> None:
    client = APIClient()
    assert client.get("/api/v1/push/key/").status_code == 401
    assert client.get("/api/v1/push-subscriptions/").status_code == 401
    assert client.post("/api/v1/push/test/").status_code == 401


def test_pressing_test_again_at_once_sends_one(alice: User, alice_api: APIClient) -> None:
    subscribe(alice_api)
    first = alice_api.post("/api/v1/push/test/").json()["id"]
    assert alice_api.post("/api/v1/push/test/").json()["id"] == first
    assert Reminder.objects.filter(user=alice, kind=Reminder.Kind.TEST).count() == 1


def test_listing_subscriptions_costs_the_same_for_1_and_50(alice: User, alice_api: APIClient) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import PushSubscriptionFactory

    def queries_for(count: int) -> int:
        PushSubscription.objects.filter(user=alice).delete()
        PushSubscriptionFactory.create_batch(count, user=alice)
        with CaptureQueriesContext(connection) as queries:
            assert alice_api.get("/api/v1/push-subscriptions/?page_size=100").json()["count"] == count
        return len(queries)

    alice_api.get("/api/v1/push-subscriptions/")  # the first request also makes the profile
    assert queries_for(1) == queries_for(50)
