"""Who is on the other end of a request, told coarsely: the address a rate limit counts
against (and an account's own sign-ins show), and a browser's name without its version.
Shared by the share-link look-ups and the account activity log."""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import re

from django.conf import settings
from django.http import HttpRequest


def _hops(request: HttpRequest) -> list[str]:
    """Every address the request passed, the client's first and the connection's last:
    ``X-Forwarded-For`` (each proxy appends the address it was reached from), then
    ``REMOTE_ADDR``. Several headers are joined, as HTTP says they mean one list."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    return [*entries, request.META.get("REMOTE_ADDR", "")]


@functools.cache
def _networks(spelled: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(network, strict=False) for network in spelled)


def _is_trusted(address: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def _forwarded_for(request: HttpRequest) -> str:
    """The address the nearest untrusted hop was reached from (``DJANGO_TRUSTED_PROXIES``).

    Only what trusted proxies appended is believed: a client may write anything into
    ``X-Forwarded-For`` before its request reaches the first proxy, and without a proxy
    configured every entry is the client's own writing, so none is read. With a count N,
    the N-th entry from the right (each of the N proxies appended one); with networks,
    the right-most entry not appended from inside them."""
    hops = _hops(request)
    trusted = settings.TRUSTED_PROXIES
    if isinstance(trusted, int):
        return hops[max(0, len(hops) - 1 - trusted)]
    networks = _networks(tuple(trusted))
    for address in reversed(hops):
        if not _is_trusted(address, networks):
            return address
    return hops[0]  # every hop a trusted proxy: the first one is as far as it goes


def client_address(request: HttpRequest) -> str:
    """The client's address: the connection's, or behind trusted proxies the one they
    forwarded (``_forwarded_for``). IPv6 counts per /64, which one household or server is
    usually given whole."""
    address = _forwarded_for(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def address_key(request: HttpRequest) -> str:
    """The client's address as a rate limit's cache key: hashed, so that the shared cache
    table holds no addresses."""
    return hashlib.sha256(client_address(request).encode()).hexdigest()[:32]


# Coarse browser and system names, most specific first: enough to recognise a visit,
# too little to single out a device.
_BROWSERS = [
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
    ("python", "Python script"),
]
_SYSTEMS = [
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("Macintosh", "Mac"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
]
_BOT = re.compile(r"bot|crawl|spider|preview|slurp|facebookexternalhit", re.IGNORECASE)


def coarse_client(user_agent: str) -> str:
    """ "Safari on iPhone", "Link preview or bot", "" for an empty agent; never the full string."""
    if not user_agent:
        return ""
    if _BOT.search(user_agent):
        return "Link preview or bot"
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "Other browser")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    return f"{browser} on {system}" if system else browser
