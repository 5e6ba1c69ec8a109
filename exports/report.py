"""The clinician's report (docs/product.md#pdf-report): what a physiotherapist reads in two minutes.

:func:`report_for_user` gathers the figures of one period into a plain :class:`Report`
(reads only, through :mod:`exports.selectors` and :mod:`runs.selectors`); the same object
feeds the PDF (:mod:`exports.pdf`) and the shared HTML page, so the words both show (flag
labels, pattern figures, verdicts, the disclaimer) are here too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from backpainlog.accounts.selectors import local_today, profile_of, user_zone
from clinical import instruments
from clinical.selectors import responses_for_user, treatments_for_user
from exports.selectors import checkin_count, first_entry_date, red_flag_checkins, shoes_with_odometer
from runs import analytics, insights, selectors
from runs.analytics import DEFINITIONS, FLAG_KINDS, Definition
from runs.charts import long_date
from runs.models import BELOW_KNEE_REGIONS, PAIN_REGIONS, Run
from shoes import wear

# A physiotherapist usually wants the recent months: half a year unless asked otherwise.
DEFAULT_WEEKS = 26

DISCLAIMER = (
    "backpainlog keeps a record; it informs and does not diagnose. The flags and patterns "
    "below are counts and rules applied to the runner's own log, not proof of cause."
)

FLARE_KINDS = ("pain_flare", "checkin_flare")
SPIKE_KINDS = ("long_run_spike", "weekly_increase", "acwr_high")

#: The red flags (docs/analytics.md#red-flags) as a clinician reads them, in the third person.
RED_FLAG_WORDS = {
    "saddle_numbness": "numbness in the saddle area (groin or buttocks)",
    "bladder_bowel": "new trouble controlling the bladder or bowel",
    "leg_weakness": "new weakness in a leg",
}


# ------------------------------------------------------------------------------- period


def resolve_period(
    user: AbstractBaseUser, start: dt.date | None, end: dt.date | None, *, whole_log: bool = False
) -> tuple[dt.date, dt.date]:
    """Concrete dates for a requested ``start`` … ``end`` (either may be None).

    An open end is today (or ``start``, when that lies ahead); an open start is
    ``DEFAULT_WEEKS`` weeks before the end, or with ``whole_log`` the first entry of the
    log (a share link created without dates covers the whole log)."""
    today = local_today(user)
    end = end or max(today, start or today)
    if start is None:
        if whole_log:
            start = min(first_entry_date(user) or end, end)
        else:
            start = end - dt.timedelta(weeks=DEFAULT_WEEKS) + dt.timedelta(days=1)
    return start, end


# ------------------------------------------------------------------------------ the data


@dataclasses.dataclass(frozen=True, slots=True)
class Totals:
    runs: int
    walks: int
    run_distance_m: float
    walk_distance_m: float
    duration_s: int
    pain_before_avg: float | None
    pain_after_avg: float | None
    flare_ups: int
    checkins: int


@dataclasses.dataclass(frozen=True, slots=True)
class ShoeUse:
    """One pair's part in the period."""

    name: str
    first_use: dt.date
    last_use: dt.date
    sessions: int
    distance_m: float
    odometer_m: float  # at the end of the period
    threshold_m: float
    status: str  # shoes.wear's word at the end of the period ("retired" if retired by then)
    crossings: tuple[tuple[str, dt.date], ...]  # ("80 %" | "100 %", date) within the period

    @property
    def wear_pct(self) -> float:
        return self.odometer_m / self.threshold_m * 100


@dataclasses.dataclass(frozen=True, slots=True)
class RedFlag:
    """A check-in that recorded new symptoms needing a doctor the same day."""

    date: dt.date
    codes: tuple[str, ...]

    @property
    def words(self) -> list[str]:
        return [RED_FLAG_WORDS[code] for code in self.codes]


