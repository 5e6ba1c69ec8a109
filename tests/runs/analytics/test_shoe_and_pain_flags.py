"""``shoe_nearing`` / ``shoe_worn`` and ``pain_flare`` (docs/analytics.md#shoe-flags,
docs/analytics.md#pain-flare-up), and the order of flags."""

from __future__ import annotations

import pytest

from runs.analytics import FLAG_ORDER, RunRecord, ShoeRecord, analyse_runs
from tests.runs.analytics.build import miles, run, shoe, walk


def shoe_flags(runs: list[RunRecord], shoes: dict[int, ShoeRecord]) -> list[tuple[str, ...]]:
    analyses = analyse_runs(runs, shoes)
    return [tuple(f for f in analyses[r.id].flags if f.startswith("shoe_")) for r in runs]


# shoes ------------------------------------------------------------------------------


def test_nearing_from_exactly_80_percent_and_worn_from_exactly_100() -> None:
    pair = {1: shoe(1, initial=100.0, threshold=1_000.0)}
    runs = [
        run("2024-05-01", 600.0, shoe=1),  # starts at 100 (10 %)
        run("2024-05-02", 100.0, shoe=1),  # 700 (70 %)
        run("2024-05-03", 99.5, shoe=1),  # 800: exactly 80 %
        run("2024-05-04", 100.0, shoe=1),  # 899.5
        run("2024-05-05", 100.0, shoe=1),  # 999.5: still only nearing
        run("2024-05-06", 10.0, shoe=1),  # 1099.5: worn
    ]
    assert shoe_flags(runs, pair) == [
        (),
        (),
        ("shoe_nearing",),
        ("shoe_nearing",),
        ("shoe_nearing",),
        ("shoe_worn",),
    ]


def test_just_under_80_percent_is_not_nearing_and_exactly_100_is_worn() -> None:
    pair = {1: shoe(1, threshold=1_000.0)}
    runs = [
        run("2024-05-01", 799.99, shoe=1),
        run("2024-05-02", 200.01, shoe=1),
        run("2024-05-03", 5.0, shoe=1),
    ]
    analyses = analyse_runs(runs, pair)
    assert [analyses[r.id].flags for r in runs] == [(), (), ("shoe_worn",)]
    assert analyses[runs[2].id].evidence["shoe_worn"] == {
        "shoe_id": 1,
        "shoe_name": "Pair 1",
        "shoe_distance_m": 1_000.0,
        "threshold_m": 1_000.0,
        "wear_pct": 100.0,
    }


def test_the_odometer_is_exact_on_distances_typed_in_miles() -> None:
    # 7 mi on the pair when added, then a 1.5 mi walk: 8.5 mi, its whole replacement
    # distance. Added in binary floats the two come to a hair under 8.5 mi.
    initial, walked, threshold = miles("7"), miles("1.5"), miles("8.5")
    assert initial + walked < threshold
    pair = {1: shoe(1, initial=initial, threshold=threshold)}
    runs = [walk("2024-05-01", walked, shoe=1), run("2024-05-02", miles("3"), shoe=1)]
    assert shoe_flags(runs, pair) == [("shoe_nearing",), ("shoe_worn",)]


def test_runs_starting_at_the_same_instant_do_not_count_each_other() -> None:
    pair = {1: shoe(1, initial=500.0, threshold=1_000.0)}
    together = [run("2024-05-01T07:00", 300.0, shoe=1), run("2024-05-01T07:00", 200.0, shoe=1)]
    later = run("2024-05-01T07:01", 1.0, shoe=1)
    analyses = analyse_runs([*together, later], pair)
    # Both start at 500 (50 %): neither sees the other's distance.
    assert [analyses[r.id].flags for r in together] == [(), ()]
    assert analyses[later.id].evidence["shoe_worn"]["shoe_distance_m"] == 1_000.0


def test_walks_wear_shoes_and_get_their_flags() -> None:
    pair = {1: shoe(1, threshold=1_000.0)}
    runs = [walk("2024-05-01", 850.0, shoe=1), walk("2024-05-02", 100.0, shoe=1)]
    assert shoe_flags(runs, pair) == [(), ("shoe_nearing",)]


def test_the_odometer_follows_start_times_not_list_order() -> None:
    pair = {1: shoe(1, threshold=1_000.0)}
    runs = [run("2024-05-03", 10.0, shoe=1), run("2024-05-01", 900.0, shoe=1)]
    assert shoe_flags(runs, pair) == [("shoe_nearing",), ()]


def test_other_pairs_unknown_pairs_and_no_pair_get_no_shoe_flag() -> None:
    pairs = {1: shoe(1, initial=2_000.0, threshold=1_000.0), 2: shoe(2, threshold=1_000.0)}
    runs = [
        run("2024-05-01", 100.0, shoe=1),
        run("2024-05-02", 100.0, shoe=2),
        run("2024-05-03", 100.0, shoe=99),
        run("2024-05-04", 100.0),
    ]
    assert shoe_flags(runs, pairs) == [("shoe_worn",), (), (), ()]


# pain -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "morning", "rules"),
    [
        (2, 4, None, ["after_minus_before"]),
        (2, 3, None, None),
        (0, 5, None, ["after_minus_before"]),  # 5 is not above 5
        (5, 6, None, ["after_over_5"]),
        (6, 6, None, None),  # above 5 but not above pain before
        (7, 6, None, None),
        (2, 2, 4, ["next_morning_minus_before"]),
        (2, 2, 3, None),
        (1, None, 3, ["next_morning_minus_before"]),
        (3, 8, 5, ["after_minus_before", "after_over_5", "next_morning_minus_before"]),
        # A rule needing a score that was not recorded does not hold.
        (None, 9, None, None),
        (None, 9, 9, None),
        (None, None, None, None),
        (4, None, None, None),
    ],
)
def test_pain_flare_rules(
    before: int | None, after: int | None, morning: int | None, rules: list[str] | None
) -> None:
    record = run("2024-05-01", 5_000.0, before=before, after=after, morning=morning)
    evidence = analyse_runs([record], {})[record.id].evidence.get("pain_flare")
    if rules is None:
        assert evidence is None
    else:
        assert evidence == {
            "pain_before": before,
            "pain_after": after,
            "pain_next_morning": morning,
            "rules": rules,
        }


def test_walks_can_be_pain_flares() -> None:
    record = walk("2024-05-01", 3_000.0, before=1, after=4)
    assert analyse_runs([record], {})[record.id].flags == ("pain_flare",)


def test_flags_come_in_the_fixed_order_with_their_evidence() -> None:
    pair = {1: shoe(1, initial=2_000.0, threshold=1_000.0)}
    earlier = run("2024-05-08", 5_000.0)
    record = run("2024-05-20", 12_000.0, shoe=1, before=2, after=6)
    analysis = analyse_runs([earlier, record], pair)[record.id]
    assert analysis.flags == ("long_run_spike", "weekly_increase", "shoe_worn", "pain_flare")
    assert list(analysis.evidence) == list(analysis.flags)
    assert analysis.spike_band == "large"
    assert [kind for kind in FLAG_ORDER if kind in analysis.flags] == list(analysis.flags)
