"""The guessing limit's window (README, Share links: "refused for the rest of those 10
minutes") runs from the first failure: later failures do not move its end."""

from __future__ import annotations

import datetime as dt
import time

from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory

from sharing import throttle


def stored_expiry() -> dt.datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM backpainlog_cache")
        rows = cursor.fetchall()
    assert len(rows) == 1
    (expires,) = rows[0]
    if isinstance(expires, str):
        expires = dt.datetime.fromisoformat(expires)
    return expires if expires.tzinfo else expires.replace(tzinfo=dt.UTC)


def test_the_block_lasts_the_window_from_the_first_failure(db: None) -> None:
    request = RequestFactory().get("/shared/x/", REMOTE_ADDR="198.51.100.20")
    first = time.time()
    for _ in range(throttle.MAX_FAILURES):
        throttle.record_failure(request)
    assert throttle.is_blocked(request)
    window_end = dt.datetime.fromtimestamp(first + throttle.WINDOW_SECONDS, dt.UTC)
    assert abs((stored_expiry() - window_end).total_seconds()) < 5


def test_a_failure_after_the_window_starts_a_new_one(db: None) -> None:
    request = RequestFactory().get("/shared/x/", REMOTE_ADDR="198.51.100.21")
    throttle.record_failure(request)
    caches["shared"].delete(throttle._key(request))  # the window ran out
    throttle.record_failure(request)
    assert not throttle.is_blocked(request)
    window_end = dt.datetime.fromtimestamp(time.time() + throttle.WINDOW_SECONDS, dt.UTC)
    assert abs((stored_expiry() - window_end).total_seconds()) < 5
