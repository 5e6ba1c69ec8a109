"""Where the server may post push messages: the push services' hosts only (no SSRF:
``docs/product.md#exactly-once``).

A subscription's endpoint is a URL the browser hands over, so the server would post to any
address a client chose if it took it as it is. It accepts only ``https`` URLs to a host of
``PUSH_ENDPOINT_HOSTS`` (exact names, or ``*.`` entries for the subdomains of a name), on
port 443 unless the entry names another, with no user name or password in them. The URL
must also be plainly written (letters, digits and the few signs the push services use):
an address that two URL parsers could read differently (``\\``, ``@``, spaces) is refused
rather than interpreted. Pure: no Django in here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# The services browsers subscribe with: Chrome, Opera, Samsung Internet and other Chromium
# browsers use Firebase Cloud Messaging; Firefox Mozilla's autopush; Safari (macOS 13 and
# iOS 16.4 or later) Apple's, whose endpoints are under push.apple.com (web.push.apple.com
# today); Edge the Windows Push Notification Services, one host per region.
DEFAULT_PUSH_ENDPOINT_HOSTS = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "*.push.apple.com",
    "*.notify.windows.com",
)
HTTPS_PORT = 443
MAX_ENDPOINT_LENGTH = 2048

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_NAME = rf"{_LABEL}(?:\.{_LABEL})*"
_RULE = re.compile(rf"(?P<wildcard>\*\.)?(?P<name>{_NAME})(?::(?P<port>[0-9]{{1,5}}))?")
# Path and query as the push services write them (WNS has ?token=…%3d, FCM a colon).
_ENDPOINT = re.compile(
    rf"https://(?P<host>{_NAME})(?::(?P<port>[0-9]{{1,5}}))?(?P<rest>/[A-Za-z0-9\-._~%!$&'()*+,;=:/?]*)?"
)


class EndpointRefused(ValueError):
    """The endpoint is not one the server posts to; the message says why, for the client."""


@dataclass(frozen=True)
class HostRule:
    name: str
    wildcard: bool = False
    port: int = HTTPS_PORT

    def matches(self, host: str, port: int) -> bool:
        if port != self.port:
            return False
        if self.wildcard:
            # A subdomain of the name, never an address: "*.0.0.1" must not admit 127.0.0.1.
            return host.endswith("." + self.name) and not _is_address(host)
        return host == self.name


def _is_address(host: str) -> bool:
    """An IPv4 address in any of the forms resolvers take (127.0.0.1, 2130706433, 0x7f.1):
    the last label of a real host name is never all digits or hexadecimal with 0x."""
    last = host.rsplit(".", 1)[-1]
    return last.isdigit() or bool(re.fullmatch(r"0x[0-9a-f]*", last))


def parse_host_rule(entry: str) -> HostRule:
    """``name``, ``*.name`` or either with ``:port``; ValueError for anything else."""
    match = _RULE.fullmatch(entry.strip().lower())
    if match is None:
        raise ValueError(f"{entry!r} is not a host name, a *.name or either with :port")
    port = int(match["port"]) if match["port"] else HTTPS_PORT
    if not 0 < port < 65536:
        raise ValueError(f"{entry!r} has no valid port")
    wildcard = bool(match["wildcard"])
    if wildcard and _is_address(match["name"]):
        raise ValueError(f"{entry!r}: a *. entry is for the subdomains of a name, not of an address")
    return HostRule(name=match["name"], wildcard=wildcard, port=port)


def parse_host_rules(entries: Iterable[str]) -> tuple[HostRule, ...]:
    return tuple(parse_host_rule(entry) for entry in entries)


def check_endpoint(url: str, rules: Iterable[HostRule]) -> str:
    """``url`` if the server may post to it; :class:`EndpointRefused` otherwise."""
    if not isinstance(url, str) or not url:
        raise EndpointRefused("Enter the subscription's endpoint URL.")
    if len(url) > MAX_ENDPOINT_LENGTH:
        raise EndpointRefused(f"The endpoint is longer than {MAX_ENDPOINT_LENGTH} characters.")
    if not url.lower().startswith("https://"):
        raise EndpointRefused("The endpoint must be an https:// URL of a push service.")
    authority = url[len("https://") :].split("/", 1)[0]
    if "@" in authority:
        raise EndpointRefused("The endpoint must not carry a user name or password.")
    # Host names are case-insensitive; the path is the push service's and stays as it is.
    match = _ENDPOINT.fullmatch(f"https://{authority.lower()}{url[len('https://') + len(authority) :]}")
    if match is None:
        raise EndpointRefused("The endpoint is not a plainly written https:// URL of a push service.")
    host = match["host"]
    port = int(match["port"]) if match["port"] else HTTPS_PORT
    if not any(rule.matches(host, port) for rule in rules):
        shown = host if port == HTTPS_PORT else f"{host}:{port}"
        raise EndpointRefused(f"{shown} is not a push service this server sends to (PUSH_ENDPOINT_HOSTS).")
    return url
