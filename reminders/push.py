"""One Web Push message to one subscription (RFC 8030, 8291, 8292) through pywebpush: the
payload encrypted to the browser's keys (aes128gcm), signed with the server's VAPID key."""

from __future__ import annotations

import enum
import json
from typing import Any

import requests
from django.conf import settings
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from reminders import vapid
from reminders.endpoints import EndpointRefused, check_endpoint
from reminders.models import PushSubscription

SEND_TIMEOUT_SECONDS = 10
# How long the push service keeps a message for a device that is off (then drops it).
TIME_TO_LIVE_SECONDS = 12 * 60 * 60


class Outcome(enum.Enum):
    DELIVERED = "delivered"  # the push service took it (201)
    GONE = "gone"  # 404 or 410: the browser unsubscribed; the subscription is deleted
    FAILED = "failed"  # anything else: tried again later


class _NoRedirects(requests.Session):
    """A redirect from a push service would lead to an address nobody checked: not followed."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


def send(
    subscription: PushSubscription,
    payload: dict[str, str],
    *,
    signer: Vapid,
    ttl: int = TIME_TO_LIVE_SECONDS,
) -> tuple[Outcome, str]:
    """Post ``payload`` to the subscription, signed by ``signer`` (:func:`vapid.signer`);
    the outcome and, if it failed, why."""
    try:
        # Checked again here, not only when stored: the allowlist may have been narrowed since.
        check_endpoint(subscription.endpoint, settings.PUSH_ENDPOINT_HOSTS)
    except EndpointRefused as exc:
        return Outcome.FAILED, str(exc)
    try:
        with _NoRedirects() as session:
            webpush(
                subscription_info=subscription.info,
                data=json.dumps(payload),
                vapid_private_key=signer,
                # A new dict each time: pywebpush fills in the audience of this endpoint.
                vapid_claims={"sub": vapid.subject()},
                ttl=ttl,
                timeout=SEND_TIMEOUT_SECONDS,
                headers={"Urgency": "normal"},
                requests_session=session,
            )
    except WebPushException as exc:
        status = exc.status_code
        if status in (404, 410):
            return Outcome.GONE, f"{status} from the push service"
        return Outcome.FAILED, f"{status} from the push service" if status else str(exc)[:200]
    except requests.RequestException as exc:
        return Outcome.FAILED, f"{type(exc).__name__}: {exc}"[:200]
    return Outcome.DELIVERED, ""
