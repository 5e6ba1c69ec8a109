"""Pure analytics over the user's log (docs/analytics.md): run flags, ACWR, check-in flares,
flare-up episodes, associations and weekly figures. Plain records in, plain results out: no
ORM, no Django, no time zones (the caller gives each record its local date)."""

from runs.analytics.checkins import checkin_flares
from runs.analytics.definitions import DEFINITIONS, FLAG_KINDS, FLAG_ORDER, Definition, severity
from runs.analytics.episodes import Episode, FlareDay, episodes, flare_ups
from runs.analytics.flags import RunAnalysis, analyse_runs
from runs.analytics.load import AcwrPoint, AcwrSeries, EwmaState
from runs.analytics.patterns import (
    Association,
    PatternTally,
    associations,
    associations_of,
    flared_later,
    is_rated,
)
from runs.analytics.records import CheckinRecord, RunRecord, ShoeRecord, session_load
from runs.analytics.regions import RegionCount, region_counts
from runs.analytics.weekly import WeekStats, week_start, weekly_stats

__all__ = [
    "DEFINITIONS",
    "FLAG_KINDS",
    "FLAG_ORDER",
    "AcwrPoint",
    "AcwrSeries",
    "Association",
    "CheckinRecord",
    "Definition",
    "Episode",
    "EwmaState",
    "FlareDay",
    "PatternTally",
    "RegionCount",
    "RunAnalysis",
    "RunRecord",
    "ShoeRecord",
    "WeekStats",
    "analyse_runs",
    "associations",
    "associations_of",
    "checkin_flares",
    "episodes",
    "flare_ups",
    "flared_later",
    "is_rated",
    "region_counts",
    "session_load",
    "severity",
    "week_start",
    "weekly_stats",
]
