"""The plain records the analytics work on. The caller builds them from the database and
computes each local date once, in the user's time zone: the analytics know no zones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def session_load(rpe: int | None, duration_s: int | None) -> float | None:
    """Session RPE × minutes (Foster et al. 2001), in arbitrary units; None unless both
    are recorded (docs/analytics.md#session-load)."""
    if rpe is None or duration_s is None:
        return None
    return rpe * duration_s / 60


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A run or a walk. ``id`` is a UUID in the app, anything hashable in tests."""

    id: object
    started_at: dt.datetime  # aware
    local_date: dt.date
    activity: str  # "run" | "walk"
    distance_m: float
    surface: str
    shoe_id: int | None
    pain_before: int | None
    pain_after: int | None
    pain_next_morning: int | None
    duration_s: int | None = None
    rpe: int | None = None
    pain_regions: tuple[str, ...] = ()  # where it hurt (docs/product.md#where-it-hurts)

    @property
    def is_load(self) -> bool:
        """Whether the distance counts as load (docs/analytics.md#ground-rules: walks are shown, not
        counted)."""
        return self.activity == "run"

    @property
    def session_load(self) -> float | None:
        return session_load(self.rpe, self.duration_s)


@dataclass(frozen=True, slots=True)
class CheckinRecord:
    id: object
    recorded_at: dt.datetime  # aware
    local_date: dt.date
    score: int  # 0 … 10
    radiating_leg_pain: bool = False
    pain_regions: tuple[str, ...] = ()  # where it hurts (docs/product.md#where-it-hurts)


@dataclass(frozen=True, slots=True)
class ShoeRecord:
    id: int
    name: str
    initial_distance_m: float
    replacement_threshold_m: float
    started_on: dt.date
