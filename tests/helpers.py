"""Small steps several test modules take: settings read in a fresh process, an API
client with a token, a password reset by e-mail."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.core import mail
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

if TYPE_CHECKING:
    # What the test client answers: a response with json(), templates and the request.
    from django.test.client import _MonkeyPatchedWSGIResponse as ClientResponse
else:
    from django.http import HttpResponseBase as ClientResponse

ROOT = Path(__file__).resolve().parent.parent


def settings_in_process(expression: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``expression`` over ``backpainlog.settings`` (as ``s``), printed by a new Python
    process with ``env`` added to this one's (development mode unless it says otherwise)."""
    return subprocess.run(  # noqa: S603 (the test's own script)
        [sys.executable, "-c", f"import backpainlog.settings as s; print({expression})"],
        env={**os.environ, "DJANGO_DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def text_of(element: ET.Element | None) -> str:
    """The text of an element that must be there (the test fails when it is not)."""
    assert element is not None, "no such element"
    return element.text or ""


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def reset_password_by_email(client: Client, user: User, new_password: str) -> ClientResponse:
    """Ask for the reset e-mail, follow its link and set ``new_password``: the answer."""
    client.post("/accounts/password_reset/", {"email": user.email})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", str(mail.outbox[-1].body))
    assert link is not None
    form_url = client.get(link.group(1))["Location"]
    return client.post(form_url, {"new_password1": new_password, "new_password2": new_password})


def run_queued_tasks() -> None:
    """Run every ready task of the queue in this process, as ``manage.py worker`` would.

    The worker closes the connection between tasks when it is not in autocommit mode,
    which inside a test's transaction it never is; as the test client does with requests,
    that is skipped here, so that the tasks see (and leave) the test's data.
    """
    from unittest import mock

    from backpainlog.worker import queue_worker

    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        queue_worker(worker_id="test-worker").run()


def at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """``work(0)`` … ``work(count - 1)``, each in its own thread (its own database
    connection), started together; what each returned or raised."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(number: int) -> None:
        try:
            barrier.wait()
            results[number] = work(number)
        except Exception as exc:  # reported by the test, not lost in the thread
            results[number] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


# The reminders of a new account, as the profile API and account.zip give them.
DEFAULT_REMINDERS = {
    "next_morning": True,
    "questionnaires": True,
    "shoes": True,
    "time": "08:00",
    "quiet_start": "22:00",
    "quiet_end": "07:00",
    "email": False,
}
