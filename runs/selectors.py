"""Reads of runs and pain check-ins. Every query is scoped to one user."""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce
from django.utils import timezone

from backpainlog.accounts.selectors import local_today, profile_of, user_zone
from runs import analytics, insights
from runs.analytics import CheckinRecord, RunRecord, ShoeRecord
from runs.analytics.load import EXACT, exact
from runs.models import NEEDS_PAIN, PAIN_REGIONS, PainCheckin, Pattern, Run
from shoes.models import Shoe


def local_day_bounds(
    user: User, start: dt.date | None, end: dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The instants that bound the local dates ``start`` … ``end`` (inclusive) in the
    user's time zone: ``[start 00:00, end+1 00:00)``."""
    zone = user_zone(user)
    low = dt.datetime.combine(start, dt.time.min, tzinfo=zone) if start else None
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone) if end else None
    return low, high


def _shoe_distance_before() -> CombinedExpression:
    """The shoe's odometer at the start of the run: its initial distance plus every
    earlier run in it, summed in the database by a correlated subquery."""
    earlier = (
        Run.objects.filter(shoe=OuterRef("shoe"), started_at__lt=OuterRef("started_at"))
        .order_by()
        .values("shoe")
        .annotate(total=Sum("distance_m"))
        .values("total")
    )
    return F("shoe__initial_distance_m") + Coalesce(Subquery(earlier), Value(0.0), output_field=FloatField())


def runs_for_user(
    user: User,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    needs_pain: bool = False,
    odometer: bool = True,
) -> QuerySet[Run]:
    """The user's runs, newest first, with their shoes, insoles, ``shoe_distance_m`` and
    ``needs_pain`` (:data:`NEEDS_PAIN`); with ``needs_pain``, only the runs that need it.
    Without ``odometer``, no ``shoe_distance_m``: it sums every earlier run in the pair, a
    cost that grows with the log, for pages that do not show it."""
    low, high = local_day_bounds(user, start, end)
    runs = Run.objects.filter(user=user).select_related("shoe", "insole")
    if needs_pain:
        runs = runs.filter(NEEDS_PAIN)
    if low:
        runs = runs.filter(started_at__gte=low)
    if high:
        runs = runs.filter(started_at__lt=high)
    if odometer:
        runs = runs.annotate(shoe_distance_m=_shoe_distance_before())
    return runs.annotate(needs_pain=ExpressionWrapper(NEEDS_PAIN, output_field=BooleanField())).order_by(
        "-started_at", "-id"
    )


def runs_needing_pain_count(user: User) -> int:
    """How many imported runs still lack pain scores (one query)."""
    return Run.objects.filter(NEEDS_PAIN, user=user).count()


def run_get(user: User, pk: uuid.UUID | str) -> Run:
    """One of the user's runs; ``Run.DoesNotExist`` for anyone else's."""
    return runs_for_user(user).get(pk=pk)


