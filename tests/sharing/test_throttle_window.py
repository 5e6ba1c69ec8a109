"""The guessing limit's window (README, Share links): a fixed 10-minute window on the
clock; its slots expire with it, and the next window counts afresh."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection
from django.test import RequestFactory

from backpainlog.ratelimit import Limit
from sharing import throttle


def stored_expiries() -> list[dt.datetime]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM backpainlog_cache")
        rows = cursor.fetchall()
    values = [dt.datetime.fromisoformat(value) if isinstance(value, str) else value for (value,) in rows]
    return [value if value.tzinfo else value.replace(tzinfo=dt.UTC) for value in values]


def test_the_block_lasts_until_the_window_ends(db: None) -> None:
    request = RequestFactory().get("/shared/x/", REMOTE_ADDR="198.51.100.20")
    for _ in range(throttle.MAX_FAILURES):
        assert throttle.record_failure(request) is not None
    assert throttle.is_blocked(request)
    assert throttle.record_failure(request) is None
    now = time.time()
    window_end = dt.datetime.fromtimestamp(
        now - now % throttle.WINDOW_SECONDS + throttle.WINDOW_SECONDS, dt.UTC
    )
    expiries = stored_expiries()
    assert len(expiries) == throttle.MAX_FAILURES
    assert all(abs((expiry - window_end).total_seconds()) < 5 for expiry in expiries)
    assert 0 < throttle.retry_after() <= throttle.WINDOW_SECONDS


def test_a_slot_given_back_is_not_counted(db: None) -> None:
    limit = Limit("test", 2, 600)
    first = limit.take("a")
    assert first is not None
    assert limit.take("a") is not None
    assert limit.take("a") is None
    first.give_back()
    assert limit.take("a") is not None
    assert limit.take("b") is not None  # another address counts on its own


def test_the_next_window_counts_afresh(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    limit = Limit("test", 1, 600)
    now = 1_800_000_000.0
    monkeypatch.setattr(time, "time", lambda: now)
    assert limit.take("a") is not None
    assert limit.take("a") is None
    now += 600
    assert limit.take("a") is not None
