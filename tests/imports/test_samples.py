"""The real device files of shared/samples/devices (their README gives the expected
values): every one read as the importer reads it. Skipped when the folder is absent."""

from __future__ import annotations

import datetime as dt

import pytest

from imports.parsers import UnreadableFile, parse
from tests.imports.builders import SAMPLES

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"{SAMPLES} not found (…/shared/samples/devices beside the project)"
)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


# file, activity, start (UTC), distance m, duration s (None: none), elevation gain m
IMPORTED = [
    ("garmin-fenix-5-run.fit", "run", "2017-06-11 14:34:09", 157.56, 57, 2),
    ("garmin-fenix-5-walk.fit", "walk", "2017-06-11 14:32:51", 67.85, 45, 1),
    ("activity-small-fenix2-run.fit", "run", "2015-08-15 14:45:08", 9008.22, 2832, 64),
    ("2013-02-06-12-11-14.fit", "run", "2013-02-06 12:11:14", 4835.38, 2625, 168),
    ("strava-android-app-201.10-b1218918.fit", "run", "2021-09-27 14:13:10", 11274.04, 3558, None),
    ("activity-unexpected-eof.fit", "run", "2012-04-09 21:22:26", 5.73, 14, 0),
    ("activity-settings-corruptheader.fit", "run", "2012-04-09 21:22:26", 5.73, 14, 0),
    ("tcxparser_test.tcx", "run", "2012-12-26 21:29:53", 4689.24, 1993, None),
    ("tcxparser_no_hr.tcx", "run", "2012-12-26 21:29:53", 4689.24, 1993, None),
    ("cerknicko-jezero.gpx", "run", "2010-08-05 14:23:59", 4692, 4239, ...),
    ("cerknicko-without-times.gpx", "run", "2010-08-05 16:22:52", 4692, None, ...),
    ("korita-zbevnica.gpx", "run", "2010-10-03 09:36:30", 15256, None, ...),
    ("gpx1.1_with_all_fields.gpx", "run", "2013-01-01 12:00:04", 0, None, ...),
    ("track-with-empty-segment.gpx", "run", "2013-07-06 17:26:26", 86, 76, ...),
]

SKIPPED = [
    ("garmin-fenix-5-bike.fit", "Cycling is not a run or walk."),
    ("sample-activity.fit", "Cycling is not a run or walk."),
    ("20170518-191602-1740899583.fit", "Fitness equipment is not a run or walk."),
    ("mapmyride_biking.tcx", "Biking is not a run or walk."),
    ("sup_activity_1.tcx", "An activity of type “Other” is not a run or walk."),
    ("cross-country-skiing_activity_1.tcx", "An activity of type “Other” is not a run or walk."),
    (
        "Mojstrovka.gpx",
        "The start time in the file (13 Dec 1901) cannot be right: the device's clock was not set.",
    ),
    ("route.gpx", "No track with points in this file (a route or waypoints only)."),
    ("unicode_with_bom.gpx", "No track with points in this file (a route or waypoints only)."),
]


@pytest.mark.parametrize(("name", "activity", "start", "distance", "duration", "gain"), IMPORTED)
def test_sample_is_read_as_its_summary_says(
    name: str, activity: str, start: str, distance: float, duration: int | None, gain: object
) -> None:
    parsed = parse(name, (SAMPLES / name).read_bytes())

    assert parsed.skipped == []
    [run] = parsed.activities
    assert run.activity == activity
    assert run.started_at == utc(start)
    if name.endswith(".gpx"):
        # Computed from the points: within 1 % of the README's figure.
        assert run.distance_m == pytest.approx(distance, rel=0.01, abs=0.01)
    else:
        assert run.distance_m == pytest.approx(distance, abs=0.01)
    assert run.duration_s == duration
    if gain is not ...:
        assert run.elevation_gain_m == gain


@pytest.mark.parametrize(("name", "reason"), SKIPPED)
def test_sample_that_is_not_a_run_is_skipped_with_the_reason(name: str, reason: str) -> None:
    parsed = parse(name, (SAMPLES / name).read_bytes())
    assert parsed.activities == []
    assert [(skip.item, skip.reason) for skip in parsed.skipped] == [(name, reason)]


def test_every_sample_is_covered() -> None:
    names = {path.name for path in SAMPLES.iterdir() if path.is_file() and path.suffix != ".md"}
    assert names == {row[0] for row in IMPORTED} | {row[0] for row in SKIPPED}


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        (name, wrong)
        for name in ["garmin-fenix-5-run.fit", "tcxparser_test.tcx", "cerknicko-jezero.gpx"]
        for wrong in [".fit", ".gpx", ".tcx", ".csv", ".zip"]
        if not name.endswith(wrong)
    ],
)
def test_a_sample_under_the_wrong_extension_is_unreadable(name: str, wrong: str) -> None:
    with pytest.raises(UnreadableFile):
        parse("renamed" + wrong, (SAMPLES / name).read_bytes())
