"""The questionnaires (docs/analytics.md#questionnaires): their items, ranges, schedules, scoring and what
counts as a change patients notice. Pure functions over plain values: no ORM in here.

Scores compare exactly (fractions, not floats): a boundary such as "30 % of the first
score" must not move by a rounding error (0.3 × 10 is 3.0000000000000004 in floats).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

RMDQ, PSFS, PAIN_7D = "rmdq", "psfs", "pain_7d"
KEYS = (RMDQ, PSFS, PAIN_7D)

SCHEDULE_DAYS: dict[str, int | None] = {"off": None, "weekly": 7, "2w": 14, "4w": 28}
SCHEDULE_LABELS = {"off": "Off", "weekly": "Weekly", "2w": "Every 2 weeks", "4w": "Every 4 weeks"}

PSFS_MIN_ACTIVITIES, PSFS_MAX_ACTIVITIES = 1, 5
PSFS_ACTIVITY_MAX_LENGTH = 100
SCORE_MIN, SCORE_MAX = 0, 10  # a PSFS activity, and the 7-day pain

# The published form (Roland & Morris 1983, as reproduced in Roland & Fairbank 2000),
# word for word, in its order: the answers are a list of 24 ticks in this order.
RMDQ_INSTRUCTIONS = (
    "When your back hurts, you may find it difficult to do some of the things you normally do. "
    "This list contains some sentences that people have used to describe themselves when they "
    "have back pain. When you read them, you may find that some stand out because they describe "
    "you today. As you read the list, think of yourself today. When you read a sentence that "
    "describes you today, put a tick against it. If the sentence does not describe you, then "
    "leave the space blank and go on to the next one. Remember, only tick the sentence if you "
    "are sure it describes you today."
)
RMDQ_ITEMS = (
    "I stay at home most of the time because of my back.",
    "I change position frequently to try and get my back comfortable.",
    "I walk more slowly than usual because of my back.",
    "Because of my back I am not doing any of the jobs that I usually do around the house.",
    "Because of my back, I use a handrail to get upstairs.",
    "Because of my back, I lie down to rest more often.",
    "Because of my back, I have to hold on to something to get out of an easy chair.",
    "Because of my back, I try to get other people to do things for me.",
    "I get dressed more slowly than usual because of my back.",
    "I only stand for short periods of time because of my back.",
    "Because of my back, I try not to bend or kneel down.",
    "I find it difficult to get out of a chair because of my back.",
    "My back is painful almost all the time.",
    "I find it difficult to turn over in bed because of my back.",
    "My appetite is not very good because of my back pain.",
    "I have trouble putting on my socks (or stockings) because of the pain in my back.",
    "I only walk short distances because of my back.",
    "I sleep less well because of my back.",
    "Because of my back pain, I get dressed with help from someone else.",
    "I sit down for most of the day because of my back.",
    "I avoid heavy jobs around the house because of my back.",
    "Because of my back pain, I am more irritable and bad tempered with people than usual.",
    "Because of my back, I go upstairs more slowly than usual.",
    "I stay in bed most of the time because of my back.",
)
PSFS_INSTRUCTIONS = (
    "Name up to five activities that your back makes hard to do, or stops you doing "
    "(for example “run 10 km” or “sit through a film”). Rate how well you can do each "
    "one today: 0 = unable to do it, 10 = able to do it as before your back problem."
)
PSFS_ITEMS = tuple(f"Activity {n}: 0 (unable to do it) to 10 (as before)" for n in range(1, 6))
PAIN_7D_PROMPT = "Your average back pain over the last 7 days: 0 (no pain) to 10 (worst imaginable)."


@dataclass(frozen=True)
class Instrument:
    key: str
    title: str
    short: str  # as a score is named in a sentence: "RMDQ 12 → 6"
    items: tuple[str, ...]
    instructions: str
    minimum: int
    maximum: int
    #: points on the score (for RMDQ, also 30 % of the first score; for PSFS also 3
    #: points on one activity)
    meaningful_change: int
    default_schedule: str
    higher_is_better: bool
    source: str
    meaningful_source: str


INSTRUMENTS: dict[str, Instrument] = {
    RMDQ: Instrument(
        key=RMDQ,
        title="Roland-Morris Disability Questionnaire",
        short="RMDQ",
        items=RMDQ_ITEMS,
        instructions=RMDQ_INSTRUCTIONS,
        minimum=0,
        maximum=24,
        meaningful_change=5,
        default_schedule="weekly",
        higher_is_better=False,
        source=(
            "Roland M, Morris R. A study of the natural history of back pain. Part I: development of a "
            "reliable and sensitive measure of disability in low-back pain. Spine 1983;8:141–144. "
            "Reproduced in its published form (which needs no permission) from Roland M, Fairbank J. "
            "The Roland-Morris Disability Questionnaire and the Oswestry Disability Questionnaire. "
            "Spine 2000;25:3115–3124."
        ),
        meaningful_source=(
            "Ostelo RWJG et al. Interpreting change scores for pain and functional status in low back "
            "pain: towards international consensus regarding minimal important change. Spine 2008;33:90–94."
        ),
    ),
    PSFS: Instrument(
        key=PSFS,
        title="Patient-Specific Functional Scale",
        short="PSFS",
        items=PSFS_ITEMS,
        instructions=PSFS_INSTRUCTIONS,
        minimum=0,
        maximum=10,
        meaningful_change=2,
        default_schedule="2w",
        higher_is_better=True,
        source=(
            "Stratford P, Gill C, Westaway M, Binkley J. Assessing disability and change on individual "
            "patients: a report of a patient specific measure. Physiotherapy Canada 1995;47:258–263."
        ),
        meaningful_source="Stratford et al. 1995: 2 points on the mean score, 3 points on one activity.",
    ),
    PAIN_7D: Instrument(
        key=PAIN_7D,
        title="Average back pain, last 7 days",
        short="Pain (7 days)",
        items=(PAIN_7D_PROMPT,),
        instructions=PAIN_7D_PROMPT,
        minimum=0,
        maximum=10,
        meaningful_change=2,
        default_schedule="weekly",
        higher_is_better=False,
        source=(
            "Chiarotto A et al. Core outcome measurement instruments for clinical trials in nonspecific "
            "low back pain. Pain 2018;159:481–495 (pain intensity on a 0–10 numeric rating scale)."
        ),
        meaningful_source="Ostelo et al. 2008: 2 points on a 0–10 pain scale.",
    ),
}

RMDQ_RELATIVE_CHANGE = Fraction(3, 10)  # 30 % of the first score (Ostelo et al. 2008)
PSFS_ACTIVITY_CHANGE = 3


class InvalidAnswers(ValueError):
    """The answers do not fit the questionnaire; the message says how."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _rating(value: Any, what: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not _is_int(value) or not SCORE_MIN <= value <= SCORE_MAX:
        raise InvalidAnswers(f"{what}: a whole number from {SCORE_MIN} to {SCORE_MAX}.")
    return value


