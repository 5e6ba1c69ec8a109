"""Rate limit on guessing share-link tokens: per client address, at most
``MAX_FAILURES`` failed look-ups in a ``WINDOW_SECONDS`` window (a fixed one, on the
clock: 10:00–10:10, 10:10–10:20, ...); past that every request under /shared/ from that
address gets 429 until the window ends.

A token carries 256 random bits, so guessing cannot succeed; the limit keeps a scanner
from hammering the database and filling the logs. Counts live in the ``shared`` cache
(the database), so every server process and machine counts the same failures, and are
taken atomically (:mod:`backpainlog.ratelimit`): a failed look-up is answered with its
404 only once it has taken one of the window's slots, so that of 40 guesses at once 20
get a 404 and 20 a 429, not 40 an answer. A look-up that finds its link counts nothing
(and writes nothing). The cache keys hold a hash of the address.
"""

from __future__ import annotations

import math

from django.http import HttpRequest

from backpainlog.clients import address_key
from backpainlog.ratelimit import Limit, Slot

MAX_FAILURES = 20
WINDOW_SECONDS = 10 * 60
FAILURES = Limit("share-failures", MAX_FAILURES, WINDOW_SECONDS)


def record_failure(request: HttpRequest) -> Slot | None:
    """Count one failed look-up: its slot, or None when the window's count is full (the
    request is then refused, not answered)."""
    return FAILURES.take(address_key(request))


def is_blocked(request: HttpRequest) -> bool:
    return FAILURES.is_full(address_key(request))


def retry_after() -> int:
    return max(1, math.ceil(FAILURES.seconds_left()))