@dataclasses.dataclass(frozen=True, slots=True)
class Score:
    date: dt.date
    score: float
    answers: Any
    # Against the runner's very first response to the questionnaire (which may lie
    # before the period): the stored change in words; "" for the first itself.
    since_first: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class QuestionnaireScores:
    """One questionnaire's responses in the period, oldest first (at least one)."""

    instrument: instruments.Instrument
    scores: list[Score]

    @property
    def key(self) -> str:
        return self.instrument.key

    def change(self, score: Score) -> instruments.Change:
        """``score`` against the period's first response."""
        return instruments.change(self.key, self.scores[0].answers, score.answers)

    @property
    def heading(self) -> str:
        """ "Roland-Morris Disability Questionnaire (RMDQ)"; a title alone when its short
        name is a phrase ("Pain (7 days)")."""
        title, short = self.instrument.title, self.instrument.short
        return title if "(" in short else f"{title} ({short})"

    @property
    def first(self) -> Score:
        return self.scores[0]

    @property
    def latest(self) -> Score:
        return self.scores[-1]

    @property
    def since_first_text(self) -> str:
        """The latest score against the runner's first response, when that came before the
        period (the baseline a clinician asks about); "" otherwise."""
        return self.latest.since_first if self.first.since_first else ""

    @property
    def change_text(self) -> str:
        """ "RMDQ 12 → 6: 6 points better, a change patients notice (≥ 5)"; with a single
        response, its score alone."""
        if len(self.scores) == 1:
            return (
                f"{self.instrument.short} {instruments.format_score(self.key, self.first.score)} "
                f"on {long_date(self.first.date)}: one response in the period, nothing to compare yet."
            )
        return instruments.describe_change(self.key, self.change(self.latest))

    def score_text(self, score: Score) -> str:
        return f"{instruments.format_score(self.key, score.score)} / {self.instrument.maximum}"


@dataclasses.dataclass(frozen=True, slots=True)
class TreatmentItem:
    kind: str
    label: str  # "Medication: ibuprofen 400 mg"
    start: dt.date
    end: dt.date | None
    notes: str

    @property
    def dates(self) -> str:
        if self.end is None or self.end == self.start:
            return long_date(self.start)
        return f"{long_date(self.start)} – {long_date(self.end)}"


@dataclasses.dataclass(frozen=True, slots=True)
class Report:
    owner: str
    unit: str
    start: dt.date
    end: dt.date
    generated_at: dt.datetime  # in the owner's time zone
    totals: Totals
    trends: selectors.Trends
    flare_ups: list[insights.Flag]  # newest first
    spikes: list[insights.Flag]  # newest first
    shoes: list[ShoeUse]
    associations: list[analytics.Association]
    runs: list[Run]  # newest first, with ``shoe_distance_m``
    definitions: list[Definition]
    # For the key points: the period's flare-up episodes (oldest first), the days with
    # radiating leg pain, and every pain score with the date it was felt.
    episodes: list[analytics.Episode] = dataclasses.field(default_factory=list)
    radiating_days: list[dt.date] = dataclasses.field(default_factory=list)
    pain_scores: list[tuple[dt.date, int]] = dataclasses.field(default_factory=list)
    # docs/product.md#clinical-data-in-the-exports: the red flags recorded (oldest first), each questionnaire
    # answered in the period, how often each body-map region was marked (in PAIN_REGIONS order), the days
    # with pain below the knee, and the treatments under way in the period (oldest first).
    red_flags: list[RedFlag] = dataclasses.field(default_factory=list)
    questionnaires: list[QuestionnaireScores] = dataclasses.field(default_factory=list)
    regions: list[analytics.RegionCount] = dataclasses.field(default_factory=list)
    below_knee_days: list[dt.date] = dataclasses.field(default_factory=list)
    treatments: list[TreatmentItem] = dataclasses.field(default_factory=list)

    @property
    def treatment_marks(self) -> list[tuple[dt.date, str]]:
        """The treatments that began in the period, for the markers on the weekly chart."""
        return [(item.start, item.label) for item in self.treatments if item.start >= self.start]

    @property
    def regions_marked(self) -> bool:
        return any(count.total for count in self.regions)

    @property
    def region_rows(self) -> list[tuple[str, analytics.RegionCount, bool]]:
        """Each region's name and count, and whether it is below the knee (shown apart)."""
        return [
            (PAIN_REGIONS[count.region], count, count.region in BELOW_KNEE_REGIONS) for count in self.regions
        ]

    @property
    def period_label(self) -> str:
        return f"{long_date(self.start)} – {long_date(self.end)}"


