"""``manage.py seed_demo``: the demo account and its year of data (docs/product.md#running-it).

What is asserted is what the demo is for and what holds whatever the date: the shape of
the year, the jumps in load, the worn-out pair, the flare-ups, and that every row would pass
the same validation as one logged through the app.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
import zoneinfo
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from backpainlog.accounts.selectors import profile_of
from clinical.models import QuestionnaireResponse, Treatment
from runs.analytics import FLAG_KINDS
from runs.models import PainCheckin, Pattern, Run
from runs.selectors import dashboard_alerts, flags_for_user, runs_awaiting_next_morning_pain, runs_for_user
from shoes.models import Insole, Shoe
from shoes.selectors import gear_list, gear_with_wear

LONDON = zoneinfo.ZoneInfo("Europe/London")
READY = "Demo account ready: username demo, password backpain-demo"


@pytest.fixture(autouse=True)
def fast_hashing(settings: object) -> None:
    # The demo user is created in every test; PBKDF2's million rounds would dominate.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db: None) -> User:
    assert READY in seed()
    return User.objects.get(username="demo")


def local_date(instant: dt.datetime) -> dt.date:
    return instant.astimezone(LONDON).date()


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def runs_oldest_first(user: User) -> list[Run]:
    return list(Run.objects.filter(user=user).order_by("started_at"))


def longest_before(runs: list[Run], day: dt.date) -> float:
    """docs/analytics.md#long-run-spike: the longest ``run`` dated d−30 … d−1; 0 when there is none."""
    window = [
        r.distance_m
        for r in runs
        if r.activity == Run.Activity.RUN and day - dt.timedelta(days=30) <= local_date(r.started_at) < day
    ]
    return max(window, default=0.0)


def pain_flare(run: Run) -> bool:
    """docs/analytics.md#pain-flare-up."""
    if run.pain_before is None or run.pain_after is None:
        return False
    return (
        run.pain_after - run.pain_before >= 2
        or (run.pain_after > 5 and run.pain_after > run.pain_before)
        or (run.pain_next_morning is not None and run.pain_next_morning - run.pain_before >= 2)
    )


def row_counts(user: User) -> dict[str, int]:
    return {
        "runs": Run.objects.filter(user=user).count(),
        "checkins": PainCheckin.objects.filter(user=user).count(),
        "shoes": Shoe.objects.filter(user=user).count(),
        "insoles": Insole.objects.filter(user=user).count(),
    }


# --- The account ---------------------------------------------------------------------------


def test_creates_the_demo_login_with_its_profile(demo: User) -> None:
    assert demo.check_password("backpain-demo")
    assert demo.email == "demo@example.com"
    profile = profile_of(demo)
    assert (profile.distance_unit, profile.timezone) == ("km", "Europe/London")


# --- The shape of the year -----------------------------------------------------------------


def test_a_year_of_three_to_five_sessions_a_week_up_to_yesterday(demo: User) -> None:
    runs = runs_oldest_first(demo)
    today = local_date(timezone.now())
    first, last = local_date(runs[0].started_at), local_date(runs[-1].started_at)

    assert 150 <= len(runs) <= 260
    assert (last - first).days >= 360
    # The last run is yesterday's, so that today the app asks for its next-morning pain.
    assert last == today - dt.timedelta(days=1)
    per_week = Counter(monday_of(local_date(r.started_at)) for r in runs)
    full_weeks = {week: n for week, n in per_week.items() if monday_of(first) < week < monday_of(last)}
    assert len(full_weeks) >= 50
    assert all(3 <= n <= 5 for n in full_weeks.values()), full_weeks


