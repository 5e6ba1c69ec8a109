"""Sign-ins, failed sign-ins and sign-outs, from django.contrib.auth's signals: they are
sent by every door (the sign-in page, a second sign-in step, the API's token request,
a lock-out after too many attempts), so no door can forget to record them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.helpers import get_cool_off
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from audit.models import AuditEvent
from audit.selectors import lockout_recorded_since
from audit.services import record_event
from backpainlog.accounts.lockout import PASSWORD_CHECK_SENDER

#: The ``sender`` of ``user_login_failed`` when django.contrib.auth's password check failed.
AUTHENTICATE_SENDER = "django.contrib.auth"


@receiver(user_logged_in, dispatch_uid="audit_signed_in")
def signed_in(sender: type, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record_event(request=request, user=user, kind=AuditEvent.Kind.SIGNED_IN)


@receiver(user_logged_out, dispatch_uid="audit_signed_out")
def signed_out(sender: type, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:  # None: signing out while signed out
        record_event(request=request, user=user, kind=AuditEvent.Kind.SIGNED_OUT)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def sign_in_failed(
    sender: str, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Recorded for the account named, if there is one: an unknown name has no one to
    show it to (and recording it would fill the table with a scanner's guesses)."""
    user_model = get_user_model()
    username = credentials.get(user_model.USERNAME_FIELD)
    if request is None or not isinstance(username, str):
        return
    try:
        user = user_model._default_manager.get_by_natural_key(username)
    except user_model.DoesNotExist:
        return
    detail: dict[str, Any] = {"via": "api" if request.path.startswith("/api/") else "web"}
    # Django sends it for a wrong password at sign-in; the two-step sign-in, for a wrong
    # code; a signed-in password check, for a wrong password given again.
    if sender == PASSWORD_CHECK_SENDER:
        detail["step"] = "password_check"
    elif sender != AUTHENTICATE_SENDER:
        detail["step"] = "code"
    # django-axes marks the request when the attempt was refused for too many failures.
    # One such event per pause: someone hammering a paused account must not be able to
    # fill its owner's log (and push the real events off the page).
    if getattr(request, "axes_locked_out", False):
        if lockout_recorded_since(user, timezone.now() - (get_cool_off(request) or dt.timedelta(0))):
            return
        detail["locked_out"] = True
    record_event(request=request, user=user, kind=AuditEvent.Kind.SIGN_IN_FAILED, detail=detail)
