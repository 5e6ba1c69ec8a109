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


def is_blocked(request: HttpRequest) -> bool:
    return (caches["shared"].get(_key(request)) or 0) >= MAX_FAILURES


def record_failure(request: HttpRequest) -> None:
    """Count one failed look-up; the window starts with the first failure."""
    cache, key = caches["shared"], _key(request)
    if cache.add(key, 1, WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, WINDOW_SECONDS)