def test_mostly_road_runs_at_an_easy_pace_with_some_walks_and_other_surfaces(demo: User) -> None:
    runs = runs_oldest_first(demo)
    walks = [r for r in runs if r.activity == Run.Activity.WALK]
    surfaces = Counter(r.surface for r in runs)

    assert 0 < len(walks) < 0.2 * len(runs)
    assert surfaces["road"] > 0.6 * len(runs)
    assert {"trail", "track", "treadmill"} <= surfaces.keys()
    # Every session has a duration; runs at 5:15–6:30 /km (seconds rounded), walks slower.
    assert all(r.duration_s for r in runs)
    assert all(313 <= r.pace_s_per_km <= 392 for r in runs if r.activity == Run.Activity.RUN)
    assert all(r.pace_s_per_km > 500 for r in walks)
    with_elevation = sum(r.elevation_gain_m is not None for r in runs)
    assert 0.3 * len(runs) < with_elevation < len(runs)
    assert 5 <= sum(bool(r.notes) for r in runs) <= 15


def test_the_long_run_builds_from_about_8_to_about_21_km(demo: User) -> None:
    runs = runs_oldest_first(demo)
    start = local_date(runs[0].started_at)
    first_month = [r.distance_m for r in runs if local_date(r.started_at) < start + dt.timedelta(days=28)]
    last_two_months = [
        r.distance_m for r in runs if local_date(r.started_at) > start + dt.timedelta(days=300)
    ]

    assert 7_000 <= max(first_month) <= 10_000
    assert 20_000 <= max(last_two_months) <= 22_500


def test_a_long_run_spike_and_a_week_with_a_sharp_increase(demo: User) -> None:
    runs = runs_oldest_first(demo)
    spikes = [
        (r, r.distance_m / longest)
        for r in runs
        if r.activity == Run.Activity.RUN and (longest := longest_before(runs, local_date(r.started_at)))
        if r.distance_m > 1.3 * longest
    ]
    assert spikes
    spike, ratio = max(spikes, key=lambda pair: pair[1])
    assert 1.6 <= ratio <= 2.2
    # … and it flared the back.
    assert spike.pain_after - spike.pain_before >= 2

    weekly = defaultdict(float)
    for run in runs:
        if run.activity == Run.Activity.RUN:
            weekly[monday_of(local_date(run.started_at))] += run.distance_m
    jumps = [
        week
        for week, distance in weekly.items()
        if weekly.get(week - dt.timedelta(weeks=1), 0) > 0
        and distance > 1.3 * weekly[week - dt.timedelta(weeks=1)]
    ]
    assert jumps


# --- Shoes and insoles ---------------------------------------------------------------------


def test_two_pairs_one_worn_past_its_replacement_distance_and_one_insole(demo: User) -> None:
    pairs = list(gear_with_wear(Shoe, user=demo))
    assert len(pairs) == 2
    worn = [p for p in pairs if p.distance_m > p.replacement_threshold_m]
    assert len(worn) == 1
    worn_pair = worn[0]
    current = next(p for p in pairs if p != worn_pair)
    assert worn_pair.replacement_threshold_m == 640_000
    # The second pair took over as the default and is nearing its own distance.
    assert current.is_default
    assert not worn_pair.is_default
    assert current.status == "nearing"
    # The worn pair stayed in use for a while after passing its distance.
    past_it = runs_for_user(demo).filter(
        shoe=worn_pair, shoe_distance_m__gte=F("shoe__replacement_threshold_m")
    )
    assert past_it.count() >= 10
    assert runs_for_user(demo).filter(shoe=current).count() >= 20

    insoles = list(gear_with_wear(Insole, user=demo))
    assert len(insoles) == 1
    assert insoles[0].run_count > 0


# --- Pain ----------------------------------------------------------------------------------


def test_pain_on_most_runs_and_the_last_runs_next_morning_left_for_the_app(demo: User) -> None:
    runs = runs_oldest_first(demo)
    with_pain = [r for r in runs if r.pain_before is not None and r.pain_after is not None]
    assert len(with_pain) >= 0.85 * len(runs)
    assert sum(r.pain_next_morning is not None for r in runs) >= 0.8 * len(runs)
    assert runs[-1].pain_next_morning is None
    assert list(runs_awaiting_next_morning_pain(demo)) == [runs[-1]]
    assert sum(r.pain_after - r.pain_before >= 2 for r in with_pain) >= 3