def checkins_for_user(
    user: User, *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[PainCheckin]:
    low, high = local_day_bounds(user, start, end)
    checkins = PainCheckin.objects.filter(user=user)
    if low:
        checkins = checkins.filter(recorded_at__gte=low)
    if high:
        checkins = checkins.filter(recorded_at__lt=high)
    return checkins.order_by("-recorded_at", "-id")


RED_FLAG_DAYS = 7  # the dashboard puts a red flag of the last week before everything else


def latest_red_flag_checkin(user: User, *, days: int = RED_FLAG_DAYS) -> PainCheckin | None:
    """The newest check-in of the last ``days`` local days (today included) that recorded
    a red flag (docs/analytics.md#red-flags), or None. One query."""
    low, _ = local_day_bounds(user, local_today(user) - dt.timedelta(days=days - 1), None)
    return PainCheckin.objects.filter(user=user, recorded_at__gte=low).exclude(red_flags=[]).first()


def runs_awaiting_next_morning_pain(
    user: User, *, days: int = 2, answered_today: bool = False
) -> QuerySet[Run]:
    """Runs from the last ``days`` local days before today still without next-morning pain
    (with ``answered_today``, also those answered today, so that the answer can be changed
    the same day). Newest first.

    The morning after a run the app asks how the back feels; a run logged today is not
    asked about until tomorrow, and one from the day before yesterday is still asked
    about (in the past tense) for a user who did not open the app yesterday.
    """
    today = local_today(user)
    low, _ = local_day_bounds(user, today - dt.timedelta(days=days), None)
    today_start, _ = local_day_bounds(user, today, None)
    waiting = Q(pain_next_morning__isnull=True)
    if answered_today:
        waiting |= Q(updated_at__gte=today_start)
    return (
        Run.objects.filter(waiting, user=user, started_at__gte=low, started_at__lt=today_start)
        .select_related("shoe")
        .order_by("-started_at")
    )


def last_surface(user: User) -> str | None:
    return Run.objects.filter(user=user).order_by("-started_at").values_list("surface", flat=True).first()


RUN_RECORD_FIELDS = (
    "id",
    "started_at",
    "activity",
    "distance_m",
    "surface",
    "shoe_id",
    "pain_before",
    "pain_after",
    "pain_next_morning",
    "duration_s",
    "rpe",
    "pain_regions",
)


def _run_record(row: tuple[Any, ...], zone: dt.tzinfo) -> RunRecord:
    """A row of ``RUN_RECORD_FIELDS`` as a record dated in ``zone``."""
    pk, started_at, activity, distance, surface, shoe_id, before, after, morning, duration, rpe, regions = row
    return RunRecord(
        id=pk,
        started_at=started_at,
        local_date=started_at.astimezone(zone).date(),
        activity=activity,
        distance_m=distance,
        surface=surface,
        shoe_id=shoe_id,
        pain_before=before,
        pain_after=after,
        pain_next_morning=morning,
        duration_s=duration,
        rpe=rpe,
        pain_regions=tuple(regions),
    )


def shoe_records(shoes: QuerySet[Shoe]) -> dict[int, ShoeRecord]:
    """Shoes as the analytics know them."""
    fields = ("id", "name", "initial_distance_m", "replacement_threshold_m", "started_on")
    return {row[0]: ShoeRecord(**dict(zip(fields, row, strict=True))) for row in shoes.values_list(*fields)}


ALERT_WINDOW_DAYS = 14  # the dashboard's alerts: what happened in the last two weeks
NEW_PATTERN_DAYS = 28  # a pattern that turned likely this recently is news


def _run_flags(runs: QuerySet[Run], zone: dt.tzinfo, unit: str, reader: str) -> list[insights.Flag]:
    """The stored run flags (not the shoe ones, told once per pair) of ``runs``."""
    return _flags_of_runs(
        (
            (pk, started_at.astimezone(zone).date(), shoe_id, flags, evidence)
            for pk, started_at, shoe_id, flags, evidence in runs.exclude(flags=[]).values_list(
                "id", "started_at", "shoe_id", "flags", "flag_evidence"
            )
        ),
        unit,
        reader,
    )


def _flags_of_runs(
    runs: Iterable[tuple[object, dt.date, int | None, Iterable[str], dict[str, Any]]], unit: str, reader: str
) -> list[insights.Flag]:
    """The flags of runs given as ``(id, local date, shoe id, flags, evidence)``, shoe ones left out."""
    return [
        insights.run_flag(
            kind,
            run=pk,
            local_date=local_date,
            shoe=shoe_id,
            evidence=evidence[kind],
            unit=unit,
            reader=reader,
        )
        for pk, local_date, shoe_id, flags, evidence in runs
        for kind in flags
        if kind not in insights.SHOE_KINDS
    ]


def _checkin_flags(checkins: QuerySet[PainCheckin], zone: dt.tzinfo, reader: str) -> list[insights.Flag]:
    return [
        insights.checkin_flag(
            checkin=pk, local_date=recorded_at.astimezone(zone).date(), evidence=evidence or {}, reader=reader
        )
        for pk, recorded_at, evidence in checkins.filter(flare=True).values_list(
            "id", "recorded_at", "flare_evidence"
        )
    ]


def _shoe_flags(user: User, shoes: QuerySet[Shoe], zone: dt.tzinfo, unit: str) -> list[insights.Flag]:
    records = shoe_records(shoes)
    uses = [
        insights.ShoeUse(
            run=pk,
            started_at=started_at,
            local_date=started_at.astimezone(zone).date(),
            distance_m=distance,
            shoe_id=shoe_id,
        )
        for pk, started_at, distance, shoe_id in Run.objects.filter(user=user, shoe_id__in=list(records))
        .order_by("started_at", "id")
        .values_list("id", "started_at", "distance_m", "shoe_id")
    ]
    return insights.shoe_flags(uses, records, unit)


def _pattern_flags(patterns: QuerySet[Pattern], zone: dt.tzinfo) -> list[insights.Flag]:
    return [
        insights.pattern_flag(pattern, on=pattern.likely_since.astimezone(zone).date())
        for pattern in patterns.filter(verdict=Pattern.Verdict.LIKELY)
        if pattern.likely_since is not None  # always, for a likely pattern
    ]


def flags_for_user(
    user: User,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    reader: str = "runner",
) -> list[insights.Flag]:
    """Every flag of the user's log dated ``start`` … ``end`` (local dates), newest first,
    worded for ``reader`` (:data:`insights.READERS`): five queries whatever the length of
    the log."""
    zone, unit = user_zone(user), profile_of(user).distance_unit
    low, high = local_day_bounds(user, start, end)
    runs, checkins = Run.objects.filter(user=user), PainCheckin.objects.filter(user=user)
    if low:
        runs, checkins = runs.filter(started_at__gte=low), checkins.filter(recorded_at__gte=low)
    if high:
        runs, checkins = runs.filter(started_at__lt=high), checkins.filter(recorded_at__lt=high)
    found = [
        *_run_flags(runs, zone, unit, reader),
        *_checkin_flags(checkins, zone, reader),
        *_shoe_flags(user, Shoe.objects.filter(user=user), zone, unit),
        *_pattern_flags(Pattern.objects.filter(user=user), zone),
    ]
    return insights.newest_first(flag for flag in found if _in_period(flag.date, start, end))


def dashboard_alerts(
    user: User,
    *,
    shoes_in_use: Iterable[Any],
    retired_shoes: Iterable[int] | None = None,
    patterns: Iterable[Pattern] | None = None,
    recent: RecentLog | None = None,
) -> list[insights.Flag]:
    """What needs the user's attention now (docs/analytics.md#home-page-alerts): the flare-ups of
    the last two weeks, pairs in use past (or near) their replacement distance, the
    long-run spikes of the last two weeks and new likely patterns, at most one per kind
    and subject a week. Patterns about a retired pair are history, never alerts.

    ``shoes_in_use`` are the pairs with their wear (:func:`shoes.selectors.gear_list`),
    which the dashboard lists anyway; so are the ids of the retired pairs and all the
    user's patterns, which are read here when not given. So is ``recent``, the log the
    dashboard's trends read (:attr:`Trends.recent`): the flags of the last two weeks are
    taken from it when it reaches back that far, else read."""
    zone, unit = user_zone(user), profile_of(user).distance_unit
    today = local_today(user)
    since, _ = local_day_bounds(user, today - dt.timedelta(days=ALERT_WINDOW_DAYS - 1), None)
    assert since is not None
    if retired_shoes is None:
        retired_shoes = Shoe.objects.filter(user=user, retired_on__isnull=False).values_list("pk", flat=True)
    retired = {f"shoe:{pk}" for pk in retired_shoes}
    news_since = timezone.now() - dt.timedelta(days=NEW_PATTERN_DAYS)
    if patterns is None:
        patterns = Pattern.objects.filter(user=user, likely_since__gte=news_since)
    new_patterns = [
        pattern
        for pattern in patterns
        if pattern.likely_since is not None
        and pattern.likely_since >= news_since
        and not retired.intersection([pattern.exposure, *pattern.same_as])
    ]
    worn_first = sorted(shoes_in_use, key=lambda pair: -pair.wear_ratio)
    if recent is not None and recent.since <= since:
        # Newest first, as the queries below give them.
        run_flags = _flags_of_runs(
            (
                (run.id, run.local_date, run.shoe_id, analysis.flags, analysis.evidence)
                for run, analysis in reversed(recent.runs)
                if run.started_at >= since and analysis.flags
            ),
            unit,
            "runner",
        )
        checkin_flags = [
            insights.checkin_flag(
                checkin=checkin.id, local_date=checkin.local_date, evidence=evidence or {}, reader="runner"
            )
            for checkin, evidence in reversed(recent.flares)
            if checkin.recorded_at >= since
        ]
    else:
        run_flags = _run_flags(Run.objects.filter(user=user, started_at__gte=since), zone, unit, "runner")
        checkin_flags = _checkin_flags(
            PainCheckin.objects.filter(user=user, recorded_at__gte=since), zone, "runner"
        )
    return insights.home_alerts(
        [
            *(
                insights.shoe_alert(pair, today=today, unit=unit)
                for pair in worn_first
                if pair.status in insights.SHOE_STATUS_KINDS
            ),
            *run_flags,
            *checkin_flags,
            *(
                insights.pattern_flag(pattern, on=pattern.likely_since.astimezone(zone).date())
                for pattern in new_patterns
                if pattern.verdict == Pattern.Verdict.LIKELY and pattern.likely_since is not None
            ),
        ]
    )


def patterns_for_user(user: User) -> QuerySet[Pattern]:
    """The stored patterns over the whole log, in the order of docs/analytics.md#exposures."""
    return Pattern.objects.filter(user=user)


def _in_period(day: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)


def associations_for_user(
    user: User, *, start: dt.date | None = None, end: dt.date | None = None
) -> list[analytics.Association]:
    """The patterns over the runs dated ``start`` … ``end``; their flags and the flare
    days of the delayed outcome come from the whole log (a spike's window reaches back
    before the period, a flare-up two days after it may fall after it)."""
    runs, analyses, checkins, flares = stored_log(user)
    return analytics.associations(
        [run for run in runs if _in_period(run.local_date, start, end)],
        analyses,
        shoe_records(Shoe.objects.filter(user=user)),
        {flare.local_date for flare in analytics.flare_ups(runs, analyses, checkins, flares)},
    )


def episodes_for_user(
    user: User, *, start: dt.date | None = None, end: dt.date | None = None
) -> list[analytics.Episode]:
    """The flare-up episodes of the whole log that start on ``start`` … ``end``, newest
    first (an episode is judged on the whole log: its days before ``start`` belong to it)."""
    runs, analyses, checkins, flares = stored_log(user)
    found = analytics.episodes(analytics.flare_ups(runs, analyses, checkins, flares))
    return [episode for episode in reversed(found) if _in_period(episode.start, start, end)]


def weekly_stats_for_user(
    user: User, *, start: dt.date | None = None, end: dt.date | None = None
) -> list[analytics.WeekStats]:
    """One item per Monday-started local week from the week of ``start`` (default: of the
    first entry) to the week of ``end`` (default: this week), empty weeks included. The
    flags and flares are the stored ones; the ACWR needs the whole log of runs."""
    runs, analyses, checkins, flares = stored_log(user)
    today = local_today(user)
    firsts: list[RunRecord | CheckinRecord] = [*runs[:1], *checkins[:1]]
    first_entry = min((record.local_date for record in firsts), default=today)
    start, end = start or min(first_entry, end or today), end or today
    return analytics.weekly_stats(
        runs,
        checkins,
        analyses,
        flares,
        analytics.week_start(start),
        analytics.week_start(end),
        analytics.AcwrSeries(runs).ratio,
        today=today,
    )


def stored_log(
    user: User, low: dt.datetime | None = None, high: dt.datetime | None = None
) -> tuple[list[RunRecord], dict[object, analytics.RunAnalysis], list[CheckinRecord], dict[object, Any]]:
    """The user's runs and check-ins from ``low`` to ``high`` (instants; the whole log by
    default) as records in time order, local dates computed here once (the analytics know
    no time zones), with what :func:`runs.services.analytics_refresh` stored: each run's
    analysis, and the evidence of each check-in flare-up. Two queries."""
    zone = user_zone(user)
    run_rows, checkin_rows = Run.objects.filter(user=user), PainCheckin.objects.filter(user=user)
    if low:
        run_rows, checkin_rows = (
            run_rows.filter(started_at__gte=low),
            checkin_rows.filter(recorded_at__gte=low),
        )
    if high:
        run_rows, checkin_rows = (
            run_rows.filter(started_at__lt=high),
            checkin_rows.filter(recorded_at__lt=high),
        )
    runs, analyses = [], {}
    for *row, flags, spike_band, acwr, evidence in run_rows.order_by("started_at", "id").values_list(
        *RUN_RECORD_FIELDS, "flags", "spike_band", "acwr", "flag_evidence"
    ):
        run = _run_record(tuple(row), zone)
        runs.append(run)
        analyses[run.id] = analytics.RunAnalysis(tuple(flags), spike_band, acwr, evidence)
    checkins: list[CheckinRecord] = []
    flares: dict[object, Any] = {}
    for pk, recorded_at, score, radiating, regions, flare, evidence in checkin_rows.order_by(
        "recorded_at", "id"
    ).values_list(
        "id", "recorded_at", "score", "radiating_leg_pain", "pain_regions", "flare", "flare_evidence"
    ):
        checkins.append(
            CheckinRecord(
                pk, recorded_at, recorded_at.astimezone(zone).date(), score, radiating, tuple(regions)
            )
        )
        if flare:
            flares[pk] = evidence
    return runs, analyses, checkins, flares


@dataclasses.dataclass(frozen=True, slots=True)
class StoredRun:
    """What :func:`runs.services.analytics_refresh` stored on a run."""

    analysis: analytics.RunAnalysis
    episode: dt.date | None
    pattern_tally: dict[str, Any] | None


@dataclasses.dataclass(frozen=True, slots=True)
class StoredCheckin:
    flare_evidence: dict[str, Any] | None  # None unless a flare-up
    episode: dt.date | None


def refresh_log(
    user: User, low: dt.datetime | None
) -> tuple[list[RunRecord], dict[object, StoredRun], list[CheckinRecord], dict[object, StoredCheckin]]:
    """The user's runs and check-ins from ``low`` on (the whole log for None) as records in
    time order, with every figure the refresh stored on them. Two queries."""
    zone = user_zone(user)
    run_rows, checkin_rows = Run.objects.filter(user=user), PainCheckin.objects.filter(user=user)
    if low:
        run_rows, checkin_rows = (
            run_rows.filter(started_at__gte=low),
            checkin_rows.filter(recorded_at__gte=low),
        )
    runs, stored_runs = [], {}
    for *row, flags, spike_band, acwr, evidence, acute, chronic, episode, tally in run_rows.order_by(
        "started_at", "id"
    ).values_list(
        *RUN_RECORD_FIELDS,
        "flags",
        "spike_band",
        "acwr",
        "flag_evidence",
        "ewma_acute",
        "ewma_chronic",
        "episode",
        "pattern_tally",
    ):
        run = _run_record(tuple(row), zone)
        runs.append(run)
        ewma = None if acute is None or chronic is None else (acute, chronic)
        stored_runs[run.id] = StoredRun(
            analytics.RunAnalysis(tuple(flags), spike_band, acwr, evidence, ewma), episode, tally
        )
    checkins: list[CheckinRecord] = []
    stored_checkins: dict[object, StoredCheckin] = {}
    for pk, recorded_at, score, radiating, flare, evidence, episode in checkin_rows.order_by(
        "recorded_at", "id"
    ).values_list("id", "recorded_at", "score", "radiating_leg_pain", "flare", "flare_evidence", "episode"):
        checkins.append(CheckinRecord(pk, recorded_at, recorded_at.astimezone(zone).date(), score, radiating))
        stored_checkins[pk] = StoredCheckin(evidence if flare else None, episode)
    return runs, stored_runs, checkins, stored_checkins


def ewma_before(user: User, low: dt.datetime) -> analytics.EwmaState | None:
    """Where the user's ACWR series stood before ``low``: None when no run or walk started
    before it, or when the last run before it has no stored EWMAs (stored before they were
    kept, or inserted in bulk), so that the caller recomputes the whole log. Two queries."""
    zone = user_zone(user)
    earlier = Run.objects.filter(user=user, started_at__lt=low)
    first = earlier.order_by("started_at").values_list("started_at", flat=True).first()
    if first is None:
        return None
    last = (
        earlier.filter(activity=Run.Activity.RUN)
        .order_by("-started_at")
        .values_list("started_at", "ewma_acute", "ewma_chronic")
        .first()
    )
    if last is None:  # walks only so far
        return analytics.EwmaState(first_day=first.astimezone(zone).date())
    started_at, acute, chronic = last
    if acute is None or chronic is None:
        return None
    return analytics.EwmaState(
        first.astimezone(zone).date(), started_at.astimezone(zone).date(), acute, chronic
    )


def pattern_tally_before(user: User, low: dt.datetime) -> dict[str, Any] | None:
    """The stored pattern tally of the last rated run (docs/analytics.md#rated-runs: a run with pain
    before and after) before ``low``, the start of a week (the last rated run of each week carries
    one); an empty tally when there is none, None when that run has none stored (the caller then
    recomputes the whole log)."""
    rated = Run.objects.filter(
        user=user,
        activity=Run.Activity.RUN,
        pain_before__isnull=False,
        pain_after__isnull=False,
        started_at__lt=low,
    )
    found = rated.order_by("-started_at", "-id").values_list("pattern_tally", flat=True)[:1]
    if not found:
        return analytics.PatternTally().as_json()
    return found[0]


def distance_worn_before(user: User, low: dt.datetime, shoe_ids: Iterable[int]) -> dict[int, Decimal]:
    """The distance logged in each pair before ``low``, summed exactly (the analytics
    compare odometers with thresholds exactly). One query."""
    worn: dict[int, Decimal] = {}
    rows = Run.objects.filter(user=user, shoe_id__in=list(shoe_ids), started_at__lt=low)
    with decimal.localcontext(EXACT):
        for shoe_id, distance in rows.values_list("shoe_id", "distance_m"):
            worn[shoe_id] = worn.get(shoe_id, Decimal(0)) + exact(distance)
    return worn


@dataclasses.dataclass(frozen=True, slots=True)
class RecentLog:
    """The runs (with their stored analyses) and the check-in flare-ups (with their
    evidence) from the instant ``since`` to the end of the log, in time order."""

    since: dt.datetime
    runs: list[tuple[RunRecord, analytics.RunAnalysis]]
    flares: list[tuple[CheckinRecord, Any]]


@dataclasses.dataclass(frozen=True, slots=True)
class Trends:
    """The dashboard's charts for the local dates ``start`` … ``end``."""

    start: dt.date
    end: dt.date
    weeks: list[analytics.WeekStats]
    acwr: list[tuple[dt.date, float | None]]  # each date with a session: its stored ACWR
    pain_by_day: dict[dt.date, int]  # the highest pain score of each date with one
    episodes: list[analytics.Episode]  # the flare-up episodes that touch the period, oldest first
    radiating_days: set[dt.date]  # days with a check-in reporting pain down the leg
    # How often each body-map region was marked in the period (docs/product.md#where-it-hurts), in
    # PAIN_REGIONS order.
    regions: list[analytics.RegionCount] = dataclasses.field(default_factory=list)
    # With a period up to today, what was read for it, and what was logged after it (a
    # run may be dated up to a day ahead): the dashboard's alerts need no read of their own.
    recent: RecentLog | None = None


def trends_for_user(user: User, *, start: dt.date, end: dt.date, within_period: bool = False) -> Trends:
    """Built from the stored flags, flares and ACWR of the period (plus the week before it,
    for the first week's change): two queries over the period, whatever the length of
    the log.

    ``within_period`` (a share link): nothing from outside ``start`` … ``end`` at all, so
    that the weekly rows count only the period's days and the first week has no change
    against a week that was not shared."""
    low, high = local_day_bounds(user, start if within_period else start - dt.timedelta(days=7), end)
    assert low is not None
    assert high is not None
    # Up to today, the read goes on to the end of the log: a few runs at most (none is
    # dated more than a day ahead), kept for the alerts, not for the period's figures.
    today = local_today(user)
    through_now = not within_period and end >= today
    runs, analyses, checkins, flares = stored_log(user, low, None if through_now else high)
    recent = None
    if through_now:
        recent = RecentLog(
            since=low,
            runs=[(run, analyses[run.id]) for run in runs],
            flares=[(checkin, flares[checkin.id]) for checkin in checkins if checkin.id in flares],
        )
        # Records in time order: those after the period are at the end.
        runs = runs[: bisect.bisect_left(runs, high, key=lambda run: run.started_at)]
        checkins = checkins[: bisect.bisect_left(checkins, high, key=lambda checkin: checkin.recorded_at)]
    in_period = [run for run in runs if _in_period(run.local_date, start, end)]
    pain_by_day: dict[dt.date, int] = {}
    scores = [(run.local_date, run.pain_before) for run in in_period]
    scores += [(run.local_date, run.pain_after) for run in in_period]
    # Next-morning pain is felt the day after the run.
    scores += [(run.local_date + dt.timedelta(days=1), run.pain_next_morning) for run in runs]
    scores += [
        (checkin.local_date, checkin.score)
        for checkin in checkins
        if _in_period(checkin.local_date, start, end)
    ]
    for day, score in scores:
        if score is not None and _in_period(day, start, end):
            pain_by_day[day] = max(score, pain_by_day.get(day, score))
    return Trends(
        start=start,
        end=end,
        weeks=analytics.weekly_stats(
            runs,
            checkins,
            analyses,
            flares,
            analytics.week_start(start),
            analytics.week_start(end),
            # The weekly ACWR needs the whole log; the dashboard charts the stored ACWR of
            # each day with a session instead, and shows no weekly ACWR.
            lambda day: None,
            today=today,
        ),
        acwr=list({run.local_date: analyses[run.id].acwr for run in in_period}.items()),
        pain_by_day=pain_by_day,
        episodes=[
            episode
            for episode in analytics.episodes(analytics.flare_ups(runs, analyses, checkins, flares))
            if episode.end >= start and episode.start <= end
        ],
        radiating_days={
            checkin.local_date
            for checkin in checkins
            if checkin.radiating_leg_pain and _in_period(checkin.local_date, start, end)
        },
        regions=analytics.region_counts(
            in_period,
            [checkin for checkin in checkins if _in_period(checkin.local_date, start, end)],
            list(PAIN_REGIONS),
        ),
        recent=recent,
    )
