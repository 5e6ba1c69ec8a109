"""Small activity files written for the tests: a minimal FIT encoder (fitdecode only
reads), and GPX, TCX, CSV and zip texts."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from collections.abc import Iterable
from pathlib import Path

from fitdecode.utils import compute_crc

# The real device files (shared/samples/devices beside the project), when present.
SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "devices"

# What a person or a file gives a run, as stored: what an import must bring back exactly.
RUN_FIELDS = [
    "started_at",
    "activity",
    "distance_m",
    "duration_s",
    "elevation_gain_m",
    "surface",
    "pain_before",
    "pain_after",
    "pain_next_morning",
    "rpe",
    "notes",
    "pain_regions",
]

FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
SPORTS = {"generic": 0, "running": 1, "cycling": 2, "fitness_equipment": 4, "walking": 11, "hiking": 17}
SUB_SPORTS = {"generic": 0, "treadmill": 1, "trail": 3}


def _fit_time(instant: dt.datetime) -> int:
    return int((instant - FIT_EPOCH).total_seconds())


def _message(local: int, global_number: int, fields: list[tuple[int, str, int]]) -> bytes:
    """A definition message and one data message: fields as (number, struct format, value)."""
    base_types = {"B": (1, 0x00), "H": (2, 0x84), "I": (4, 0x86)}
    definition = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_number, len(fields))
    for number, layout, _ in fields:
        size, base = base_types[layout]
        definition += struct.pack("<BBB", number, size, base)
    data = struct.pack("<B", local) + b"".join(
        struct.pack("<" + layout, value) for _, layout, value in fields
    )
    return definition + data


def fit_session(
    start: dt.datetime,
    *,
    sport: str = "running",
    sub_sport: str = "generic",
    distance_m: float = 5000.0,
    timer_s: float = 1800.0,
    ascent_m: int = 42,
) -> bytes:
    return _message(
        1,
        18,  # session
        [
            (253, "I", _fit_time(start) + int(timer_s)),
            (2, "I", _fit_time(start)),
            (7, "I", int(timer_s * 1000)),  # total_elapsed_time, s × 1000
            (8, "I", int(timer_s * 1000)),  # total_timer_time, s × 1000
            (9, "I", int(distance_m * 100)),  # total_distance, m × 100
            (22, "H", ascent_m),
            (5, "B", SPORTS[sport]),
            (6, "B", SUB_SPORTS[sub_sport]),
        ],
    )


def fit_file(*sessions: bytes, records: int = 3, start: dt.datetime | None = None) -> bytes:
    """A FIT activity file: file_id, a few records, then the sessions given."""
    start = start or dt.datetime(2024, 5, 4, 7, 30, tzinfo=dt.UTC)
    body = _message(0, 0, [(0, "B", 4), (1, "H", 1), (4, "I", _fit_time(start))])  # file_id: activity
    body += _message(2, 20, [(253, "I", _fit_time(start)), (5, "I", 0)])  # record: timestamp, distance
    for number in range(1, records):
        body += struct.pack("<B", 2) + struct.pack("<II", _fit_time(start) + number, number * 300)
    body += b"".join(sessions)
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", compute_crc(header))
    content = header + body
    return content + struct.pack("<H", compute_crc(content))


def gpx(
    points: Iterable[tuple[float, float, float | None, str | None]],
    *,
    track_type: str | None = None,
    doctype: str = "",
) -> bytes:
    """A one-track GPX of (lat, lon, elevation, ISO time) points."""
    rows = []
    for lat, lon, ele, time in points:
        inner = (f"<ele>{ele}</ele>" if ele is not None else "") + (f"<time>{time}</time>" if time else "")
        rows.append(f'<trkpt lat="{lat}" lon="{lon}">{inner}</trkpt>')
    kind = f"<type>{track_type}</type>" if track_type else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}\n'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>Morning</name>{kind}<trkseg>{''.join(rows)}</trkseg></trk></gpx>"
    ).encode()


def gpx_line(
    start: dt.datetime, *, points: int = 11, step_s: int = 30, track_type: str | None = None
) -> bytes:
    """A straight line north from 46.0 N, 14.0 E: 0.001° (≈111.2 m) between points."""
    return gpx(
        [
            (
                46.0 + n * 0.001,
                14.0,
                300.0 + n,
                (start + dt.timedelta(seconds=n * step_s)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
            for n in range(points)
        ],
        track_type=track_type,
    )


def tcx(sport: str = "Running", *, laps: Iterable[tuple[str, float, float]] = (), notes: str = "") -> bytes:
    """A TCX with one activity of laps (start ISO, seconds, metres)."""
    laps = list(laps) or [("2024-05-04T07:30:00Z", 600.0, 1609.34), ("2024-05-04T07:40:00Z", 620.5, 1609.34)]
    body = "".join(
        f'<Lap StartTime="{start}"><TotalTimeSeconds>{seconds}</TotalTimeSeconds>'
        f"<DistanceMeters>{metres}</DistanceMeters><Track><Trackpoint><Time>{start}</Time></Trackpoint>"
        "</Track></Lap>"
        for start, seconds, metres in laps
    )
    note = f"<Notes>{notes}</Notes>" if notes else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        f'<Activities><Activity Sport="{sport}"><Id>{laps[0][0]}</Id>{note}{body}</Activity></Activities>'
        "</TrainingCenterDatabase>"
    ).encode()


# Strava's activities.csv header, as its bulk export writes it (2024): the names repeat.
STRAVA_HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,"
    "Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,Athlete Weight,"
    "Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,Average Speed,Elevation Gain,Elevation Loss,"
    "Elevation Low,Elevation High,Max Grade,Average Grade,Average Positive Grade,Average Negative Grade,"
    "Max Cadence,Average Cadence,Max Heart Rate,Average Heart Rate,Max Watts,Average Watts,Calories,"
    "Max Temperature,Average Temperature,Relative Effort,Total Work,Number of Runs,Uphill Time,"
    "Downhill Time,Other Time,Perceived Exertion,Type,Start Time,Weighted Average Power,Power Count,"
    "Prefer Perceived Exertion,Perceived Relative Effort,Commute,Total Weight Lifted,From Upload,"
    "Grade Adjusted Distance,Weather Observation Time,Weather Condition,Weather Temperature,"
    "Apparent Temperature,Dewpoint,Humidity,Weather Pressure,Wind Speed,Wind Gust,Wind Bearing,"
    "Precipitation Intensity,Sunrise Time,Sunset Time,Moon Phase,Bike,Gear,Precipitation Probability,"
    "Precipitation Type,Cloud Cover,Weather Visibility,UV Index,Weather Ozone,Jump Count,Total Grit,"
    "Average Flow,Flagged,Average Elapsed Speed,Dirt Distance,Newly Explored Distance,"
    "Newly Explored Dirt Distance,Activity Count,Total Steps,Carbon Saved,Pool Length,Training Load,"
    "Intensity,Average Grade Adjusted Pace,Timer Time,Total Cycles,Media"
)
STRAVA_COLUMNS = STRAVA_HEADER.split(",")


def strava_row(
    *,
    activity_id: int,
    date: str,
    name: str,
    kind: str,
    elapsed_s: int,
    moving_s: int,
    km: str,
    metres: str,
    gear: str = "",
    gain: str = "",
    description: str = "",
) -> list[str]:
    """A row with the named cells filled (by position: the names repeat) and the rest blank."""
    row = [""] * len(STRAVA_COLUMNS)
    first = {name: STRAVA_COLUMNS.index(name) for name in STRAVA_COLUMNS}
    second_distance = STRAVA_COLUMNS.index("Distance", first["Distance"] + 1)
    second_elapsed = STRAVA_COLUMNS.index("Elapsed Time", first["Elapsed Time"] + 1)
    row[first["Activity ID"]] = str(activity_id)
    row[first["Activity Date"]] = date
    row[first["Activity Name"]] = name
    row[first["Activity Type"]] = kind
    row[first["Activity Description"]] = description
    row[first["Elapsed Time"]] = str(elapsed_s)
    row[first["Distance"]] = km
    row[first["Activity Gear"]] = gear
    row[first["Filename"]] = f"activities/{activity_id}.fit.gz"
    row[second_elapsed] = f"{elapsed_s}.0"
    row[first["Moving Time"]] = f"{moving_s}.0"
    row[second_distance] = metres
    row[first["Elevation Gain"]] = gain
    return row


def csv_text(header: list[str], rows: Iterable[list[str]]) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


STRAVA_ROWS = [
    strava_row(
        activity_id=4161234567,
        date="Oct 7, 2020, 2:43:11 PM",
        name="Afternoon Run",
        kind="Run",
        elapsed_s=2950,
        moving_s=2874,
        km="8.03",
        metres="8030.5",
        gear="Brooks Ghost 13",
        gain="41.0",
        description="Easy, back fine",
    ),
    strava_row(
        activity_id=4165550001,
        date="Oct 8, 2020, 6:02:40 AM",
        name="Morning Ride",
        kind="Ride",
        elapsed_s=3600,
        moving_s=3500,
        km="30.10",
        metres="30100.0",
    ),
    strava_row(
        activity_id=4170001111,
        date="Oct 9, 2020, 5:15:00\u202fPM",  # newer exports: a narrow no-break space
        name="Evening Walk",
        kind="Walk",
        elapsed_s=1900,
        moving_s=1800,
        km="2.40",
        metres="2400.2",
    ),
    strava_row(
        activity_id=4179999999,
        date="Oct 10, 2020, 7:00:00 AM",
        name="Treadmill",
        kind="Virtual Run",
        elapsed_s=1500,
        moving_s=1500,
        km="5.00",
        metres="5000.0",
        gear="brooks   GHOST 13",
    ),
]


def strava_csv(rows: Iterable[list[str]] = STRAVA_ROWS) -> bytes:
    return csv_text(STRAVA_COLUMNS, rows)


def zipped(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def long_strava_csv(runs: int, *, start: dt.datetime, description_chars: int = 1800) -> bytes:
    """Strava's activities.csv with ``runs`` daily runs, each with a long description:
    a file over 1 MB from a few hundred rows."""
    rows = []
    for day in range(runs):
        when = start + dt.timedelta(days=day)
        rows.append(
            strava_row(
                activity_id=5_000_000_000 + day,
                date=f"{when:%b} {when.day}, {when.year}, {when:%I:%M:%S %p}",
                name="Morning Run",
                kind="Run",
                elapsed_s=2400,
                moving_s=2350,
                km="8.00",
                metres="8000.0",
                description=("Easy loop, back fine. " * (description_chars // 22 + 1))[:description_chars],
            )
        )
    return strava_csv(rows)