def test_daily_check_ins_mostly_low_with_flare_ups(demo: User) -> None:
    checkins = list(PainCheckin.objects.filter(user=demo).order_by("recorded_at"))
    assert len({local_date(c.recorded_at) for c in checkins}) >= 300
    assert sum(1 <= c.score <= 3 for c in checkins) >= 0.7 * len(checkins)
    assert sum(c.radiating_leg_pain for c in checkins) >= 3

    # docs/analytics.md#check-in-flare: ≥ 2 above the median of the 14 days' scores before it.
    runs = Run.objects.filter(user=demo, pain_before__isnull=False)
    scores = [(c.recorded_at, c.score) for c in checkins] + [(r.started_at, r.pain_before) for r in runs]
    flares = 0
    for checkin in checkins:
        since = checkin.recorded_at - dt.timedelta(days=14)
        window = [score for at, score in scores if since <= at < checkin.recorded_at]
        if len(window) >= 3 and checkin.score >= 2 + statistics.median(window):
            flares += 1
    assert flares >= 5


def test_runs_in_the_worn_pair_flare_up_more_often(demo: User) -> None:
    runs = list(runs_for_user(demo).filter(pain_before__isnull=False, pain_after__isnull=False))
    worn = [r for r in runs if r.shoe_distance_m >= r.shoe.replacement_threshold_m]
    others = [r for r in runs if r not in worn]
    worn_rate = sum(map(pain_flare, worn)) / len(worn)
    other_rate = sum(map(pain_flare, others)) / len(others)
    assert worn_rate > 2 * other_rate


def test_the_analytics_find_every_kind_of_flag(demo: User) -> None:
    kinds = {flag.kind for flag in flags_for_user(demo)}

    assert kinds == set(FLAG_KINDS)  # every run flag, check-in flare-ups and "pattern"
    # A long-run spike in each band.
    bands = set(Run.objects.filter(user=demo, spike_band__isnull=False).values_list("spike_band", flat=True))
    assert bands == {"small", "moderate", "large"}
    assert Run.objects.filter(user=demo, acwr__isnull=False).exists()
    assert PainCheckin.objects.filter(user=demo, flare=True).exists()
    assert PainCheckin.objects.filter(user=demo, episode__isnull=False).exists()


def test_the_patterns_show_every_kind_of_verdict_honestly(demo: User) -> None:
    patterns = {pattern.exposure: pattern for pattern in Pattern.objects.filter(user=demo)}
    verdicts = {exposure: pattern.verdict for exposure, pattern in patterns.items()}
    # One that survives: trail runs come and go all year.
    assert verdicts["surface:trail"] == "likely"
    assert patterns["surface:trail"].exposed_periods >= 3
    # One resting on a single period: the pair worn past its distance until retired.
    worn = patterns["shoe_worn"]
    assert worn.verdict == "possible"
    assert worn.exposed_periods == 1
    assert worn.ci95_low > 1
    assert "all of those runs fall in one period" in worn.message
    # Fewer flare-ups: the new pair at least.
    second_pair = Shoe.objects.get(user=demo, retired_on__isnull=True)
    assert verdicts[f"shoe:{second_pair.pk}"] in {"likely_fewer", "possible_fewer"}
    # Load today, pain the day after tomorrow.
    assert verdicts["long_run_spike_48h"] in {"likely", "possible"}
    assert patterns["long_run_spike_48h"].exposed_flares > patterns["long_run_spike"].exposed_flares


