"""Scoring and meaningful change of the questionnaires (docs/analytics.md#questionnaires): pure functions."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical import instruments
from clinical.instruments import PAIN_7D, PSFS, RMDQ, InvalidAnswers, change, clean_answers, score


def rmdq(ticked: int) -> list[bool]:
    return [n < ticked for n in range(24)]


def psfs(*scores: int) -> list[dict[str, object]]:
    return [{"activity": f"activity {n}", "score": value} for n, value in enumerate(scores)]


def test_the_rmdq_is_the_published_24_items_in_order() -> None:
    items = instruments.INSTRUMENTS[RMDQ].items
    assert len(items) == 24
    assert items[0] == "I stay at home most of the time because of my back."
    assert items[12] == "My back is painful almost all the time."
    assert items[23] == "I stay in bed most of the time because of my back."
    assert len(set(items)) == 24


def test_rmdq_all_false_is_0_and_all_true_is_24() -> None:
    assert score(RMDQ, [False] * 24) == 0
    assert score(RMDQ, [True] * 24) == 24


@pytest.mark.parametrize("count", [0, 23, 25])
def test_rmdq_takes_exactly_24_answers(count: int) -> None:
    with pytest.raises(InvalidAnswers):
        clean_answers(RMDQ, [False] * count)


def test_rmdq_answers_are_booleans() -> None:
    with pytest.raises(InvalidAnswers):
        clean_answers(RMDQ, [0] * 24)


def test_psfs_with_one_activity_scores_it() -> None:
    assert score(PSFS, psfs(7)) == 7


def test_psfs_with_five_activities_scores_their_mean() -> None:
    assert score(PSFS, psfs(1, 2, 3, 4, 6)) == pytest.approx(3.2)


@pytest.mark.parametrize(
    "answers",
    [
        [],
        psfs(1, 2, 3, 4, 5, 6),
        psfs(11),
        psfs(-1),
        [{"activity": "x" * 101, "score": 3}],
        [{"activity": "  ", "score": 3}],
        [{"activity": "run", "score": 3}, {"activity": "Run", "score": 4}],
        [{"activity": "run", "score": 3, "extra": 1}],
        [{"activity": "run", "score": True}],
    ],
    ids=["none", "six", "eleven", "negative", "long-name", "blank", "twice", "extra-key", "boolean"],
)
def test_psfs_refuses(answers: object) -> None:
    with pytest.raises(InvalidAnswers):
        clean_answers(PSFS, answers)


def test_psfs_activity_names_are_tidied() -> None:
    assert clean_answers(PSFS, [{"activity": "  run   10 km ", "score": 4}]) == [
        {"activity": "run 10 km", "score": 4}
    ]


@pytest.mark.parametrize(
    "answers", [{"score": 11}, {"score": -1}, {}, {"score": 3, "x": 1}, [3], {"score": "3"}]
)
def test_pain_7d_refuses(answers: object) -> None:
    with pytest.raises(InvalidAnswers):
        clean_answers(PAIN_7D, answers)


# --- Meaningful change: the boundaries of Ostelo et al. 2008 and Stratford et al. 1995 ---


def test_rmdq_exactly_5_points_is_meaningful() -> None:
    assert change(RMDQ, rmdq(20), rmdq(15)).meaningful  # 25 % of 20: the points rule
    assert change(RMDQ, rmdq(20), rmdq(15)).rule == "points"


def test_rmdq_just_under_5_points_and_under_30_percent_is_not() -> None:
    assert not change(RMDQ, rmdq(20), rmdq(16)).meaningful  # 4 points, 20 %


def test_rmdq_exactly_30_percent_is_meaningful() -> None:
    result = change(RMDQ, rmdq(10), rmdq(7))  # 3 points = 30 % of 10 (0.3 × 10 is not 3 in floats)
    assert result.meaningful
    assert result.rule == "relative"


def test_rmdq_just_under_30_percent_is_not() -> None:
    assert not change(RMDQ, rmdq(11), rmdq(8)).meaningful  # 3 of 11 = 27 %


def test_rmdq_worse_is_meaningful_too() -> None:
    assert change(RMDQ, rmdq(2), rmdq(8)).meaningful


def test_rmdq_from_a_first_score_of_0_needs_5_points() -> None:
    assert not change(RMDQ, rmdq(0), rmdq(4)).meaningful
    assert change(RMDQ, rmdq(0), rmdq(5)).meaningful


def test_psfs_exactly_2_points_on_the_mean_is_meaningful() -> None:
    assert change(PSFS, psfs(3, 4), psfs(5, 6)).meaningful


def test_psfs_just_under_2_points_on_the_mean_is_not() -> None:
    # Mean 3.5 → 5.0: 1.5 points; no activity moved by 3.
    assert not change(PSFS, psfs(3, 4), psfs(5, 5)).meaningful


def test_psfs_3_points_on_one_activity_is_meaningful() -> None:
    result = change(PSFS, psfs(3, 4, 4), psfs(6, 4, 4))  # mean +1, one activity +3
    assert result.meaningful
    assert result.rule == "activity"
    assert result.activity == "activity 0"


def test_psfs_activity_rule_matches_names_whatever_their_case() -> None:
    first = [{"activity": "Run 10 km", "score": 2}, {"activity": "sit", "score": 5}]
    later = [{"activity": "run 10 km", "score": 5}, {"activity": "sit", "score": 5}]
    assert change(PSFS, first, later).meaningful


def test_pain_7d_2_points_is_meaningful_1_is_not() -> None:
    assert change(PAIN_7D, {"score": 6}, {"score": 4}).meaningful
    assert not change(PAIN_7D, {"score": 6}, {"score": 5}).meaningful


def test_the_change_in_words() -> None:
    assert (
        instruments.describe_change(RMDQ, change(RMDQ, rmdq(12), rmdq(6)))
        == "RMDQ 12 → 6: 6 points better, a change patients notice (≥ 5)"
    )
    assert instruments.describe_change(RMDQ, change(RMDQ, rmdq(10), rmdq(7))) == (
        "RMDQ 10 → 7: 3 points better, a change patients notice (≥ 30 % of the first score)"
    )
    assert instruments.describe_change(RMDQ, change(RMDQ, rmdq(12), rmdq(13))) == (
        "RMDQ 12 → 13: 1 point worse, less than a change patients notice (5 points or 30 % of the first score)"
    )
    assert instruments.describe_change(PSFS, change(PSFS, psfs(3), psfs(6))) == (
        "PSFS 3.0 → 6.0: 3 points better, a change patients notice (≥ 2)"
    )
    assert instruments.describe_change(PAIN_7D, change(PAIN_7D, {"score": 5}, {"score": 5})).endswith(
        "no change"
    )


@given(st.lists(st.booleans(), min_size=24, max_size=24), st.lists(st.booleans(), min_size=24, max_size=24))
def test_rmdq_meaningful_change_is_symmetric(first: list[bool], later: list[bool]) -> None:
    # Whether a change is noticed is decided on its size, better or worse; the 30 % is of the first.
    result = change(RMDQ, first, later)
    size, base = abs(sum(later) - sum(first)), sum(first)
    assert result.meaningful == (size >= 5 or (base > 0 and size * 10 >= 3 * base))


def test_due_dates_follow_the_schedule() -> None:
    today = dt.date(2026, 3, 10)
    assert instruments.due_on("off", None, today) is None
    assert instruments.due_on("weekly", None, today) == today
    assert instruments.due_on("weekly", dt.date(2026, 3, 5), today) == dt.date(2026, 3, 12)
    assert instruments.due_on("2w", dt.date(2026, 3, 5), today) == dt.date(2026, 3, 19)
    assert instruments.due_on("4w", dt.date(2026, 3, 5), today) == dt.date(2026, 4, 2)


def test_default_schedules() -> None:
    assert {key: i.default_schedule for key, i in instruments.INSTRUMENTS.items()} == {
        "rmdq": "weekly",
        "psfs": "2w",
        "pain_7d": "weekly",
    }
