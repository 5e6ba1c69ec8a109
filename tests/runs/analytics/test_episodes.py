"""Flare-up episodes (docs/analytics.md#flare-up-episodes): flare days, the 3-day gap, peaks."""

from __future__ import annotations

import datetime as dt

from runs.analytics import RunAnalysis, analyse_runs, checkin_flares, episodes, flare_ups
from tests.runs.analytics.build import checkin, run, walk


def analysis(*flags: str, rules: list[str] | None = None) -> RunAnalysis:
    evidence = {"pain_flare": {"rules": rules or ["after_minus_before"]}} if "pain_flare" in flags else {}
    return RunAnalysis(flags=flags, spike_band=None, acwr=None, evidence=evidence)


def test_a_gap_of_three_days_continues_an_episode_and_four_days_start_a_new_one() -> None:
    runs = [
        run("2024-05-01", 5_000.0, before=1, after=4, id="a"),
        run("2024-05-04", 5_000.0, before=1, after=6, id="b"),  # 3 days later: same episode
        run("2024-05-08", 5_000.0, before=1, after=5, id="c"),  # 4 days later: a new one
        run("2024-05-09", 5_000.0, before=1, after=1, id="d"),  # no flare-up
    ]
    analyses = {
        "a": analysis("pain_flare"),
        "b": analysis("pain_flare"),
        "c": analysis("pain_flare"),
        "d": analysis(),
    }
    found = episodes(flare_ups(runs, analyses, [], []))
    assert [(e.start, e.end, e.runs, e.peak) for e in found] == [
        (dt.date(2024, 5, 1), dt.date(2024, 5, 4), ("a", "b"), 6),
        (dt.date(2024, 5, 8), dt.date(2024, 5, 8), ("c",), 5),
    ]
    assert found[0].flare_days == (dt.date(2024, 5, 1), dt.date(2024, 5, 4))


def test_next_morning_pain_alone_counts_on_the_day_after() -> None:
    runs = [
        run("2024-05-01", 5_000.0, before=1, after=1, morning=5, id="a"),
        walk("2024-05-06", 3_000.0, before=1, after=4, id="w"),  # walks flare up too
    ]
    analyses = {"a": analysis("pain_flare", rules=["next_morning_minus_before"]), "w": analysis("pain_flare")}
    flares = flare_ups(runs, analyses, [], [])
    assert [flare.local_date for flare in flares] == [dt.date(2024, 5, 2), dt.date(2024, 5, 6)]
    # 2 May to 6 May is 4 days: two episodes; the morning's 5 is the peak.
    found = episodes(flares)
    assert [(e.start, e.peak) for e in found] == [(dt.date(2024, 5, 2), 5), (dt.date(2024, 5, 6), 4)]


def test_check_in_flares_join_the_episodes_of_runs() -> None:
    runs = [run("2024-05-01T07:00", 5_000.0, before=2, after=5, id="r")]
    checkins = [
        checkin("2024-04-28", 2, id="c0"),
        checkin("2024-04-29", 2, id="c1"),
        checkin("2024-04-30", 2, id="c2"),
        checkin("2024-05-02", 7, id="c3"),  # a flare: 2 + the median of 2
        checkin("2024-05-03", 2, id="c4"),
    ]
    flare_ids = checkin_flares(checkins, runs)
    assert set(flare_ids) == {"c3"}
    found = episodes(flare_ups(runs, analyse_runs(runs, {}), checkins, flare_ids))
    assert len(found) == 1
    assert (found[0].runs, found[0].checkins, found[0].peak) == (("r",), ("c3",), 7)


def test_no_flare_ups_no_episodes() -> None:
    runs = [run("2024-05-01", 5_000.0, before=1, after=1, id="a")]
    assert episodes(flare_ups(runs, {"a": analysis()}, [], [])) == []
