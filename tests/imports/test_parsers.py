"""The readers on their own: small files written here, no database."""

from __future__ import annotations

import datetime as dt
import uuid
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exports.csvformat import SI_COLUMNS, spreadsheet_safe
from imports.parsers import Skipped, UnreadableFile, parse
from imports.parsers import archive as archive_module
from imports.parsers.csvfile import strava_date
from tests.imports.builders import (
    STRAVA_ROWS,
    csv_text,
    fit_file,
    fit_session,
    gpx,
    gpx_line,
    long_strava_csv,
    strava_csv,
    strava_row,
    tcx,
    zipped,
)

START = dt.datetime(2024, 5, 4, 7, 30, tzinfo=dt.UTC)


# --- FIT --------------------------------------------------------------------------------


def test_fit_reads_the_sessions_own_totals() -> None:
    parsed = parse(
        "watch.fit", fit_file(fit_session(START, distance_m=10_012.34, timer_s=3001.6, ascent_m=87))
    )

    [run] = parsed.activities
    assert (run.activity, run.sport, run.started_at) == ("run", "running", START)
    assert run.distance_m == pytest.approx(10_012.34)
    assert run.duration_s == 3002
    assert run.elevation_gain_m == 87
    assert run.source == "fit"
    assert parsed.skipped == []


@pytest.mark.parametrize(
    ("sport", "sub_sport", "activity", "surface"),
    [
        ("running", "generic", "run", None),
        ("running", "treadmill", "run", "treadmill"),
        ("running", "trail", "run", "trail"),
        ("walking", "generic", "walk", None),
        ("hiking", "generic", "walk", "trail"),
    ],
)
def test_fit_runs_and_walks(sport: str, sub_sport: str, activity: str, surface: str | None) -> None:
    [run] = parse("a.fit", fit_file(fit_session(START, sport=sport, sub_sport=sub_sport))).activities
    assert (run.activity, run.surface) == (activity, surface)


@pytest.mark.parametrize(
    ("sport", "reason"),
    [
        ("cycling", "Cycling is not a run or walk."),
        ("fitness_equipment", "Fitness equipment is not a run or walk."),
        ("generic", "Generic is not a run or walk."),
    ],
)
def test_fit_other_sports_are_skipped_with_the_reason(sport: str, reason: str) -> None:
    parsed = parse("ride.fit", fit_file(fit_session(START, sport=sport)))
    assert parsed.activities == []
    assert [(skip.item, skip.reason) for skip in parsed.skipped] == [("ride.fit", reason)]


def test_fit_with_two_sessions_gives_two_activities() -> None:
    later = START + dt.timedelta(hours=2)
    parsed = parse("multi.fit", fit_file(fit_session(START), fit_session(later, sport="cycling")))
    assert [run.item for run in parsed.activities] == ["multi.fit, session 1"]
    assert [skip.item for skip in parsed.skipped] == ["multi.fit, session 2"]


def test_a_fit_file_cut_after_its_session_keeps_the_session() -> None:
    whole = fit_file(fit_session(START))
    [run] = parse("cut.fit", whole[:-1]).activities  # the CRC's last byte is gone
    assert run.distance_m == 5000.0


def test_a_fit_file_with_junk_after_its_session_keeps_the_session() -> None:
    [run] = parse("junk.fit", fit_file(fit_session(START)) + b"\x0e\x10garbage-after-the-end").activities
    assert run.started_at == START


def test_a_fit_file_cut_before_its_session_is_unreadable() -> None:
    whole = fit_file(fit_session(START), records=20)
    with pytest.raises(UnreadableFile, match="ends early"):
        parse("cut.fit", whole[:120])


def test_a_fit_file_without_sessions_says_so() -> None:
    with pytest.raises(UnreadableFile, match="no session"):
        parse("empty.fit", fit_file())


@pytest.mark.parametrize(
    "content",
    [b"not a fit file at all", gpx_line(START), b"\x0e\x10" + b"\x00" * 12, b"\x00"],
)
def test_content_that_is_not_fit_is_unreadable(content: bytes) -> None:
    with pytest.raises(UnreadableFile, match="not a readable FIT file"):
        parse("fake.fit", content)


# --- GPX --------------------------------------------------------------------------------


