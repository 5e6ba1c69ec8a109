from __future__ import annotations

import secrets
from typing import Any, TypedDict, Unpack

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from audit.services import record_event
from backpainlog.accounts.authentication import token_digest
from backpainlog.accounts.models import ApiToken, Profile, RecoveryCode
from backpainlog.accounts.selectors import profile_of
from backpainlog.clients import coarse_client
from reminders.services import reminder_settings_update
from runs.services import analytics_refresh


@transaction.atomic
def user_sign_up(*, username: str, password: str, email: str = "") -> User:
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password, email=email)
    except IntegrityError:
        # Two sign-ups with one name at the same moment: the form's check passed for both.
        raise ValidationError({"username": "This username is taken."}) from None
    profile_of(user)
    return user


@transaction.atomic
def api_token_create(
    *, user: User, label: str = "", request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """Create a token; returns the stored record and the token itself (shown once). It is
    the API's sign-in: in the account activity with ``request``'s browser and address."""
    token = secrets.token_urlsafe(32)
    user_agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    # Obtaining it is its first use: the first requests with it then write nothing.
    record = ApiToken.objects.create(
        user=user,
        digest=token_digest(token),
        label=label[:100],
        client=coarse_client(user_agent)[:64],
        last_used_at=timezone.now(),
    )
    record_event(
        user=user,
        kind=AuditEvent.Kind.TOKEN_CREATED,
        detail={"token_id": record.pk, "label": record.label},
        request=request,
    )
    return record, token


@transaction.atomic
def api_token_revoke(*, token: ApiToken, request: HttpRequest | None = None) -> None:
    record_event(
        user=token.user,
        kind=AuditEvent.Kind.TOKEN_REVOKED,
        detail={"token_id": token.pk, "label": token.label},
        request=request,
    )
    token.delete()


@transaction.atomic
def api_tokens_revoke_all(*, user: User, reason: str = "", request: HttpRequest | None = None) -> int:
    """Revoke every token of ``user`` (after a password change or reset, ``reason`` says
    which: a stolen token must not outlive its owner's recovery); one event for them all.
    Returns how many there were."""
    count, _ = ApiToken.objects.filter(user=user).delete()
    if count:
        detail: dict[str, object] = {"all": True, "count": count}
        if reason:
            detail["reason"] = reason
        record_event(user=user, kind=AuditEvent.Kind.TOKEN_REVOKED, detail=detail, request=request)
    return count


def reminder_offer_claim(*, user: User) -> bool:
    """Whether to offer reminders now, after a saved run: true the first time only. A
    conditional update, so that two runs saved at once do not both show it."""
    profile = profile_of(user)
    if profile.reminder_offer_shown_at is not None:
        return False
    now = timezone.now()
    claimed = Profile.objects.filter(pk=profile.pk, reminder_offer_shown_at__isnull=True).update(
        reminder_offer_shown_at=now
    )
    profile.reminder_offer_shown_at = now
    return claimed == 1


class ProfileFields(TypedDict, total=False):
    """What the settings page and the API may set on a profile."""

    distance_unit: str
    timezone: str
    default_replacement_threshold_m: float


@transaction.atomic
def profile_update(
    *, user: User, reminders: dict[str, Any] | None = None, origin: str = "", **fields: Unpack[ProfileFields]
) -> Profile:
    """Change the profile and, with ``reminders``, the reminder settings (``origin``: the
    address the change came from, where reminder e-mails link to): all of it or nothing."""
    profile = profile_of(user)
    old_timezone = profile.timezone
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    if reminders is not None:
        reminder_settings_update(user=user, origin=origin, **reminders)
    if profile.timezone != old_timezone:
        # Local dates, and with them every window of the analytics, move with the zone.
        analytics_refresh(user)
    return profile


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the user and, through the database's cascades, everything they recorded."""
    user.delete()


# ------------------------------------------------------------------ two-step sign-in

RECOVERY_CODE_COUNT = 10
# 16 characters of base32 carry 80 random bits: shown in 4 groups of 4, typed with or
# without the dashes, in any case.
_RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
TOTP_DIGITS = 6


def recovery_code_digest(code: str) -> str:
    return token_digest("".join(code.split()).replace("-", "").lower())


def _recovery_code_new() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


@transaction.atomic
def two_step_setup_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator with a fresh secret (replacing one set up
    earlier and never confirmed). Nothing changes at sign-in until it is confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False, digits=TOTP_DIGITS)


@transaction.atomic
def two_step_enable(*, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator with a code from it, and return new recovery codes
    (shown once: only their digests are kept)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, confirmed=False)
    if not device.verify_token("".join(code.split())):
        raise ValidationError({"code": "This code is not right. Enter the 6 digits the app shows now."})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record_event(user=device.user, kind=AuditEvent.Kind.TWO_STEP_ON)
    return _recovery_codes_issue(user=device.user)


def _recovery_codes_issue(*, user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, digest=recovery_code_digest(c)) for c in codes)
    return codes


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """New recovery codes; the old ones stop working."""
    record_event(user=user, kind=AuditEvent.Kind.RECOVERY_CODES_NEW)
    return _recovery_codes_issue(user=user)


@transaction.atomic
def two_step_disable(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    record_event(user=user, kind=AuditEvent.Kind.TWO_STEP_OFF)


@transaction.atomic
def second_step_verify(*, user: User, code: str) -> bool:
    """A code from the authenticator (each accepted once: the device remembers the last
    time step used) or an unused recovery code, which this uses up. The device row is
    locked so that two requests with one code cannot both pass."""
    compact = "".join(code.split())
    if compact.isdigit() and len(compact) == TOTP_DIGITS:
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        return device is not None and device.verify_token(compact)
    deleted, _ = RecoveryCode.objects.filter(user=user, digest=recovery_code_digest(compact)).delete()
    return deleted > 0