def clean_answers(key: str, answers: Any) -> Any:
    """The answers in their stored form, or :class:`InvalidAnswers`.

    ``rmdq``: 24 booleans, in item order. ``psfs``: 1–5 ``{"activity", "score"}`` with
    different activities. ``pain_7d``: ``{"score"}``. Nothing else is taken.
    """
    if key == RMDQ:
        if not isinstance(answers, list) or len(answers) != len(RMDQ_ITEMS):
            raise InvalidAnswers(f"The RMDQ takes {len(RMDQ_ITEMS)} answers, true or false, in item order.")
        if not all(isinstance(answer, bool) for answer in answers):
            raise InvalidAnswers("Each RMDQ answer is true (ticked) or false.")
        return list(answers)
    if key == PSFS:
        if not isinstance(answers, list) or not PSFS_MIN_ACTIVITIES <= len(answers) <= PSFS_MAX_ACTIVITIES:
            raise InvalidAnswers(f"Rate {PSFS_MIN_ACTIVITIES} to {PSFS_MAX_ACTIVITIES} activities.")
        cleaned, seen = [], set()
        for number, answer in enumerate(answers, start=1):
            if not isinstance(answer, dict) or set(answer) != {"activity", "score"}:
                raise InvalidAnswers(f"Activity {number}: give exactly an activity and a score.")
            activity = answer["activity"]
            if not isinstance(activity, str) or not activity.strip():
                raise InvalidAnswers(f"Activity {number}: name the activity.")
            activity = " ".join(activity.split())
            if len(activity) > PSFS_ACTIVITY_MAX_LENGTH:
                raise InvalidAnswers(
                    f"Activity {number}: at most {PSFS_ACTIVITY_MAX_LENGTH} characters (it has {len(activity)})."
                )
            if activity.casefold() in seen:
                raise InvalidAnswers(f"Activity {number}: “{activity}” is listed twice.")
            seen.add(activity.casefold())
            cleaned.append({"activity": activity, "score": _rating(answer["score"], f"Activity {number}")})
        return cleaned
    if key == PAIN_7D:
        if not isinstance(answers, dict) or set(answers) != {"score"}:
            raise InvalidAnswers('The 7-day pain takes {"score": 0 to 10}.')
        return {"score": _rating(answers["score"], "Pain")}
    raise InvalidAnswers(f"No questionnaire called {key!r}.")