def test_gpx_is_one_run_over_its_track() -> None:
    parsed = parse("line.gpx", gpx_line(START, points=11, step_s=30))

    [run] = parsed.activities
    assert (run.activity, run.started_at, run.duration_s, run.source) == ("run", START, 300, "gpx")
    # Ten steps of 0.001° of latitude: 1,112 m on the ground.
    assert run.distance_m == pytest.approx(1112, rel=0.01)
    assert run.elevation_gain_m == pytest.approx(10, abs=1)


def test_a_gpx_in_the_encoding_its_declaration_names() -> None:
    content = (
        gpx_line(START)
        .decode()
        .replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
        .replace("Morning", "Caf\xe9")
        .encode("latin-1")
    )
    [run] = parse("old-garmin.gpx", content).activities
    assert run.started_at == START


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'<?xml version="1.0" encoding="klingon"?><gpx/>', "unknown text encoding"),
        (b'<?xml version="1.0" encoding="ascii"?><gpx>\xe9</gpx>', "encoding it declares"),
    ],
)
def test_a_gpx_in_a_bad_encoding_is_unreadable(content: bytes, message: str) -> None:
    with pytest.raises(UnreadableFile, match=message):
        parse("a.gpx", content)


@pytest.mark.parametrize(
    ("kind", "activity"),
    [("running", "run"), ("9", "run"), ("walking", "walk"), ("Hiking", "walk"), ("t", "run")],
)
def test_a_gpx_track_type_names_the_sport(kind: str, activity: str) -> None:
    [run] = parse("a.gpx", gpx_line(START, track_type=kind)).activities
    assert run.activity == activity


@pytest.mark.parametrize("kind", ["cycling", "1", "Ride", "Swimming"])
def test_a_gpx_track_of_another_sport_is_skipped(kind: str) -> None:
    parsed = parse("ride.gpx", gpx_line(START, track_type=kind))
    assert parsed.activities == []
    assert "is not a run or walk" in parsed.skipped[0].reason


def test_a_gpx_without_times_has_no_date_and_is_skipped() -> None:
    parsed = parse("notime.gpx", gpx([(46.0, 14.0, None, None), (46.01, 14.0, None, None)]))
    assert parsed.activities == []
    assert "no times" in parsed.skipped[0].reason


def test_a_gpx_with_some_times_has_a_start_but_no_duration() -> None:
    [run] = parse(
        "some.gpx", gpx([(46.0, 14.0, None, "2024-05-04T07:30:00Z"), (46.01, 14.0, None, None)])
    ).activities
    assert run.started_at == START
    assert run.duration_s is None


def test_a_gpx_mixing_times_with_and_without_an_offset_reads_both_as_utc() -> None:
    points = [
        (46.0, 14.0, None, "2024-05-04T07:30:00Z"),
        (46.001, 14.0, None, "2024-05-04T07:31:00"),
        (46.002, 14.0, None, "2024-05-04T09:32:00+02:00"),
    ]
    [run] = parse("edited.gpx", gpx(points)).activities
    assert (run.started_at, run.duration_s) == (START, 120)


def test_a_gpx_route_without_track_has_nothing_to_import() -> None:
    route = (
        b'<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
        b'<rte><rtept lat="46" lon="14"/><rtept lat="46.1" lon="14"/></rte></gpx>'
    )
    parsed = parse("route.gpx", route)
    assert parsed.activities == []
    assert "No track" in parsed.skipped[0].reason


BILLION_LAUGHS = (
    '<!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)
EXTERNAL = '<!DOCTYPE gpx [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("doctype", [BILLION_LAUGHS, EXTERNAL])
def test_gpx_entities_are_refused(doctype: str) -> None:
    content = gpx_line(START).replace(b"?>", ("?>" + doctype).encode(), 1).replace(b"Morning", b"&c;")
    with pytest.raises(UnreadableFile, match="entities"):
        parse("bomb.gpx", content)


def test_an_external_entity_in_tcx_is_refused() -> None:
    content = tcx().replace(b"?>", ("?>" + EXTERNAL.replace("gpx", "TrainingCenterDatabase")).encode(), 1)
    content = content.replace(b"<Activities>", b"<Activities>&secret;")
    with pytest.raises(UnreadableFile, match="entities"):
        parse("x.tcx", content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.gpx", b"<gpx><trk>"),
        ("a.gpx", b"\xff\xfe\x00garbage"),
        ("a.gpx", b"<html><body>not gpx</body></html>"),
        ("a.gpx", tcx()),
        ("a.tcx", gpx_line(START)),
        ("a.tcx", b"\x89PNG\r\n\x1a\n"),
        ("a.gpx", "<gpx>caf\xe9</gpx>".encode("latin-1")),
    ],
)
def test_malformed_xml_is_unreadable(name: str, content: bytes) -> None:
    with pytest.raises(UnreadableFile):
        parse(name, content)


