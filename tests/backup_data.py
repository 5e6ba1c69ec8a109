"""A little of everything the app stores, for the backup and restore tests.

The tests run ``fill`` through ``manage.py shell`` with ``DATABASE_URL`` pointing at a
migrated database: a real database file or server, outside the test database that
pytest-django manages.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import caches
from django.utils import timezone

from backpainlog.accounts.services import api_token_create, profile_update
from runs.services import analytics_refresh
from sharing.services import share_access_record, share_link_create
from tests.factories import InsoleFactory, PainCheckinFactory, RunFactory, ShoeFactory, UserFactory

# The tables this fills; every other one is compared too, but may be empty.
FILLED_TABLES = (
    "auth_user",
    "accounts_profile",
    "accounts_apitoken",
    "runs_run",
    "runs_paincheckin",
    "runs_pattern",
    "shoes_shoe",
    "shoes_insole",
    "sharing_sharelink",
    "sharing_shareaccess",
    "backpainlog_cache",
    "django_session",
)


def fill() -> None:
    now = timezone.now()
    for username in ("alice", "bob"):
        user = UserFactory(username=username)
        profile_update(user=user, timezone="Europe/Berlin", distance_unit="mi")
        api_token_create(user=user, label="phone")
        shoe = ShoeFactory(user=user, is_default=True, started_on=dt.date(2024, 1, 1))
        insole = InsoleFactory(user=user, started_on=dt.date(2024, 1, 1))
        for day in range(1, 15):
            RunFactory(
                user=user,
                shoe=shoe,
                insole=insole,
                started_at=now - dt.timedelta(days=day),
                distance_m=5000.0 + 700 * day,
                pain_after=2 + day % 4,
                pain_next_morning=day % 3,
                notes="Hügel, 坂 — “quotes” and 'apostrophes'\nsecond line",
            )
            PainCheckinFactory(user=user, recorded_at=now - dt.timedelta(days=day, hours=3), score=day % 6)
        analytics_refresh(user)  # the stored flags, flares and patterns
        link, _ = share_link_create(user=user, label="Physio", expires_in_days=14)
        share_access_record(
            link=link, kind="page", user_agent="Mozilla/5.0 (iPhone) AppleWebKit Version/17 Safari/604.1"
        )
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session.create()
    caches["shared"].set("share-failures:192.0.2.1", 3, 600)
