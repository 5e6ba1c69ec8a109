"""Share links for the tests, made through the service as the app makes them."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from sharing.models import ShareLink
from sharing.services import share_link_create


def make_link(
    user: User,
    *,
    days: int = 14,
    start: dt.date | None = None,
    end: dt.date | None = None,
    label: str = "Physio",
) -> tuple[ShareLink, str]:
    return share_link_create(user=user, label=label, expires_in_days=days, start=start, end=end)