def _mean(values: Iterable[int | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.fmean(present) if present else None


#: Who the report is about, on a shared page or PDF without a name to show.
NAMELESS_OWNER = "the runner"


def report_for_user(user: AbstractBaseUser, *, start: dt.date, end: dt.date, shared: bool = False) -> Report:
    """Everything the report shows for the local dates ``start`` … ``end``: a dozen
    queries whatever the length of the log (the patterns read the whole log once).

    ``shared`` (a share link): built from the shared period alone (the weekly rows too),
    and naming the runner by their name, or as "the runner": never by the sign-in name,
    which is half of what signing in takes."""
    unit = profile_of(user).distance_unit
    runs = list(selectors.runs_for_user(user, start=start, end=end))
    # The report is read by a clinician: the runner in the third person.
    flags = selectors.flags_for_user(user, start=start, end=end, reader="clinician")
    checkin_flares = sum(1 for flag in flags if flag.kind == "checkin_flare")
    totals = Totals(
        runs=sum(1 for run in runs if run.activity == Run.Activity.RUN),
        walks=sum(1 for run in runs if run.activity == Run.Activity.WALK),
        run_distance_m=sum(run.distance_m for run in runs if run.activity == Run.Activity.RUN),
        walk_distance_m=sum(run.distance_m for run in runs if run.activity == Run.Activity.WALK),
        duration_s=sum(run.duration_s or 0 for run in runs),
        pain_before_avg=_mean(run.pain_before for run in runs),
        pain_after_avg=_mean(run.pain_after for run in runs),
        flare_ups=sum(1 for run in runs if "pain_flare" in run.flags) + checkin_flares,
        checkins=checkin_count(user, start=start, end=end),
    )
    return Report(
        owner=(user.get_full_name().strip() or NAMELESS_OWNER) if shared else user.get_username(),
        unit=unit,
        start=start,
        end=end,
        generated_at=timezone.localtime(timezone.now(), user_zone(user)),
        totals=totals,
        trends=selectors.trends_for_user(user, **_chart_period(user, start, end), within_period=shared),
        flare_ups=[flag for flag in flags if flag.kind in FLARE_KINDS],
        spikes=[flag for flag in flags if flag.kind in SPIKE_KINDS],
        shoes=_shoe_uses(user, runs, flags, end),
        associations=selectors.associations_for_user(user, start=start, end=end),
        runs=runs,
        definitions=list(DEFINITIONS.values()),
        red_flags=[
            RedFlag(day, tuple(codes)) for day, codes in red_flag_checkins(user, start=start, end=end)
        ],
        questionnaires=_questionnaires(user, start, end),
        treatments=_treatments(user, start, end),
        **_pain_story(user, start, end),
    )


def _questionnaires(user: AbstractBaseUser, start: dt.date, end: dt.date) -> list[QuestionnaireScores]:
    """Each questionnaire answered in the period, in the app's order (one query)."""
    zone = user_zone(user)
    by_key: dict[str, list[Score]] = {}
    responses = responses_for_user(user, start=start, end=end).only(
        "questionnaire", "completed_at", "score", "answers", "change_text"
    )
    for response in reversed(list(responses)):  # oldest first
        by_key.setdefault(response.questionnaire, []).append(
            Score(
                timezone.localtime(response.completed_at, zone).date(),
                response.score,
                response.answers,
                response.change_text,
            )
        )
    return [
        QuestionnaireScores(instrument, by_key[key])
        for key, instrument in instruments.INSTRUMENTS.items()
        if key in by_key
    ]


def _treatments(user: AbstractBaseUser, start: dt.date, end: dt.date) -> list[TreatmentItem]:
    """The treatments under way in the period, oldest first (one query)."""
    zone = user_zone(user)
    items = []
    for treatment in reversed(list(treatments_for_user(user, start=start, end=end))):
        items.append(
            TreatmentItem(
                kind=treatment.kind,
                label=treatment.label,
                start=timezone.localtime(treatment.started_at, zone).date(),
                end=None
                if treatment.ended_at is None
                else timezone.localtime(treatment.ended_at, zone).date(),
                notes=" ".join(treatment.notes.split()),
            )
        )
    return items


def _pain_story(user: AbstractBaseUser, start: dt.date, end: dt.date) -> dict[str, list[Any]]:
    """The period's episodes, radiating days, pain scores, body-map regions and days with
    pain below the knee, from its stored records (two queries). Episodes are grouped from
    the period's flare-ups alone: the report is about the period."""
    low, high = selectors.local_day_bounds(user, start, end)
    runs, analyses, checkins, flares = selectors.stored_log(user, low, high)
    scores = [(run.local_date, score) for run in runs for score in (run.pain_before, run.pain_after)]
    # Next-morning pain is felt the day after the run.
    scores += [(run.local_date + dt.timedelta(days=1), run.pain_next_morning) for run in runs]
    scores += [(checkin.local_date, checkin.score) for checkin in checkins]
    marked = [*runs, *checkins]
    return {
        "regions": analytics.region_counts(runs, checkins, list(PAIN_REGIONS)),
        "below_knee_days": sorted(
            {entry.local_date for entry in marked if BELOW_KNEE_REGIONS.intersection(entry.pain_regions)}
        ),
        "episodes": analytics.episodes(analytics.flare_ups(runs, analyses, checkins, flares)),
        "radiating_days": sorted({checkin.local_date for checkin in checkins if checkin.radiating_leg_pain}),
        "pain_scores": sorted(
            (day, score) for day, score in scores if score is not None and start <= day <= end
        ),
    }


def _chart_period(user: AbstractBaseUser, start: dt.date, end: dt.date) -> dict[str, dt.date]:
    """The period the charts and the weekly table cover: the requested one, narrowed to
    the log's first entry and today, so that ``from=1900-01-01&to=2100-12-31`` does not
    draw ten thousand empty weeks."""
    first = first_entry_date(user)
    chart_start = max(start, first) if first and first <= end else start
    chart_end = max(chart_start, min(end, local_today(user)))
    return {"start": chart_start, "end": chart_end}


def _shoe_uses(
    user: AbstractBaseUser, runs: Sequence[Run], flags: Sequence[insights.Flag], end: dt.date
) -> list[ShoeUse]:
    """The pairs worn in the period, in order of first use, with their odometer and status
    at the end of the period (not today: the report is about the period)."""
    used: dict[int, list[Run]] = {}
    for run in reversed(runs):  # oldest first
        if run.shoe_id is not None:
            used.setdefault(run.shoe_id, []).append(run)
    if not used:
        return []
    odometers = shoes_with_odometer(user, list(used), end=end)
    crossings: dict[int, list[tuple[str, dt.date]]] = {}
    for flag in sorted(flags, key=lambda flag: flag.date):
        if flag.kind in wear.FLAG_RATIO and flag.shoe is not None:
            label = "80 %" if flag.kind == "shoe_nearing" else "100 %"
            crossings.setdefault(flag.shoe, []).append((label, flag.date))
    uses = []
    for pk, sessions in used.items():
        pair = odometers[pk]
        status = wear.wear_status(
            pair.odometer_m,
            pair.replacement_threshold_m,
            retired=pair.retired_on is not None and pair.retired_on <= end,
        )
        uses.append(
            ShoeUse(
                name=pair.name,
                first_use=timezone.localtime(sessions[0].started_at, user_zone(user)).date(),
                last_use=timezone.localtime(sessions[-1].started_at, user_zone(user)).date(),
                sessions=len(sessions),
                distance_m=sum(run.distance_m for run in sessions),
                odometer_m=pair.odometer_m,
                threshold_m=pair.replacement_threshold_m,
                status=status,
                crossings=tuple(crossings.get(pk, ())),
            )
        )
    return uses


def run_flag_labels(run: Run) -> list[str]:
    """The run's flags by their short names, in the order of docs/analytics.md#flags."""
    labels = []
    for kind in run.flags:
        label = FLAG_KINDS[kind].short if kind in FLAG_KINDS else kind
        if kind == "long_run_spike" and run.spike_band:
            label = f"Spike ({run.spike_band})"
        labels.append(label)
    return labels


def pattern_figures(association: analytics.Association) -> str:
    """ "5/8 vs 3/30 · RR 6.3 (95 % CI 1.8–22) · p 0.004, adjusted 0.04 · 4 periods", or
    the counts (and periods) alone."""
    counts = (
        f"{association.exposed_flares}/{association.exposed_runs} vs "
        f"{association.unexposed_flares}/{association.unexposed_runs}"
    )
    periods = f"{association.exposed_periods} period{'s' if association.exposed_periods != 1 else ''}"
    if association.risk_ratio is None:
        return f"{counts} · {periods}"
    text = f"{counts} · RR {association.risk_ratio:.2g}"
    if association.ci95_low is not None and association.ci95_high is not None:
        text += f" (95 % CI {association.ci95_low:.2g}–{association.ci95_high:.2g})"
    if association.p_value is not None:
        text += f" · p {association.p_value:.2g}"
    if association.p_adjusted is not None:
        text += f", adjusted {association.p_adjusted:.2g}"
    return f"{text} · {periods}"


#: A pattern's verdict as the report prints it: the strong ones in capitals.
VERDICTS = {
    "likely": "LIKELY",
    "likely_fewer": "LIKELY FEWER",
    "possible": "Possible",
    "possible_fewer": "Possibly fewer",
    "none": "No clear difference",
    "insufficient_data": "Not enough data",
}
