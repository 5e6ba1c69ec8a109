"""How the sign-in lock-out (django-axes) counts and answers; its rule is in settings.

Axes counts every failed sign-in (a wrong password, on the page or the token endpoint,
and a wrong two-step code) against the username and the client address. Once either
reaches the limit, signing in is paused for the cool-off.
"""

from __future__ import annotations

import datetime as dt
import enum
import ipaddress
import math
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.utils import reset
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from backpainlog.clients import address_key, client_address
from backpainlog.ratelimit import Limit


def client_ip(request: HttpRequest) -> str | None:
    """The address to count against, by the share links' rule (``client_address``: the
    trusted proxy's forwarded address, IPv6 per /64) as the single IP address the
    attempts' table stores: a /64 as its first address; None if it is not an address."""
    try:
        return str(ipaddress.ip_network(client_address(request), strict=False).network_address)
    except ValueError:
        return None


def username_of(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The username to count against, case-folded: usernames are unique regardless of
    case (sign-up refuses "Alice" next to "alice"), so "ALICE" counts against alice too."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    return username.casefold() if isinstance(username, str) else None


def clear_own_failures(
    sender: object, request: HttpRequest, user: AbstractBaseUser, **kwargs: object
) -> None:
    """On a full sign-in (``user_logged_in``): the user's own earlier failures no longer
    count against their username. Failures from the same address against other usernames
    stay, and so does the address's count of them."""
    reset(username=user.get_username().casefold())


def is_locked_out(request: HttpRequest, username: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": username})


#: The ``sender`` of ``user_login_failed`` for a wrong password given again while signed in.
PASSWORD_CHECK_SENDER = "backpainlog.accounts.password_check"  # noqa: S105 (a name, not a password)


class PasswordCheck(enum.Enum):
    RIGHT = "right"
    WRONG = "wrong"
    LOCKED_OUT = "locked out"


def password_check(request: HttpRequest, *, user: AbstractBaseUser, password: str) -> PasswordCheck:
    """The password asked for again while signed in (account deletion, password change,
    two-step settings, in the pages and the API), checked as a sign-in is: refused while
    the account or address is paused, and a wrong one counted by the lock-out and
    recorded in the account activity, so that whoever holds a signed-in session or a
    token cannot guess the password here faster than at the sign-in page."""
    username = user.get_username()
    if is_locked_out(request, username):
        return PasswordCheck.LOCKED_OUT
    if user.check_password(password):
        return PasswordCheck.RIGHT
    user_login_failed.send(sender=PASSWORD_CHECK_SENDER, credentials={"username": username}, request=request)
    # django-axes marks the request when this failure reached the limit.
    return PasswordCheck.LOCKED_OUT if getattr(request, "axes_locked_out", False) else PasswordCheck.WRONG


def retry_after_seconds(request: HttpRequest, credentials: dict[str, Any] | None) -> int:
    """Seconds until the newest counted failure leaves the cool-off window, after which
    the count is below the limit again (attempts while locked are not counted)."""
    cool_off = get_cool_off(request) or dt.timedelta(0)
    handler = AxesProxyHandler.get_implementation()
    AxesProxyHandler.update_request(request)
    newest = [
        attempts.order_by("-attempt_time").values_list("attempt_time", flat=True).first()
        for attempts in handler.get_user_attempts(request, credentials)
    ]
    latest = max((moment for moment in newest if moment is not None), default=timezone.now())
    return max(1, math.ceil((latest + cool_off - timezone.now()).total_seconds()))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """What a locked-out sign-in gets: a view that already answered 429 (the token
    endpoint, in JSON) keeps its answer; a page gets our own "paused" page."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    seconds = retry_after_seconds(request, credentials)
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": math.ceil(seconds / 60), "until": timezone.now() + dt.timedelta(seconds=seconds)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


# ------------------------------------------------------------------ sign-up limits

#: New accounts per client address (IPv6: per /64) and per hour: a household, a clinic.
SIGNUPS_PER_ADDRESS = Limit("signup-address", 5, 60 * 60)
#: New accounts per hour in all: far above what a self-hosted server sees, far below
#: what a script makes (25 accounts in 8.5 s from one address before this limit).
SIGNUPS_IN_ALL = Limit("signup-all", 100, 60 * 60)


def sign_up_refusal(request: HttpRequest) -> str:
    """Count one sign-up against both limits, atomically; "" if it may go ahead, else the
    message saying why not (and then nothing is counted)."""
    own = SIGNUPS_PER_ADDRESS.take(address_key(request))
    if own is None:
        minutes = math.ceil(SIGNUPS_PER_ADDRESS.seconds_left() / 60)
        return f"Too many new accounts from your network this hour: please try again in {minutes} minutes."
    if SIGNUPS_IN_ALL.take("all") is None:
        own.give_back()
        minutes = math.ceil(SIGNUPS_IN_ALL.seconds_left() / 60)
        return f"Too many new accounts at the moment: please try again in {minutes} minutes."
    return ""