# --- TCX --------------------------------------------------------------------------------


def test_tcx_sums_its_laps() -> None:
    content = tcx(laps=[("2024-05-04T07:30:00Z", 600.0, 1609.34), ("2024-05-04T07:40:00Z", 620.5, 1500.0)])
    [run] = parse("a.tcx", content).activities
    assert (run.started_at, run.distance_m, run.duration_s) == (START, pytest.approx(3109.34), 1220)
    assert run.source == "tcx"


@pytest.mark.parametrize(("sport", "reason"), [("Biking", "Biking is"), ("Other", "“Other”")])
def test_tcx_other_sports_are_skipped(sport: str, reason: str) -> None:
    parsed = parse("a.tcx", tcx(sport))
    assert parsed.activities == []
    assert reason in parsed.skipped[0].reason


# --- The app's own CSV ------------------------------------------------------------------


def own_csv(*rows: dict[str, str], extra: tuple[str, ...] = ("time", "distance_km")) -> bytes:
    header = [*SI_COLUMNS, *extra]
    return csv_text(header, [[row.get(column, "") for column in header] for row in rows])


RUN_ID = uuid.UUID("0b0e7c4e-7a4f-4c51-9f5e-2b1a8f0e9d11")


def test_own_csv_reads_every_si_column_and_undoes_the_formula_escape() -> None:
    content = own_csv(
        {
            "id": str(RUN_ID),
            "started_at": "2024-05-04T09:30:00+02:00",
            "activity": "walk",
            "distance_m": "8012.5",
            "duration_s": "2700",
            "elevation_gain_m": "55.5",
            "surface": "trail",
            "shoe": spreadsheet_safe("=Pegasus"),
            "insole": spreadsheet_safe("'quoted"),
            "pain_before": "2",
            "pain_after": "4",
            "pain_next_morning": "3",
            "rpe": "6",
            "flags": "long_run_spike",
            "notes": spreadsheet_safe("-sore, then fine"),
            "time": "ignored",
            "distance_km": "999",
        }
    )
    [run] = parse("export.csv", content).activities
    assert run.id == RUN_ID
    assert run.started_at == START
    assert (run.activity, run.distance_m, run.duration_s, run.elevation_gain_m) == (
        "walk",
        8012.5,
        2700,
        55.5,
    )
    assert (run.surface, run.shoe, run.insole, run.notes) == (
        "trail",
        "=Pegasus",
        "'quoted",
        "-sore, then fine",
    )
    assert (run.pain_before, run.pain_after, run.pain_next_morning, run.rpe) == (2, 4, 3, 6)
    assert run.source == "csv"


@pytest.mark.parametrize(
    ("cell", "source"),
    [
        ("manual", "manual"),
        ("fit", "fit"),
        ("strava", "strava"),
        ("", "csv"),
        ("=cmd", "csv"),
        ("FIT", "csv"),
    ],
)
def test_own_csv_keeps_where_a_run_first_came_from(cell: str, source: str) -> None:
    content = own_csv(
        {"id": str(RUN_ID), "started_at": "2024-05-04T09:30:00+02:00", "distance_m": "5000", "source": cell}
    )
    [run] = parse("a.csv", content).activities
    assert run.source == source


def test_own_csv_time_without_offset_is_the_users_local_time() -> None:
    content = own_csv({"id": str(RUN_ID), "started_at": "2024-05-04T09:30:00", "distance_m": "5000"})
    [run] = parse("a.csv", content, zone=dt.timezone(dt.timedelta(hours=2))).activities
    assert run.started_at == START


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"id": "not-a-uuid"}, "id: “not-a-uuid” is not a UUID"),
        ({"started_at": "yesterday"}, "started_at"),
        ({"distance_m": "five"}, "distance_m: “five” is not a number"),
        ({"distance_m": "nan"}, "is not a number"),
        ({"pain_before": "2.5"}, "pain_before: “2.5” is not a whole number"),
    ],
)
def test_own_csv_bad_cells_skip_their_row_only(cells: dict[str, str], reason: str) -> None:
    good = {"id": str(RUN_ID), "started_at": "2024-05-04T09:30:00+02:00", "distance_m": "5000"}
    bad = {**good, "id": str(uuid.uuid4()), **cells}
    parsed = parse("a.csv", own_csv(good, bad))
    assert len(parsed.activities) == 1
    [skip] = parsed.skipped
    assert skip.item == "Row 3"
    assert reason in skip.reason