def exact_score(key: str, answers: Any) -> Fraction:
    """The score of clean answers, exactly: RMDQ the number ticked (0–24), PSFS the mean
    of the activities (0–10), the 7-day pain its score (0–10)."""
    if key == RMDQ:
        return Fraction(sum(1 for answer in answers if answer))
    if key == PSFS:
        return Fraction(sum(answer["score"] for answer in answers), len(answers))
    if key == PAIN_7D:
        return Fraction(answers["score"])
    raise InvalidAnswers(f"No questionnaire called {key!r}.")


def score(key: str, answers: Any) -> float:
    return float(exact_score(key, answers))


@dataclass(frozen=True)
class Change:
    """A score against the first one of the same questionnaire."""

    first: Fraction
    current: Fraction
    meaningful: bool
    #: which rule made it meaningful: "points", "relative" (RMDQ: 30 % of the first
    #: score), "activity" (PSFS: one activity by 3 points); "" when not meaningful
    rule: str = ""
    activity: str = ""

    @property
    def difference(self) -> Fraction:
        return self.current - self.first


def change(key: str, first_answers: Any, answers: Any) -> Change:
    """How ``answers`` differ from ``first_answers`` (both clean), and whether the
    difference is one patients notice, better or worse (docs/analytics.md#meaningful-change)."""
    instrument = INSTRUMENTS[key]
    first, current = exact_score(key, first_answers), exact_score(key, answers)
    size = abs(current - first)
    if size >= instrument.meaningful_change:
        return Change(first, current, True, "points")
    if key == RMDQ and first > 0 and size >= RMDQ_RELATIVE_CHANGE * first:
        return Change(first, current, True, "relative")
    if key == PSFS:
        before = {answer["activity"].casefold(): answer["score"] for answer in first_answers}
        for answer in answers:
            earlier = before.get(answer["activity"].casefold())
            if earlier is not None and abs(answer["score"] - earlier) >= PSFS_ACTIVITY_CHANGE:
                return Change(first, current, True, "activity", answer["activity"])
    return Change(first, current, False)


def meaningful_threshold(key: str, first: float) -> float:
    """The smallest change from ``first`` that counts as meaningful on the score itself
    (the line drawn on the chart): for the RMDQ the smaller of 5 points and 30 %."""
    instrument = INSTRUMENTS[key]
    if key == RMDQ and first > 0:
        return min(float(instrument.meaningful_change), float(RMDQ_RELATIVE_CHANGE * Fraction(first)))
    return float(instrument.meaningful_change)


def format_score(key: str, value: Fraction | float) -> str:
    """As a person writes it: whole scores whole, the PSFS mean with one decimal."""
    if key == PSFS:
        return f"{float(value):.1f}"
    return f"{float(value):g}"


def _points(value: Fraction) -> str:
    number = float(value)
    text = f"{number:.1f}".rstrip("0").rstrip(".") if not number.is_integer() else f"{number:.0f}"
    return f"{text} point" + ("" if number == 1 else "s")


def describe_change(key: str, result: Change) -> str:
    """The change in words: "RMDQ 12 → 6: 6 points better, a change patients notice (≥ 5)"."""
    instrument = INSTRUMENTS[key]
    head = f"{instrument.short} {format_score(key, result.first)} → {format_score(key, result.current)}"
    if result.difference == 0:
        return f"{head}: no change"
    better = (result.difference > 0) == instrument.higher_is_better
    direction = "better" if better else "worse"
    size = _points(abs(result.difference))
    if result.rule == "points":
        why = f"≥ {instrument.meaningful_change}"
    elif result.rule == "relative":
        why = "≥ 30 % of the first score"
    elif result.rule == "activity":
        why = f"{PSFS_ACTIVITY_CHANGE} points or more on “{result.activity}”"
    else:
        rule = f"{instrument.meaningful_change} points"
        if key == RMDQ:
            rule += " or 30 % of the first score"
        elif key == PSFS:
            rule += f" on the mean, or {PSFS_ACTIVITY_CHANGE} on one activity"
        return f"{head}: {size} {direction}, less than a change patients notice ({rule})"
    return f"{head}: {size} {direction}, a change patients notice ({why})"


def due_on(schedule: str, last_answered: dt.date | None, today: dt.date) -> dt.date | None:
    """When the next answer is due: today when never answered, else the interval after
    the last answer (a local date); None when the schedule is off."""
    days = SCHEDULE_DAYS[schedule]
    if days is None:
        return None
    if last_answered is None:
        return today
    return last_answered + dt.timedelta(days=days)


def previous_activities(answers: Sequence[dict[str, Any]] | None) -> list[str]:
    """The activities of a PSFS response, offered again the next time."""
    return [answer["activity"] for answer in answers or []]
