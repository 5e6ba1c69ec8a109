"""Rate limit on guessing share-link tokens: per client address, at most
``MAX_FAILURES`` failed look-ups per ``WINDOW_SECONDS``; past that every request under
/shared/ from that address gets 429 until the window ends.

A token carries 256 random bits, so guessing cannot succeed; the limit keeps a scanner
from hammering the database and filling the logs. Counts live in the ``shared`` cache
(the database), so every server process and machine counts the same failures. The cache
key holds a hash of the address, for the window only.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

MAX_FAILURES = 20
WINDOW_SECONDS = 10 * 60


def client_address(request: HttpRequest) -> str:
    """The address to count against: behind the trusted proxy (``DJANGO_HTTPS``) the one it
    appended to ``X-Forwarded-For``, else the connection's. IPv6 counts per /64, which one
    household or server is usually given whole."""
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and forwarded:
        address = forwarded.split(",")[-1].strip()
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _key(request: HttpRequest) -> str:
    digest = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    return f"share-failures:{digest}"


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