def test_the_home_page_alerts_are_few_and_never_about_the_retired_pair(demo: User) -> None:
    # As the home page asks for them: with the pairs in use and their wear.
    in_use = [pair for pair in gear_list(Shoe, user=demo) if pair.retired_on is None]
    alerts = dashboard_alerts(demo, shoes_in_use=in_use)
    retired = Shoe.objects.get(user=demo, retired_on__isnull=False)
    assert all(alert.shoe != retired.pk for alert in alerts)
    assert not {alert.kind for alert in alerts} & {"acwr_high", "weekly_increase"}
    assert "Pattern: Surface: trail" in [alert.title for alert in alerts]


def test_every_row_passes_model_validation(demo: User) -> None:
    # Fields, clean() and the database constraints, as for a row logged through the app;
    # every run, and a sample of the check-ins (the simpler rows) to stay fast.
    for row in [
        *Run.objects.filter(user=demo).select_related("shoe", "insole"),
        *PainCheckin.objects.filter(user=demo).order_by("recorded_at")[::5],
        *Shoe.objects.filter(user=demo),
        *Insole.objects.filter(user=demo),
    ]:
        row.full_clean()


# --- Idempotence and --reset ---------------------------------------------------------------


def test_a_second_call_changes_nothing(demo: User) -> None:
    before = row_counts(demo)
    run_ids = set(Run.objects.filter(user=demo).values_list("id", flat=True))

    output = seed()

    assert "exists" in output
    assert "username demo, password backpain-demo" in output
    assert row_counts(demo) == before
    assert set(Run.objects.filter(user=demo).values_list("id", flat=True)) == run_ids
    assert User.objects.filter(username="demo").count() == 1


def test_reset_deletes_and_recreates_the_same_year(demo: User) -> None:
    before = row_counts(demo)
    distances = list(
        Run.objects.filter(user=demo).order_by("started_at").values_list("distance_m", flat=True)
    )

    assert READY in seed("--reset")

    recreated = User.objects.get(username="demo")
    assert recreated.pk != demo.pk
    assert not Run.objects.filter(user_id=demo.pk).exists()
    assert not Shoe.objects.filter(user_id=demo.pk).exists()
    # Deterministic: the same seed, the same runs (check-ins may differ by today's, if
    # its time came between the two calls).
    assert row_counts(recreated)["runs"] == before["runs"]
    assert (
        list(Run.objects.filter(user=recreated).order_by("started_at").values_list("distance_m", flat=True))
        == distances
    )


@pytest.mark.parametrize(
    "now",
    [
        # Sunday 00:30 on the day the clocks go forward: before the day's check-in is due.
        dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC),
        # A Monday after the clocks went back; a leap day (Thursday).
        dt.datetime(2025, 10, 27, 12, 0, tzinfo=dt.UTC),
        dt.datetime(2024, 2, 29, 18, 0, tzinfo=dt.UTC),
    ],
    ids=["dst-start", "monday", "leap-day"],
)
def test_the_year_holds_together_whatever_the_date(
    db: None, monkeypatch: pytest.MonkeyPatch, now: dt.datetime
) -> None:
    monkeypatch.setattr(timezone, "now", lambda: now)
    seed()
    demo = User.objects.get(username="demo")
    runs = runs_oldest_first(demo)
    first, last = local_date(runs[0].started_at), local_date(runs[-1].started_at)

    assert last == local_date(now) - dt.timedelta(days=1)
    assert (last - first).days >= 360
    per_week = Counter(monday_of(local_date(r.started_at)) for r in runs)
    assert all(3 <= n <= 5 for week, n in per_week.items() if monday_of(first) < week < monday_of(last))
    assert all(r.started_at <= now for r in runs)
    assert all(c.recorded_at <= now for c in PainCheckin.objects.filter(user=demo))
    spikes = [
        r
        for r in runs
        if r.activity == Run.Activity.RUN
        and r.distance_m > 1.3 * longest_before(runs, local_date(r.started_at)) > 0
    ]
    assert spikes
    statuses = sorted(p.status for p in gear_with_wear(Shoe, user=demo))
    assert statuses == ["nearing", "retired"]
    assert any(p.distance_m > p.replacement_threshold_m for p in gear_with_wear(Shoe, user=demo))


