"""GPX files, read with gpxpy after defusedxml has vetted the XML.

A GPX file is one activity: its tracks together (a watch starts a new track after each
pause). GPX has no sport field in the standard; a ``<type>`` on a track, where an app
writes one, can say the file is not a run.
"""

from __future__ import annotations

import gpxpy
import gpxpy.gpx

from imports.parsers.budget import Budget
from imports.parsers.records import (
    RUNS,
    WALKS,
    Activity,
    ParsedFile,
    Skipped,
    Source,
    UnreadableFile,
    as_utc,
    classify,
    finite,
    not_a_run,
    sport_key,
    unset_clock,
    whole_seconds,
)
from imports.parsers.xmlsafety import decode_text, local_name, safe_tree

# Strava writes its activity type as a number in GPX exports.
STRAVA_GPX_TYPES = {"1": "Ride", "4": "Hike", "9": "Run", "10": "Walk"}


def parse_gpx(data: bytes, *, name: str = "file.gpx", budget: Budget | None = None) -> ParsedFile:
    budget = budget or Budget()
    text = decode_text(data)
    # Vetted and counted first: gpxpy parses with lxml when it is installed, which expands
    # entities, and it cannot be stopped half-way, so the points it will read are
    # counted against the budget before it starts.
    root = safe_tree(text, "GPX", budget, point="trkpt")
    if local_name(root.tag) != "gpx":
        raise UnreadableFile("This is not a GPX file (its root element is not <gpx>).")
    del root  # gpxpy builds a tree of its own
    try:
        document = gpxpy.parse(text)
    except Exception as exc:
        raise UnreadableFile(f"This is not a readable GPX file ({_first_line(exc)}).") from None
    budget.check_time()
    return activity_of(document, name)


def activity_of(document: gpxpy.gpx.GPX, item: str) -> ParsedFile:
    tracks = [track for track in document.tracks if any(segment.points for segment in track.segments)]
    if not tracks:
        return ParsedFile(
            skipped=[Skipped(item, "No track with points in this file (a route or waypoints only).")]
        )
    # gpxpy leaves a track's type unannotated (None to a type checker): read it as a text.
    types: list[str | None] = [track.type for track in tracks]
    sport = next((kind.strip() for kind in types if kind and kind.strip()), "")
    sport = STRAVA_GPX_TYPES.get(sport, sport)
    # No type, or one that names no sport the app knows (“t”, “ACTIVE LOG”): a run.
    if sport and sport_key(sport) not in RUNS and sport_key(sport) not in WALKS and _is_a_sport(sport):
        return ParsedFile(skipped=[not_a_run(item, sport)])
    activity, surface = classify(sport) or ("run", None)
    document.tracks = tracks
    # A time without an offset is UTC; gpxpy compares the times as written, and one file
    # may mix both kinds (an app that edited some points), which Python cannot compare.
    for track in tracks:
        for segment in track.segments:
            for point in segment.points:
                if point.time is not None:
                    point.time = as_utc(point.time)
    start = document.get_time_bounds().start_time
    if start is None:
        return ParsedFile(skipped=[Skipped(item, "The track has no times, so the run has no date.")])
    if skip := unset_clock(item, as_utc(start)):
        return ParsedFile(skipped=[skip])
    # 3D where the points have elevations (what the watch walked up and down), else 2D.
    distance = round(finite(document.length_3d()) or 0.0, 2)
    uphill = finite(document.get_uphill_downhill().uphill)
    return ParsedFile(
        activities=[
            Activity(
                item=item,
                source=Source.GPX,
                started_at=as_utc(start),
                activity=activity,
                sport=sport or "run",
                distance_m=distance,
                # Each track segment from its first to its last point, summed (pauses
                # between segments excluded); none when some points have no time.
                duration_s=whole_seconds(document.get_duration()),
                elevation_gain_m=round(uphill, 1) if uphill else None,
                surface=surface,
            )
        ]
    )


# Words that name a sport other than running and walking, as apps write them in <type>.
OTHER_SPORTS = (
    "bik",
    "cycl",
    "ride",
    "swim",
    "ski",
    "row",
    "paddl",
    "kayak",
    "canoe",
    "skat",
    "snowboard",
    "golf",
    "climb",
    "surf",
    "sail",
    "drive",
    "motor",
    "fly",
    "boat",
    "yoga",
    "workout",
)


def _is_a_sport(sport: str) -> bool:
    key = sport_key(sport)
    return any(word in key for word in OTHER_SPORTS)


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]