def test_own_csv_missing_required_columns_are_named() -> None:
    content = csv_text(["id", "date", "notes"], [[str(RUN_ID), "2024-05-04", "x"]])
    with pytest.raises(UnreadableFile, match="lacks the columns started_at, activity, distance_m"):
        parse("a.csv", content)


# --- Strava's activities.csv --------------------------------------------------------------


def test_strava_csv_prefers_the_distance_in_metres_and_skips_rides() -> None:
    parsed = parse("activities.csv", strava_csv())

    assert [run.activity for run in parsed.activities] == ["run", "walk", "run"]
    first, walk, treadmill = parsed.activities
    assert first.started_at == dt.datetime(2020, 10, 7, 14, 43, 11, tzinfo=dt.UTC)
    assert (first.distance_m, first.duration_s, first.elevation_gain_m) == (8030.5, 2874, 41.0)
    assert first.shoe == "Brooks Ghost 13"
    assert first.source == "strava"
    # The name Strava gave by the time of day is no note; the description is.
    assert first.notes == "Easy, back fine"
    assert treadmill.notes == "Treadmill"
    assert walk.started_at == dt.datetime(2020, 10, 9, 17, 15, tzinfo=dt.UTC)
    assert treadmill.surface == "treadmill"
    assert [skip.reason for skip in parsed.skipped] == ["Ride is not a run or walk."]
    assert "Morning Ride" in parsed.skipped[0].item


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Oct 7, 2020, 2:43:11 PM", dt.datetime(2020, 10, 7, 14, 43, 11, tzinfo=dt.UTC)),
        ("Jan 1, 2021, 12:05:00 AM", dt.datetime(2021, 1, 1, 0, 5, tzinfo=dt.UTC)),
        ("Oct 7, 2020, 2:43:11\u202fPM", dt.datetime(2020, 10, 7, 14, 43, 11, tzinfo=dt.UTC)),
    ],
)
def test_strava_dates(text: str, expected: dt.datetime) -> None:
    assert strava_date(text) == expected


def test_strava_csv_with_one_distance_column_reads_kilometres() -> None:
    header = ["Activity ID", "Activity Date", "Activity Name", "Activity Type", "Elapsed Time", "Distance"]
    content = csv_text(header, [["1", "Oct 7, 2020, 2:43:11 PM", "Run", "Run", "1800", "5.25"]])
    [run] = parse("activities.csv", content).activities
    assert run.distance_m == pytest.approx(5250)
    assert run.duration_s == 1800


def test_strava_csv_bad_date_skips_the_row() -> None:
    rows = [
        STRAVA_ROWS[0],
        strava_row(
            activity_id=1,
            date="someday",
            name="Odd",
            kind="Run",
            elapsed_s=1,
            moving_s=1,
            km="1",
            metres="1000",
        ),
    ]
    parsed = parse("activities.csv", strava_csv(rows))
    assert len(parsed.activities) == 1
    assert "Activity Date" in parsed.skipped[0].reason


def test_strava_csv_missing_columns_are_named() -> None:
    content = csv_text(
        ["Activity ID", "Activity Date", "Activity Name"], [["1", "Oct 7, 2020, 2:43:11 PM", "x"]]
    )
    with pytest.raises(UnreadableFile, match="lacks the columns Activity Type, Distance"):
        parse("activities.csv", content)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Datum;Strecke\n1;2\n", "neither a backpainlog export"),
        ("id,started_at\n".encode("utf-16"), "binary data"),
        ("id,started_at,activity,distance_m,notes\n1,2,run,3,caf\xe9\n".encode("latin-1"), "not UTF-8"),
        (b"\x00\x01\x02", "binary data"),
        (b'id,started_at,activity,distance_m\n"unterminated' + b"x" * 200_000, "not a readable CSV"),
    ],
)
def test_csv_that_is_not_one_of_ours_is_unreadable(content: bytes, message: str) -> None:
    with pytest.raises(UnreadableFile, match=message):
        parse("a.csv", content)


