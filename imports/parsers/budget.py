"""What reading the files of one request may cost.

An import is read while the client waits, and sign-up is open: any account may send the
worst file it can build. Each request therefore gets one :class:`Budget`, shared by all
its files (a zip's members, the several files of the import page's form), and every
reader spends from it as it goes: XML elements and track points, FIT messages and
sessions, CSV rows, activities to store, and CPU time as the backstop. The limits are
far above what a watch or Strava writes, and low enough that the worst accepted request
takes a few seconds on a small server (README, "Importing runs"); past one, the whole
request is refused with a message and nothing is stored.
"""

from __future__ import annotations

import time

from imports.parsers.records import UnreadableFile

#: CPU seconds the readers of one request may use (the storing comes on top).
MAX_CPU_SECONDS = 8.0
#: XML elements read in one request: a track point with its time and elevation is three.
MAX_XML_ELEMENTS = 1_000_000
#: GPX and TCX track points in one request: 27 hours recorded every second. gpxpy reads
#: about 20,000 points a CPU second here, so the worst GPX stays well inside the time.
MAX_TRACK_POINTS = 100_000
#: FIT messages read in one request: three days recorded every second.
MAX_FIT_MESSAGES = 300_000
#: Sessions read from one FIT file: a multisport file (swim, bike, run) has a handful.
MAX_FIT_SESSIONS = 50
#: CSV rows read in one request: 27 years of daily activities.
MAX_CSV_ROWS = 10_000
#: Runs and walks one request may bring: storing each costs about a millisecond, and
#: the figures derived from the log are recomputed once at the end.
MAX_ACTIVITIES = 5_000

SPLIT = "split it into smaller files (by year, say) and import them one by one"
MESSAGES = {
    "elements": f"The file holds more XML than one import reads ({MAX_XML_ELEMENTS:,} elements): {SPLIT}.",
    "points": f"The file holds more than {MAX_TRACK_POINTS:,} track points: {SPLIT}.",
    "messages": f"The FIT data holds more than {MAX_FIT_MESSAGES:,} messages: {SPLIT}.",
    "rows": f"The file has more than {MAX_CSV_ROWS:,} rows: {SPLIT}.",
    "activities": f"The file holds more than {MAX_ACTIVITIES:,} runs and walks: {SPLIT}.",
    "time": f"Reading this file takes longer than an import may ({MAX_CPU_SECONDS:g} s): {SPLIT}.",
}


class OverBudget(UnreadableFile):
    """The request as a whole is over a limit: a zip does not skip the member where it
    happened and go on, it stops."""


LIMITS = {
    "elements": MAX_XML_ELEMENTS,
    "points": MAX_TRACK_POINTS,
    "messages": MAX_FIT_MESSAGES,
    "rows": MAX_CSV_ROWS,
    "activities": MAX_ACTIVITIES,
}


class Budget:
    """One request's allowance: the limits above, or lower ones where given (a command
    reading files in the background could pass higher ones)."""

    def __init__(self, *, cpu_seconds: float = MAX_CPU_SECONDS, **limits: int) -> None:
        unknown = set(limits) - set(LIMITS)
        if unknown:
            raise TypeError(f"Unknown budget limits: {', '.join(sorted(unknown))}")
        self.left = {**LIMITS, **limits}
        # The thread's own CPU time: under a threaded server, other requests' work is not
        # this one's.
        self.deadline = time.thread_time() + cpu_seconds

    def spend(self, what: str, amount: int = 1) -> None:
        """Take ``amount`` of ``what`` (a key of :data:`MESSAGES`); :class:`OverBudget`
        once it is gone."""
        self.left[what] -= amount
        if self.left[what] < 0:
            raise OverBudget(MESSAGES[what])

    def check_time(self) -> None:
        if time.thread_time() > self.deadline:
            raise OverBudget(MESSAGES["time"])
