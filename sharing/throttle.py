"""Rate limit on guessing share-link tokens: per client address, at most
``MAX_FAILURES`` failed look-ups per ``WINDOW_SECONDS``; past that every request under
/shared/ from that address gets 429 until the window ends.

A token carries 256 random bits, so guessing cannot succeed; the limit keeps a scanner
from hammering the database and filling the logs. Counts live in the ``shared`` cache
(the database), so every server process and machine counts the same failures. The cache
key holds a hash of the address, for the window only.
"""

from __future__ import annotations

import math
import time

from django.core.cache import caches
from django.http import HttpRequest

from backpainlog.clients import address_key

MAX_FAILURES = 20
WINDOW_SECONDS = 10 * 60


def _key(request: HttpRequest) -> str:
    return f"share-failures:{address_key(request)}"


def _window(key: str, now: float) -> tuple[int, float]:
    """The failures counted so far and when their window ends (a new window: none yet)."""
    state = caches["shared"].get(key)
    if isinstance(state, tuple):
        return state
    return 0, now + WINDOW_SECONDS


def is_blocked(request: HttpRequest) -> bool:
    count, _ = _window(_key(request), time.time())
    return count >= MAX_FAILURES


def record_failure(request: HttpRequest) -> None:
    """Count one failed look-up. The window starts with the first failure; later ones
    keep its end (``cache.incr`` would not: it stores with the cache's default timeout)."""
    key, now = _key(request), time.time()
    count, ends = _window(key, now)
    caches["shared"].set(key, (count + 1, ends), max(1, math.ceil(ends - now)))
