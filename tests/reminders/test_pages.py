"""The reminders part of the settings page: its fields, saving, errors, and the test button
(the same services as the API)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from reminders.models import Reminder, ReminderSettings
from tests.conftest import HtmlPage


def reminders_form(client: Client) -> tuple[HtmlPage, dict[str, object]]:
    page = HtmlPage(client.get("/settings/").content)
    return page, page.form(action="/settings/reminders/").data()


def test_settings_page_has_the_reminders_section_with_labelled_fields(alice_client: Client) -> None:
    page, data = reminders_form(alice_client)
    assert "reminders" in page.elements
    for label in (
        "Reminder time",
        "Quiet hours from",
        "Quiet hours until",
        "morning after a run",
        "Questionnaires on",
    ):
        page.assert_labels_one_control(label)
    assert data["reminders-time"] == "08:00"
    assert page.elements["id_reminders-time"][1]["type"] == "time"
    # No mail server in the tests: e-mail is not offered.
    assert "reminders-email" not in data


def test_email_is_offered_where_the_server_sends_email(alice_client: Client, settings: object) -> None:
    settings.EMAIL_HOST = "smtp.example.com"  # type: ignore[attr-defined]
    page, _ = reminders_form(alice_client)
    page.assert_labels_one_control("Send reminders by e-mail too")


def test_saving_the_reminders_form(alice: User, alice_client: Client) -> None:
    _, data = reminders_form(alice_client)
    data.update({"reminders-time": "06:45", "reminders-quiet_start": "23:00"})
    data.pop("reminders-shoes", None)  # unticked
    answer = alice_client.post("/settings/reminders/", data)
    assert answer.status_code == 302
    assert answer["Location"] == "/settings/#reminders"
    stored = ReminderSettings.objects.get(user=alice)
    assert (stored.time.isoformat("minutes"), stored.quiet_start.isoformat("minutes"), stored.shoes) == (
        "06:45",
        "23:00",
        False,
    )


def test_a_bad_time_shows_the_error_and_changes_nothing(alice: User, alice_client: Client) -> None:
    _, data = reminders_form(alice_client)
    data.update({"reminders-time": "25:00", "reminders-quiet_end": "05:00"})
    answer = alice_client.post("/settings/reminders/", data)
    assert answer.status_code == 400
    assert "Enter a time as HH:MM" in answer.content.decode()
    assert ReminderSettings.objects.get(user=alice).quiet_end.isoformat("minutes") == "07:00"


def test_the_test_button_queues_a_test_notification(alice: User, alice_client: Client) -> None:
    page = HtmlPage(alice_client.get("/settings/").content)
    assert [b.text for b in page.form(action="/settings/reminders/test/").buttons()] == [
        "Send a test notification"
    ]
    answer = alice_client.post("/settings/reminders/test/")
    assert answer.status_code == 302
    assert Reminder.objects.filter(user=alice, kind=Reminder.Kind.TEST).count() == 1


def test_bob_saving_changes_only_his_settings(alice: User, bob: User, bob_client: Client) -> None:
    _, data = reminders_form(bob_client)
    bob_client.post("/settings/reminders/", {**data, "reminders-time": "05:00"})
    assert ReminderSettings.objects.get(user=bob).time.isoformat("minutes") == "05:00"
    assert not ReminderSettings.objects.filter(user=alice, time="05:00").exists()
