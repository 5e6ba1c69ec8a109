"""Settings: turning reminders on for this device (static/js/push.js) and where they work."""

from __future__ import annotations

import re

import pytest
from django.test import Client


def reminders_section(client: Client) -> str:
    html = client.get("/settings/").content.decode()
    match = re.search(r'<section id="reminders".*?</section>', html, re.S)
    assert match, "Settings has a Reminders section"
    return match.group(0)


@pytest.mark.django_db
def test_settings_say_where_push_works_and_offer_the_device_buttons(alice_client: Client) -> None:
    section = reminders_section(alice_client)
    assert "Android and on computers" in section
    assert "iPhone and iPad only in the app installed to the Home Screen, with iOS 16.4 or later" in section
    # The script is loaded by app.js only on pages with such a block; it needs the API's addresses.
    assert 'data-push-script="/static/js/push.js"' in section
    assert 'data-push-key-url="/api/v1/push/key/"' in section
    assert 'data-push-subscriptions-url="/api/v1/push-subscriptions/"' in section
    # Hidden until the script knows this device can use them.
    for label in ("Turn on reminders on this device", "Turn off on this device"):
        assert re.search(
            rf'<button type="button" class="button[^"]*" [^>]*hidden>{label}</button>', section
        ), label


@pytest.mark.django_db
def test_without_javascript_the_page_says_so(alice_client: Client, settings: object) -> None:
    section = reminders_section(alice_client)
    noscript = re.search(r"<noscript>(.*?)</noscript>", section, re.S)
    assert noscript
    assert "Reminders on this device need JavaScript" in noscript.group(1)
    # No mail server: e-mail is not offered.
    assert "e-mail" not in section


@pytest.mark.django_db
def test_e_mail_is_offered_where_the_server_sends_it(alice_client: Client, settings: object) -> None:
    settings.EMAIL_HOST = "smtp.example.org"  # type: ignore[attr-defined]
    section = reminders_section(alice_client)
    noscript = re.search(r"<noscript>(.*?)</noscript>", section, re.S)
    assert noscript
    assert "They can come by e-mail instead" in noscript.group(1)
    # For browsers without Web Push; push.js shows it then.
    assert re.search(
        r"<p class=\"help\" data-push-email hidden>They can come by e-mail instead, to alice@", section
    )
