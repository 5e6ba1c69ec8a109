"""Who is on the other end of a request, told coarsely: the address a rate limit counts
against (and an account's own sign-ins show), and a browser's name without its version.
Shared by the share-link look-ups and the account activity log."""

from __future__ import annotations

import hashlib
import ipaddress
import re

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address: behind the trusted proxy (``DJANGO_HTTPS``) the one it
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
