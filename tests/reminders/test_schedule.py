"""When reminders go out: local times in any zone, the days clocks change, quiet hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from reminders.schedule import (
    MAX_LATENESS,
    Timing,
    backoff,
    days_due,
    fire_at,
    in_quiet_hours,
    local_instant,
    out_of_quiet_hours,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC
# 2026: Europe springs forward on 29 March (02:00 → 03:00) and falls back on 25 October
# (03:00 → 02:00); the United States on 8 March and 1 November (at 02:00).
SPRING, AUTUMN = dt.date(2026, 3, 29), dt.date(2026, 10, 25)


def t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def timing(at: str, zone: ZoneInfo = BERLIN, quiet: tuple[str, str] = ("22:00", "07:00")) -> Timing:
    return Timing(t(at), t(quiet[0]), t(quiet[1]), zone)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (SPRING - dt.timedelta(days=1), "2026-03-28T06:30"),  # CET, UTC+1
        (SPRING, "2026-03-29T05:30"),  # CEST from 02:00 that night, UTC+2
        (AUTUMN - dt.timedelta(days=1), "2026-10-24T05:30"),
        (AUTUMN, "2026-10-25T06:30"),  # back to CET
    ],
)
def test_0730_in_berlin_around_the_clock_changes(day: dt.date, expected: str) -> None:
    assert fire_at(day, timing("07:30")) == utc(expected)


def test_0730_in_new_york_on_its_own_change_days() -> None:
    assert fire_at(dt.date(2026, 3, 8), timing("07:30", NEW_YORK)) == utc("2026-03-08T11:30")  # EDT
    assert fire_at(dt.date(2026, 11, 1), timing("07:30", NEW_YORK)) == utc("2026-11-01T12:30")  # EST


def test_a_time_the_spring_change_skips_moves_forward() -> None:
    instant = local_instant(SPRING, t("02:30"), BERLIN)
    assert instant == utc("2026-03-29T01:30")
    assert instant.astimezone(BERLIN).time() == t("03:30")


def test_a_time_the_autumn_change_repeats_is_its_first_occurrence() -> None:
    instant = local_instant(AUTUMN, t("02:30"), BERLIN)
    assert instant == utc("2026-10-25T00:30")  # 02:30 CEST, before the clocks go back
    assert instant.astimezone(BERLIN).utcoffset() == dt.timedelta(hours=2)


@pytest.mark.parametrize(
    ("at", "start", "end", "quiet"),
    [
        ("23:00", "22:00", "07:00", True),
        ("22:00", "22:00", "07:00", True),  # the start is quiet
        ("00:00", "22:00", "07:00", True),  # across midnight
        ("06:59", "22:00", "07:00", True),
        ("07:00", "22:00", "07:00", False),  # the end is not
        ("12:00", "22:00", "07:00", False),
        ("13:30", "13:00", "14:00", True),  # an afternoon nap
        ("12:59", "13:00", "14:00", False),
        ("23:30", "13:00", "14:00", False),
        ("03:00", "07:00", "07:00", False),  # the same time twice: no quiet hours
    ],
)
def test_quiet_hours(at: str, start: str, end: str, quiet: bool) -> None:
    assert in_quiet_hours(t(at), t(start), t(end)) is quiet


def test_a_reminder_time_inside_quiet_hours_waits_for_their_end() -> None:
    day = dt.date(2026, 6, 10)
    # Early: later the same morning.
    assert fire_at(day, timing("06:00")) == utc("2026-06-10T05:00")  # 07:00 CEST
    # Late in the evening, with quiet hours across midnight: the next morning.
    assert fire_at(day, timing("23:15")) == utc("2026-06-11T05:00")
    # Quiet hours within a day.
    assert fire_at(day, timing("13:30", quiet=("13:00", "14:00"))) == utc("2026-06-10T12:00")


def test_a_retry_inside_quiet_hours_waits_for_morning() -> None:
    night = utc("2026-06-10T21:10")  # 23:10 in Berlin
    assert out_of_quiet_hours(night, timing("08:00")) == utc("2026-06-11T05:00")
    early = utc("2026-06-11T03:00")  # 05:00 in Berlin
    assert out_of_quiet_hours(early, timing("08:00")) == utc("2026-06-11T05:00")
    day = utc("2026-06-11T10:00")
    assert out_of_quiet_hours(day, timing("08:00")) == day


def ticks(
    start: dt.datetime, end: dt.datetime, every: dt.timedelta = dt.timedelta(minutes=1)
) -> list[dt.datetime]:
    out, now = [], start
    while now < end:
        out.append(now)
        now += every
    return out


def made_by_ticking(
    tick_times: list[dt.datetime], when: Timing, through: dt.date | None
) -> list[tuple[dt.date, dt.datetime]]:
    """(date, tick) for each date a worker ticking at ``tick_times`` would make, for a user
    scanned ``through`` a date."""
    made = []
    for now in tick_times:
        days, new_through = days_due(now, when, through)
        made += [(day, now) for day in days]
        if new_through is not None:
            through = new_through
    return made


@pytest.mark.parametrize("around", [SPRING, AUTUMN])
def test_each_day_once_at_its_time_through_a_week_with_a_clock_change(around: dt.date) -> None:
    when = timing("07:30")
    start = dt.datetime.combine(around - dt.timedelta(days=3), dt.time(12), tzinfo=UTC)
    made = made_by_ticking(ticks(start, start + dt.timedelta(days=7)), when, start.date())
    days = [day for day, _ in made]
    assert days == sorted(set(days))  # once each
    assert len(days) == 7
    for day, tick in made:
        assert tick == fire_at(day, when)  # at the first tick after its time
        assert tick.astimezone(BERLIN).time() == t("07:30")


def test_a_time_in_the_repeated_autumn_hour_goes_out_once() -> None:
    when = timing("02:30", quiet=("00:00", "00:00"))
    start = dt.datetime(2026, 10, 24, 20, tzinfo=UTC)
    made = made_by_ticking(ticks(start, start + dt.timedelta(hours=12)), when, start.date())
    assert made == [(AUTUMN, utc("2026-10-25T00:30"))]


def test_a_time_the_spring_change_skips_goes_out_once_after_the_gap() -> None:
    when = timing("02:30", quiet=("00:00", "00:00"))
    start = dt.datetime(2026, 3, 28, 20, tzinfo=UTC)
    made = made_by_ticking(ticks(start, start + dt.timedelta(hours=12)), when, start.date())
    assert made == [(SPRING, utc("2026-03-29T01:30"))]  # 03:30 CEST


def test_a_reminder_held_past_midnight_by_quiet_hours_goes_out_next_morning() -> None:
    when = timing("23:15")
    start = dt.datetime(2026, 6, 10, 12, tzinfo=UTC)
    made = made_by_ticking(ticks(start, start + dt.timedelta(days=1)), when, dt.date(2026, 6, 9))
    assert made == [(dt.date(2026, 6, 10), utc("2026-06-11T05:00"))]


def test_a_day_long_missed_is_passed_over_not_sent_in_the_evening() -> None:
    when = timing("07:30")
    late = fire_at(dt.date(2026, 6, 10), when) + MAX_LATENESS + dt.timedelta(minutes=1)
    days, through = days_due(late, when, dt.date(2026, 6, 9))
    assert days == []
    assert through == dt.date(2026, 6, 10)
    # A little late (the worker was restarted): still sent.
    days, _ = days_due(fire_at(dt.date(2026, 6, 10), when) + dt.timedelta(hours=2), when, dt.date(2026, 6, 9))
    assert days == [dt.date(2026, 6, 10)]


def test_zones_far_apart_get_their_own_mornings() -> None:
    now = utc("2026-06-10T18:00")
    # 07:30 in Kiritimati (UTC+14) on 11 June is 17:30 UTC on the 10th: due.
    assert days_due(now, timing("07:30", ZoneInfo("Pacific/Kiritimati")), dt.date(2026, 6, 10))[0] == [
        dt.date(2026, 6, 11)
    ]
    # In Honolulu (UTC−10) it is 08:00 on the 10th: the 10th is due.
    assert days_due(now, timing("07:30", ZoneInfo("Pacific/Honolulu")), dt.date(2026, 6, 9))[0] == [
        dt.date(2026, 6, 10)
    ]
    # In Kolkata (UTC+5:30) it is 23:30: quiet hours, nothing new.
    assert days_due(now, timing("07:30", ZoneInfo("Asia/Kolkata")), dt.date(2026, 6, 10))[0] == []


def test_backoff_grows() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [dt.timedelta(minutes=m) for m in (1, 4, 16, 64)]


def test_a_new_user_gets_todays_reminders_if_their_time_passed_this_morning() -> None:
    when = timing("07:30")
    days, through = days_due(utc("2026-06-10T10:00"), when, None)  # 12:00 in Berlin
    assert days == [dt.date(2026, 6, 10)]
    assert through == dt.date(2026, 6, 10)