def test_a_csv_with_only_a_header_says_it_has_nothing_to_import() -> None:
    parsed = parse("a.csv", own_csv())
    assert parsed.activities == []
    assert parsed.skipped == [Skipped("a.csv", "The file has a header but no rows: nothing to import.")]


# --- Zip (Strava's bulk export) ---------------------------------------------------------------


def test_a_strava_zip_reads_its_activities_csv_only() -> None:
    content = zipped(
        {
            "activities.csv": strava_csv(),
            "activities/4161234567.fit.gz": b"would be the same run again",
            "profile.csv": b"x",
            "media/photo.jpg": b"\xff\xd8",
        }
    )
    parsed = parse("export_123.zip", content)
    assert len(parsed.activities) == 3
    assert all(run.source == "strava" for run in parsed.activities)


def test_a_zip_without_activities_csv_reads_its_activity_files() -> None:
    import gzip

    content = zipped(
        {
            "activities/1.fit.gz": gzip.compress(fit_file(fit_session(START))),
            "activities/2.gpx": gpx_line(START + dt.timedelta(days=1)),
            "activities/3.tcx": b"broken",
            "activities/inner.zip": zipped({"a.fit": b"x"}),
            "media/photo.jpg": b"\xff\xd8",
        }
    )
    parsed = parse("export.zip", content)
    assert sorted(run.source for run in parsed.activities) == ["fit", "gpx"]
    reasons = {skip.item: skip.reason for skip in parsed.skipped}
    assert (
        "not a TCX file" in reasons["activities/3.tcx"] or "not a readable TCX" in reasons["activities/3.tcx"]
    )
    assert reasons["activities/inner.zip"] == "A zip inside the zip is not opened."


def test_a_zip_with_nothing_to_import_is_unreadable() -> None:
    with pytest.raises(UnreadableFile, match=r"no activities\.csv"):
        parse("photos.zip", zipped({"a.jpg": b"\xff\xd8"}))


def test_a_zip_bomb_is_stopped_by_its_declared_size() -> None:
    # 30 MB of zeros squeeze into some 30 KB.
    content = zipped({"activities.csv": b"0" * (30 * 1024 * 1024)})
    assert len(content) < 100_000
    with pytest.raises(UnreadableFile, match="unpacks to more"):
        parse("bomb.zip", content)


def test_a_zip_bomb_that_lies_about_its_size_is_stopped_while_unpacking() -> None:
    content = bytearray(zipped({"activities.csv": b"0" * (30 * 1024 * 1024)}))
    # Rewrite the declared size (local header at 22, central directory entry at 24) to 100 bytes.
    local_size_at = 22
    central = content.rfind(b"PK\x01\x02")
    content[local_size_at : local_size_at + 4] = (100).to_bytes(4, "little")
    content[central + 24 : central + 28] = (100).to_bytes(4, "little")
    with pytest.raises(UnreadableFile):
        parse("liar.zip", bytes(content))


def test_a_zip_with_too_many_members_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive_module, "MAX_MEMBERS", 3)
    with pytest.raises(UnreadableFile, match="more than 3 files"):
        parse("many.zip", zipped({f"{n}.gpx": b"x" for n in range(4)}))


def test_the_total_unpacked_size_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive_module, "MAX_TOTAL_BYTES", 1000)
    content = zipped({f"activities/{n}.gpx": gpx_line(START + dt.timedelta(days=n)) for n in range(5)})
    with pytest.raises(UnreadableFile, match="unpacks to more"):
        parse("big.zip", content)


def test_an_encrypted_member_is_skipped() -> None:
    content = bytearray(zipped({"activities/1.gpx": gpx_line(START)}, compression=zipfile.ZIP_STORED))
    content[6] |= 0x01  # the local header's "encrypted" flag
    central = content.rfind(b"PK\x01\x02")
    content[central + 8] |= 0x01
    parsed = parse("locked.zip", bytes(content))
    assert parsed.activities == []
    assert "cannot be read" in parsed.skipped[0].reason


