"""Pure analytics over the user's log (SPEC §2): run flags, ACWR, check-in flares,
associations and weekly figures. Plain records in, plain results out: no ORM, no Django,
no time zones (the caller gives each record its local date)."""

from runs.analytics.checkins import checkin_flares
from runs.analytics.definitions import DEFINITIONS, Definition, severity
from runs.analytics.flags import FLAG_ORDER, RunAnalysis, analyse_runs
from runs.analytics.load import AcwrPoint, AcwrSeries
from runs.analytics.patterns import Association, associations
from runs.analytics.records import CheckinRecord, RunRecord, ShoeRecord
from runs.analytics.weekly import WeekStats, week_start, weekly_stats

__all__ = [
    "DEFINITIONS",
    "FLAG_ORDER",
    "AcwrPoint",
    "AcwrSeries",
    "Association",
    "CheckinRecord",
    "Definition",
    "RunAnalysis",
    "RunRecord",
    "ShoeRecord",
    "WeekStats",
    "analyse_runs",
    "associations",
    "checkin_flares",
    "severity",
    "week_start",
    "weekly_stats",
]