# --- The clinical record (docs/product.md#clinical-outcomes) ---------------------------------


def responses_of(user: User, key: str) -> list[QuestionnaireResponse]:
    return list(QuestionnaireResponse.objects.filter(user=user, questionnaire=key).order_by("completed_at"))


def test_the_rmdq_falls_from_a_bad_spell_with_a_meaningful_change(demo: User) -> None:
    rmdq = responses_of(demo, "rmdq")
    assert len(rmdq) >= 50  # weekly
    assert (rmdq[0].score, rmdq[-1].score) == (14, 5)
    assert rmdq[-1].meaningful_change is True
    assert rmdq[-1].change_text == "RMDQ 14 → 5: 9 points better, a change patients notice (≥ 5)"
    gaps = {
        (local_date(b.completed_at) - local_date(a.completed_at)).days for a, b in itertools.pairwise(rmdq)
    }
    assert gaps == {7}
    for response in [*rmdq[::10], rmdq[-1]]:
        response.full_clean()


def test_the_psfs_rises_on_the_same_activities_and_the_7_day_pain_follows_the_check_ins(demo: User) -> None:
    psfs = responses_of(demo, "psfs")
    assert len(psfs) >= 25  # every two weeks
    activities = {tuple(answer["activity"] for answer in response.answers) for response in psfs}
    assert activities == {("run 10 km", "sit through a film", "put on my socks")}
    assert psfs[-1].score - psfs[0].score >= 4
    assert psfs[-1].meaningful_change is True
    pain = responses_of(demo, "pain_7d")
    assert len(pain) >= 50
    latest = pain[-1]
    week = PainCheckin.objects.filter(
        user=demo,
        recorded_at__gte=latest.completed_at - dt.timedelta(days=7),
        recorded_at__lte=latest.completed_at,
    ).values_list("score", flat=True)
    assert abs(latest.score - statistics.fmean(week)) <= 1


def test_regions_with_a_spell_below_the_left_knee_that_counts_as_radiating(demo: User) -> None:
    checkins = list(PainCheckin.objects.filter(user=demo).order_by("recorded_at"))
    below = [c for c in checkins if "below_knee_left" in c.pain_regions]
    assert 8 <= len({local_date(c.recorded_at) for c in below}) <= 14
    assert all(c.radiating_leg_pain for c in below)
    assert (local_date(below[-1].recorded_at) - local_date(below[0].recorded_at)).days <= 13
    assert not any("below_knee_right" in c.pain_regions for c in checkins)
    assert sum("low_back_center" in c.pain_regions for c in checkins) > len(checkins) / 2
    assert any(run.pain_regions for run in Run.objects.filter(user=demo))
    # No red flag in the demo: it shows a typical log.
    assert not any(c.red_flags for c in checkins)
    # The spell is in the report's default period (the last 26 weeks).
    today = timezone.localtime(timezone.now(), LONDON).date()
    assert (today - local_date(below[0].recorded_at)).days < 26 * 7


def test_ibuprofen_for_ten_days_and_physiotherapy_in_the_spell(demo: User) -> None:
    treatments = list(Treatment.objects.filter(user=demo).order_by("started_at"))
    [course] = [t for t in treatments if t.kind == Treatment.Kind.MEDICATION]
    assert course.label == "Medication: ibuprofen 400 mg three times a day"
    assert (local_date(course.ended_at) - local_date(course.started_at)).days == 9
    physio = [t for t in treatments if t.kind == Treatment.Kind.PHYSIOTHERAPY]
    assert len(physio) == 4
    below = PainCheckin.objects.filter(
        user=demo, pain_regions=["low_back_center", "buttock_left", "thigh_left", "below_knee_left"]
    )
    assert local_date(course.started_at) <= local_date(physio[0].started_at)
    assert below.exists()
    for treatment in treatments:
        treatment.full_clean()