# --- Any file ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["run.txt", "run", "run.fit.exe", "run.jpg"])
def test_other_extensions_are_refused(name: str) -> None:
    with pytest.raises(UnreadableFile, match=r"Choose a \.fit"):
        parse(name, b"data")


def test_an_empty_file_is_unreadable() -> None:
    with pytest.raises(UnreadableFile, match="empty"):
        parse("a.gpx", b"")


def test_extensions_are_case_insensitive() -> None:
    assert len(parse("RUN.FIT", fit_file(fit_session(START))).activities) == 1


def assert_parsed_or_refused(name: str, data: bytes) -> None:
    """Read, or refused with a message: never another exception."""
    try:
        parse(name, data)
    except UnreadableFile as exc:
        message = exc.message
    else:
        return
    assert message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    extension=st.sampled_from([".fit", ".gpx", ".tcx", ".csv", ".zip"]),
    data=st.binary(max_size=2048),
)
def test_arbitrary_bytes_never_raise_anything_but_unreadable(extension: str, data: bytes) -> None:
    assert_parsed_or_refused("upload" + extension, data)


VALID = {
    ".fit": fit_file(fit_session(START)),
    ".gpx": gpx_line(START),
    ".tcx": tcx(),
    ".csv": strava_csv(),
    ".zip": zipped({"activities.csv": strava_csv(), "activities/1.gpx": gpx_line(START)}),
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    extension=st.sampled_from(sorted(VALID)),
    position=st.floats(min_value=0, max_value=1),
    junk=st.binary(min_size=1, max_size=16),
    cut=st.booleans(),
)
def test_damaged_real_files_never_raise_anything_but_unreadable(
    extension: str, position: float, junk: bytes, cut: bool
) -> None:
    """Valid files with bytes overwritten, or cut short: the readers' inner paths."""
    original = VALID[extension]
    at = int(position * (len(original) - 1))
    data = original[:at] if cut else original[:at] + junk + original[at + len(junk) :]
    assert_parsed_or_refused("upload" + extension, data)


# Member names as archives carry them: folders, "..", absolute paths, odd characters, and
# the extensions the reader looks for.
MEMBER_NAMES = st.builds(
    lambda folder, stem, extension: folder + stem + extension,
    st.sampled_from(["", "activities/", "../", "/", "a/b/", "activities/../"]),
    st.text(min_size=1, max_size=12).filter(lambda stem: "\x00" not in stem),
    st.sampled_from([".fit", ".gpx", ".tcx", ".csv", ".zip", ".fit.gz", ".gpx.gz", ""]),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    members=st.dictionaries(
        st.one_of(MEMBER_NAMES, st.just("activities.csv")),
        st.one_of(st.binary(max_size=512), st.sampled_from(sorted(VALID.values()))),
        max_size=4,
    )
)
def test_zips_of_arbitrary_members_never_raise_anything_but_unreadable(members: dict[str, bytes]) -> None:
    """A well-formed zip whose member names and contents are anything: the archive
    reader's own paths (which members it opens, nested files), not only the zip format."""
    assert_parsed_or_refused("export.zip", zipped(members))


# --- Progress (imports in the background) -----------------------------------------------


def test_a_zip_tells_progress_file_by_file() -> None:
    seen: list[tuple[int, int]] = []
    content = zipped(
        {
            "activities/1.fit": fit_file(fit_session(START)),
            "photos/1.jpg": b"not read",
            "activities/2.gpx": gpx_line(START + dt.timedelta(days=1)),
            "activities/3.fit": fit_file(fit_session(START + dt.timedelta(days=2))),
        }
    )

    parsed = parse("export.zip", content, progress=lambda done, total: seen.append((done, total)))

    assert len(parsed.activities) == 3
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_a_csv_tells_progress_every_few_hundred_rows_and_ends_at_the_total() -> None:
    seen: list[tuple[int, int]] = []
    content = long_strava_csv(600, start=START, description_chars=0)

    parsed = parse("activities.csv", content, progress=lambda done, total: seen.append((done, total)))

    assert len(parsed.activities) == 600
    assert [done for done, _ in seen] == [257, 513, 601]  # lines read: the header is line 1
    assert {total for _, total in seen} == {601}


def test_a_zip_with_activities_csv_tells_the_csvs_progress() -> None:
    seen: list[tuple[int, int]] = []
    parse(
        "export.zip",
        zipped({"activities.csv": strava_csv()}),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(5, 5)]
