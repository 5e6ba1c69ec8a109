"""The offer of a next-morning reminder in the confirmation after a saved run: made once
per account, whichever device the runs are saved on."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client

from backpainlog.accounts import services
from backpainlog.accounts.models import Profile
from backpainlog.accounts.selectors import profile_of
from reminders.models import PushSubscription, ReminderSettings

OFFER = "Get a reminder for next-morning pain?"


def save_run(client: Client, *, htmx: bool = True) -> str:
    data = {
        "id": str(uuid.uuid4()),
        "started_at": "2026-01-10T07:30",
        "activity": "run",
        "distance": "8",
        "surface": "road",
        "pain_before": "2",
        "pain_after": "3",
    }
    response = client.post("/runs/new/", data, headers={"HX-Request": "true"} if htmx else {})
    assert response.status_code in (200, 302)
    return response.content.decode()


@pytest.mark.django_db
def test_the_first_confirmation_offers_a_reminder_and_the_next_does_not(
    alice: User, alice_client: Client
) -> None:
    first = save_run(alice_client)
    assert "Saved" in first
    assert OFFER in first
    # Shown by push.js only where the device can say yes; the button turns reminders on.
    assert "data-push-offer" in first
    assert 'data-push-script="/static/js/push.js"' in first
    assert 'data-push-key-url="/api/v1/push/key/"' in first
    assert 'data-push-subscriptions-url="/api/v1/push-subscriptions/"' in first
    assert "Turn on reminders on this device" in first
    assert "No thanks" in first
    assert Profile.objects.get(user=alice).reminder_offer_shown_at is not None

    second = save_run(alice_client)
    assert "Saved" in second
    assert OFFER not in second


@pytest.mark.django_db
def test_a_second_device_does_not_see_the_offer_again(alice: User, alice_client: Client) -> None:
    save_run(alice_client)
    laptop = Client()
    laptop.force_login(alice)
    assert OFFER not in save_run(laptop)


@pytest.mark.django_db
def test_a_save_without_the_confirmation_keeps_the_offer_for_later(alice: User, alice_client: Client) -> None:
    # Without JavaScript the save goes back to the list, where nothing could subscribe.
    save_run(alice_client, htmx=False)
    assert Profile.objects.get(user=alice).reminder_offer_shown_at is None
    assert OFFER in save_run(alice_client)


@pytest.mark.django_db
def test_each_account_has_its_own_offer(alice_client: Client, bob_client: Client) -> None:
    assert OFFER in save_run(alice_client)
    assert OFFER in save_run(bob_client)


@pytest.mark.django_db
def test_the_offer_is_claimed_once_even_from_a_stale_profile(alice: User) -> None:
    # Another request that read the profile before the first claim was written.
    stale = User.objects.get(pk=alice.pk)
    assert profile_of(stale).reminder_offer_shown_at is None
    assert services.reminder_offer_claim(user=alice) is True
    assert services.reminder_offer_claim(user=stale) is False
    assert services.reminder_offer_claim(user=alice) is False


@pytest.mark.django_db
def test_a_runner_with_reminders_on_a_device_is_not_offered_them(alice: User, alice_client: Client) -> None:
    PushSubscription.objects.create(
        user=alice, endpoint="https://fcm.googleapis.com/fcm/send/alice-phone", p256dh="x", auth="y"
    )
    assert OFFER not in save_run(alice_client)
    # Used up: taking the phone's subscription away does not bring it back.
    PushSubscription.objects.filter(user=alice).delete()
    assert OFFER not in save_run(alice_client)


@pytest.mark.django_db
def test_a_runner_who_turned_next_morning_reminders_off_is_not_offered_them(
    alice: User, alice_client: Client
) -> None:
    ReminderSettings.objects.create(user=alice, next_morning=False)
    assert OFFER not in save_run(alice_client)
