"""The half-signed-in state between the password and the two-step code.

It lives in the visitor's session (so it is bound to that browser) and holds who passed
the password, how they authenticated, where to go next, when, and the user's
session-auth hash: it expires after ``PENDING_SECONDS`` and falls apart if the password
changes in between. Nobody is signed in (``login()``) until the code is right.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from backpainlog.accounts import lockout, services

PENDING_KEY = "two_step_pending"
PENDING_SECONDS = 5 * 60


@dataclass(frozen=True)
class PendingSignIn:
    user: User
    backend: str
    next_url: str


def pending_start(request: HttpRequest, *, user: User, backend: str, next_url: str) -> None:
    # A new session key, as login() would give: nothing set before the password carries over.
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": backend,
        "next": next_url,
        "started": time.time(),
        "hash": user.get_session_auth_hash(),
    }


def pending_get(request: HttpRequest) -> PendingSignIn | None:
    """The pending sign-in, or None (none, expired, or the password changed since)."""
    state = request.session.get(PENDING_KEY)
    if not isinstance(state, dict):
        return None
    if time.time() - state.get("started", 0) > PENDING_SECONDS:
        pending_clear(request)
        return None
    user = User.objects.filter(pk=state.get("user", 0), is_active=True).first()
    if user is None or not constant_time_compare(state.get("hash", ""), user.get_session_auth_hash()):
        pending_clear(request)
        return None
    return PendingSignIn(user=user, backend=state["backend"], next_url=state["next"])


def pending_clear(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


class SecondStep(enum.Enum):
    PASSED = "passed"
    WRONG = "wrong"
    LOCKED_OUT = "locked out"


def second_step_attempt(request: HttpRequest, *, user: User, code: str) -> SecondStep:
    """The code step, the same on the sign-in page and at the token endpoint: refused
    while the account or address is paused; a wrong code is a failed sign-in (the lock-out
    counts it, the activity log records it), and may be the one that starts the pause."""
    credentials = {"username": user.get_username()}
    if lockout.is_locked_out(request, credentials["username"]):
        return SecondStep.LOCKED_OUT
    if services.second_step_verify(user=user, code=code):
        return SecondStep.PASSED
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    # django-axes marks the request when this failure reached the limit.
    return SecondStep.LOCKED_OUT if getattr(request, "axes_locked_out", False) else SecondStep.WRONG
