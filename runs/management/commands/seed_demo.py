"""``manage.py seed_demo``: the demo account, with a year of made-up but plausible data.

The year is built to show what the app is for, so that every screen has something to say:

- a runner with back pain training 3–5 times a week, mostly easy road runs at 5:15–6:30 /km,
  with a few walks (walk-run rehab), some trail, track and treadmill sessions, and a long
  run that builds from ~8 km to ~21 km over the year;
- sharp jumps in load: a long run ~80 % longer than anything in the 30 days before it
  (docs/analytics.md#long-run-spike, band "moderate"), and a running-holiday week ~50 % bigger than
  the week before (``weekly_increase``), each followed by a flare-up and a week of walks;
  and five more long-run spikes six weeks apart, one in every band, three of which hurt
  only two days later (the delayed patterns find them);
- hilly trail runs that often flare the back, scattered over the year: the pattern that
  survives every honesty check (docs/analytics.md#verdicts), where the worn pair, filling one stretch of time,
  does not;
- a first pair of shoes kept ~180 km past its replacement distance, a stretch in which
  flare-ups come often, then a second pair (now nearing its own) and a pair of insoles;
- pain that is mostly low (1–3) and slowly easing, with the flare-ups visible everywhere:
  pain after − before ≥ 2, a worse next morning, daily check-ins well above their recent
  median and sometimes radiating down the leg;
- the clinical record (docs/product.md#clinical-outcomes): the lower back marked on the body map, the left
  side and the left buttock and thigh on the bad days, and after the running holiday two weeks of
  pain below the left knee (which is pain radiating down the leg); a weekly RMDQ falling
  from a bad spell (14) to 5, with a bump in those two weeks; a PSFS every two weeks on
  three activities, rising; a weekly 7-day pain score that is the week's check-ins; a
  10-day course of ibuprofen 400 mg and four physiotherapy sessions in those weeks. No red
  flag: the demo shows what a typical log looks like.

The run-level and check-in flags (``flags``, ``spike_band``, ``acwr``, ``flare``) and the
patterns are not made up: the analytics compute them from the year, as for any user.

Everything comes from ``random.Random(SEED)`` and dates count back from the demo user's
today, so the account looks the same whenever it is created.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from backpainlog.accounts.models import DEFAULT_REPLACEMENT_THRESHOLD_M
from backpainlog.accounts.services import account_delete, profile_update, user_sign_up
from clinical import instruments
from clinical.models import QuestionnaireResponse, Treatment
from clinical.services import changes_refresh
from runs.models import PAIN_MAX, PAIN_MIN, PainCheckin, Run
from runs.services import analytics_refresh
from shoes.models import Insole, Shoe
from shoes.services import gear_create, gear_retire

USERNAME = "demo"
PASSWORD = "backpain-demo"  # noqa: S105 (a public demo login, printed on purpose)
EMAIL = "demo@example.com"
TIME_ZONE = "Europe/London"
SEED = 20_240_401

DAYS = 365  # check-ins from today − 364 to today; runs up to yesterday

# The long-run build-up and the easy runs around it (km), from the first week to the last.
LONG_RUN_START_KM, LONG_RUN_END_KM = 8.0, 21.1
LONG_RUN_PEAK_AT = 0.92  # share of the year after which the long run holds at half-marathon
EASY_RUN_START_KM, EASY_RUN_END_KM = 4.5, 6.0
CUTBACK_FACTOR = 0.88  # every fourth week is lighter, as most plans do
FOURTH_RUN_FROM = 0.3  # share of the year after which a fourth run joins the week
EXTRA_WALK_CHANCE = 0.25

# The designed jumps in load (week numbers from the first Monday). The long-run spikes
# (× the longest run in the 30 days before) are six weeks apart, so that each compares
# with ordinary runs: one in every band of docs/analytics.md#long-run-spike, and how the back answers each.
SPIKE_WEEK = 13
SPIKE_FACTOR = 1.8  # inside the 30–100 % "moderate" band
# week: (factor, flare magnitude, days until the flare: 0 during the run, 2 two days on, the
# "load today, pain the day after tomorrow" the delayed patterns look for; note)
DESIGNED_SPIKES: dict[int, tuple[float, float, int, str]] = {
    6: (
        2.1,
        3.5,
        0,
        "Ran the half-marathon course with a friend. Far too far this early; back sore by 15 km.",
    ),
    19: (1.2, 3.0, 2, "A bit longer than usual. Felt fine at the time."),
    25: (1.2, 3.0, 2, "Extra loop of the park. No problems during the run."),
    31: (1.2, 0.0, 0, "Slightly longer long run, back happy throughout."),
    37: (1.4, 3.2, 2, "Long trail day with the club. Legs tired, back fine on the day."),
}
JUMP_WEEKS_BEFORE_END = 11
JUMP_FACTOR = 1.55  # × the week before: well past the 30 % of docs/analytics.md#weekly-increase

# Shoes: the first pair has some distance on it already and is kept this far past its
# replacement distance before the runner buys the second pair.
FIRST_PAIR_INITIAL_M = 60_000.0
WORN_EXTRA_M = 180_000.0
# Per pair (docs/product.md#what-is-recorded): the second pair is a durable trainer rated for the top of the
# usual 480–800 km range, which leaves it "nearing" rather than "replace" at the end of the year.
SECOND_PAIR_THRESHOLD_M = 800_000.0
SECOND_PAIR_END_RATIO = 0.9
# Moulded insoles outlast shoe foam by far.
INSOLE_THRESHOLD_M = 2_000_000.0

# How pain behaves. A flare adds ``magnitude`` points the next morning, fading by this
# factor a day; most flare-ups are over in three or four days.
FLARE_DECAY = 0.6
WORN_FLARE_CHANCE = {"long": 0.75, "easy": 0.4}
# Hilly trail runs are hard on this runner's back all year: an exposure that comes and
# goes, the kind the patterns can judge (docs/analytics.md#periods).
TRAIL_FLARE_CHANCE = 0.65
BACKGROUND_FLARE_CHANCE = 0.03  # bad days happen without a reason in the log too

# The clinical record (docs/product.md#clinical-outcomes). Its own random stream, so that the year above stays
# the same whatever is added here.
CLINICAL_SEED = SEED + 1
LEG_SPELL_DAYS = 14  # pain below the left knee, from the week after the running holiday
RMDQ_FIRST, RMDQ_LAST = 14, 5
RMDQ_SPELL_BUMP = 3
# The statements a runner with back pain ticks first, as the score grows (item numbers).
RMDQ_ORDER = (2, 11, 18, 3, 13, 21, 16, 9, 10, 6, 23, 12, 14, 17, 22, 7, 5, 4, 20, 1, 8, 15, 19, 24)
# Each activity's rating at the start and at the end of the year (0 unable, 10 as before).
PSFS_ACTIVITIES = {"run 10 km": (2, 9), "sit through a film": (4, 9), "put on my socks": (5, 10)}
PHYSIO_SESSIONS = 4
IBUPROFEN_DAYS = 10


@dataclass
class Session:
    """One planned run or walk, before pain and gear are known."""

    day: dt.date
    role: str  # "easy", "long" or "walk"
    distance_km: float
    note: str = ""
    flare: float = 0.0  # a designed flare-up: pain points added the next morning
    flare_delay_days: int = 0  # 0: felt during the run; n: the pain comes n days later
    surface: str = Run.Surface.ROAD
    start: dt.time = dt.time(7, 0)
    pace_s_per_km: float = 360.0
    elevation_gain_m: float | None = None
    shoe: Shoe | None = None
    insole: Insole | None = None
    worn_shoe: bool = False

    @property
    def activity(self) -> str:
        return Run.Activity.WALK if self.role == "walk" else Run.Activity.RUN


@dataclass
class DemoYear:
    """Builds the demo user's year; ``today`` is the user's local date."""

    user: User
    today: dt.date
    now: dt.datetime
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    zone: zoneinfo.ZoneInfo = field(init=False)
    first_day: dt.date = field(init=False)
    last_run_day: dt.date = field(init=False)
    jump_week: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.zone = zoneinfo.ZoneInfo(TIME_ZONE)
        self.first_day = self.today - dt.timedelta(days=DAYS - 1)
        self.last_run_day = self.today - dt.timedelta(days=1)

    # -- the training plan ------------------------------------------------------------

    def plan(self) -> list[Session]:
        weeks = (self.last_run_day - self._week_start(0)).days // 7 + 1
        # The holiday week follows a full, normal week (not a cutback), so the jump is clean.
        jump_week = weeks - JUMP_WEEKS_BEFORE_END
        jump_week += (1 - jump_week % 4) % 4
        self.jump_week = jump_week
        recovery: dict[int, float | str] = {
            SPIKE_WEEK + 1: "walks",
            SPIKE_WEEK + 2: 0.75,
            SPIKE_WEEK + 3: 0.9,
            jump_week + 1: "walks",
            jump_week + 2: 0.85,
        }
        fourth_run_from = math.ceil(FOURTH_RUN_FROM * (weeks - 1))
        sessions: list[Session] = []
        for week in range(weeks):
            sessions.extend(
                self._plan_week(
                    week,
                    progress=week / (weeks - 1),
                    fourth_run_weeks=week - fourth_run_from,
                    earlier=sessions,
                    recovery=recovery.get(week, 1.0),
                    jump=week == jump_week,
                )
            )
        for session in sessions:
            self._dress(session)
        sessions[0].note = "First run in the log. Back stiff for the first kilometre, then fine."
        after_spike = [s for s in sessions if s.day > self._week_start(SPIKE_WEEK + 1)]
        first_walk = next(
            s for s in sessions if s.role == "walk" and s.day >= self._week_start(SPIKE_WEEK + 1)
        )
        first_walk.note = "Walk only. Back and left leg still sore from Sunday."
        half = next((s for s in after_spike if s.role == "long" and s.distance_km >= 21), None)
        if half is not None:
            half.note = "Half-marathon distance at last, built up week by week this time."
        return sessions

    def _plan_week(
        self,
        week: int,
        *,
        progress: float,
        fourth_run_weeks: int,
        earlier: list[Session],
        recovery: float | str,
        jump: bool,
    ) -> list[Session]:
        rng = self.rng
        monday = self._week_start(week)
        long_km = LONG_RUN_START_KM + (LONG_RUN_END_KM - LONG_RUN_START_KM) * min(
            1.0, progress / LONG_RUN_PEAK_AT
        )
        easy_km = EASY_RUN_START_KM + (EASY_RUN_END_KM - EASY_RUN_START_KM) * progress
        factor = CUTBACK_FACTOR if week % 4 == 3 else 1.0
        if isinstance(recovery, float):
            factor *= recovery

        # The same weekdays every week (Tuesday, Thursday, Sunday long run; later a short
        # Saturday run too), so that the rolling 7-day windows of docs/analytics.md#weekly-increase compare
        # like with like and only the designed jumps stand out. Sometimes an extra walk; five runs
        # only on the holiday.
        if jump:
            weekdays = [0, 1, 3, 5, 6]
        elif fourth_run_weeks < 0:
            weekdays = [1, 3, 6]
        else:
            weekdays = [1, 3, 5, 6]
        extra_walk = None
        if not jump and recovery != "walks" and rng.random() < EXTRA_WALK_CHANCE:
            extra_walk = rng.choice([d for d in range(6) if d not in weekdays])

        sessions = []
        for weekday in sorted([*weekdays, *([extra_walk] if extra_walk is not None else [])]):
            day = monday + dt.timedelta(days=weekday)
            if weekday == extra_walk or recovery == "walks":
                role, km = "walk", rng.uniform(3.0, 5.5)
            elif weekday == 6:
                role, km = "long", long_km * factor * rng.uniform(0.97, 1.03)
            else:
                role, km = "easy", easy_km * factor * rng.uniform(0.88, 1.12)
                if weekday == 5 and not jump:
                    # The Saturday run starts short and grows: a new run adds ~12 % a week, not 25 %.
                    km *= min(1.0, 0.5 + 0.1 * fourth_run_weeks)
            sessions.append(Session(day=day, role=role, distance_km=km))

        if week == SPIKE_WEEK:
            long_run = sessions[-1]
            long_run.distance_km = SPIKE_FACTOR * self._longest_before(
                [*earlier, *sessions[:-1]], long_run.day
            )
            long_run.note = (
                "Went with the club's half-marathon group and stayed with them the whole way. "
                "Far more than I've done. Back and left leg sore by the end."
            )
            long_run.flare = 4.0
        if week in DESIGNED_SPIKES:
            factor, magnitude, delay, note = DESIGNED_SPIKES[week]
            long_run = sessions[-1]
            long_run.distance_km = factor * self._longest_before([*earlier, *sessions[:-1]], long_run.day)
            long_run.note, long_run.flare, long_run.flare_delay_days = note, magnitude, delay
        if jump:
            previous_km = sum(
                s.distance_km
                for s in earlier
                if s.role != "walk" and monday - dt.timedelta(days=7) <= s.day < monday
            )
            long_run, easy_runs = sessions[-1], sessions[:-1]
            for run in easy_runs:
                # Longer easy runs rather than a longer long run: a jump in the week,
                # not in the longest run.
                run.distance_km = (JUMP_FACTOR * previous_km - long_run.distance_km) / len(easy_runs)
                run.distance_km *= rng.uniform(0.95, 1.05)
            easy_runs[0].note = "Running holiday in the Lakes: out every day this week."
            long_run.note = "Last day of the holiday. Legs heavy, back tight on the descents."
            long_run.flare = 3.0

        return self._fit_to_year(sessions, monday)

    def _longest_before(self, earlier: list[Session], day: dt.date) -> float:
        window = [
            s.distance_km for s in earlier if s.role != "walk" and day - dt.timedelta(days=30) <= s.day < day
        ]
        return max(window)

    def _fit_to_year(self, sessions: list[Session], monday: dt.date) -> list[Session]:
        """Drop what falls outside the year. The log starts on the year's first day and its
        last run is yesterday, so that today the app asks for that run's next-morning pain."""
        inside = [s for s in sessions if self.first_day <= s.day <= self.last_run_day]
        if monday <= self.first_day < monday + dt.timedelta(days=7):
            inside = [s for s in inside if s.day != self.first_day][:4]
            # As long as the week's long run: otherwise the first Sunday, compared with
            # nothing but shorter runs, would be a long-run spike on the first page.
            inside.insert(0, Session(day=self.first_day, role="long", distance_km=sessions[-1].distance_km))
        if monday <= self.last_run_day < monday + dt.timedelta(days=7) and (
            not inside or inside[-1].day != self.last_run_day
        ):
            nearest = min(sessions, key=lambda s: abs((s.day - self.last_run_day).days))
            role = "easy" if nearest.role == "long" else nearest.role
            inside = [
                *inside[-4:],
                Session(day=self.last_run_day, role=role, distance_km=nearest.distance_km),
            ]
        return inside

    def _dress(self, session: Session) -> None:
        """Surface, time of day, pace and elevation: what a watch would have recorded."""
        rng = self.rng
        winter = session.day.month in (11, 12, 1, 2)
        summer = session.day.month in range(4, 10)
        morning = session.role == "long" or rng.random() < 0.5
        if session.role == "walk":
            session.surface = rng.choices(["road", "grass", "trail"], weights=[6, 3, 1])[0]
            session.start = dt.time(rng.choice([12, 13, 17]), rng.randrange(0, 60, 5))
            session.pace_s_per_km = rng.uniform(570, 690)
        else:
            if session.role == "long":
                session.surface = rng.choices(
                    ["road", "trail", "mixed"], weights=[14, 5 if summer else 1, 1]
                )[0]
                session.start = dt.time(rng.choice([8, 8, 9]), rng.randrange(0, 60, 5))
            else:
                # Dark winter evenings go on the treadmill; summer Tuesdays on the track.
                if not morning and winter and rng.random() < 0.45:
                    surface = "treadmill"
                elif not morning and summer and session.day.weekday() == 1 and rng.random() < 0.5:
                    surface = "track"
                else:
                    surface = rng.choices(["road", "trail", "grass", "concrete"], weights=[17, 1, 1, 1])[0]
                session.surface = surface
                hour = rng.choice([6, 7]) if morning else rng.choice([18, 18, 19])
                session.start = dt.time(hour, rng.randrange(0, 60, 5))
            low, high = {
                "track": (315, 340),
                "treadmill": (330, 360),
                "trail": (360, 390),
            }.get(session.surface, (330, 385) if session.role == "easy" else (345, 390))
            session.pace_s_per_km = rng.uniform(low, high)
        if session.surface == "treadmill":
            session.elevation_gain_m = None
        elif session.surface == "track":
            session.elevation_gain_m = 0.0
        elif session.surface == "trail":
            session.elevation_gain_m = round(session.distance_km * rng.uniform(18, 35))
        elif rng.random() < 0.7:
            session.elevation_gain_m = round(session.distance_km * rng.uniform(3, 12))
        session.distance_km = round(session.distance_km, 2)

    # -- gear -------------------------------------------------------------------------

    def create_gear(self, sessions: list[Session]) -> tuple[list[Shoe], Insole]:
        first_pair = gear_create(
            Shoe,
            user=self.user,
            name="Blue Ghosts",
            brand="Brooks",
            model="Ghost 15",
            started_on=self.first_day - dt.timedelta(days=24),
            initial_distance_m=FIRST_PAIR_INITIAL_M,
            replacement_threshold_m=DEFAULT_REPLACEMENT_THRESHOLD_M,
            is_default=True,
        )
        # The runner keeps going in the first pair well past its replacement distance.
        odometer = first_pair.initial_distance_m
        switch = None
        remaining = sum(session.distance_km for session in sessions) * 1000
        for index, session in enumerate(sessions):
            # The switch also waits until the second pair will end the year at most 90 %
            # worn: "nearing" with a projected replacement date, whatever the calendar.
            if (
                odometer >= first_pair.replacement_threshold_m + WORN_EXTRA_M
                and remaining <= SECOND_PAIR_END_RATIO * SECOND_PAIR_THRESHOLD_M
            ):
                switch = index
                break
            remaining -= session.distance_km * 1000
            session.shoe = first_pair
            session.worn_shoe = odometer >= first_pair.replacement_threshold_m
            odometer += session.distance_km * 1000
        if switch is None:
            raise RuntimeError("The demo plan is too short for the first pair to wear out.")
        switch_day = sessions[switch].day
        second_pair = gear_create(
            Shoe,
            user=self.user,
            name="Cliftons",
            brand="Hoka",
            model="Clifton 9",
            started_on=switch_day,
            replacement_threshold_m=SECOND_PAIR_THRESHOLD_M,
            is_default=True,
        )
        gear_retire(first_pair, on=switch_day)
        for session in sessions[switch:]:
            session.shoe = second_pair
        sessions[switch].note = "New shoes at last. The old pair was completely flat."
        first_worn = next(s for s in sessions if s.worn_shoe and s.role == "long")
        first_worn.note = first_worn.note or "Shoes feel flat under the forefoot these days."

        # The physio suggested insoles after the first big flare-up.
        insole_from = next(i for i, s in enumerate(sessions) if s.day >= self._week_start(SPIKE_WEEK + 2))
        insole = gear_create(
            Insole,
            user=self.user,
            name="Physio insoles",
            brand="Superfeet",
            model="Run Support Medium Arch",
            started_on=sessions[insole_from].day,
            replacement_threshold_m=INSOLE_THRESHOLD_M,
            is_default=True,
        )
        for session in sessions[insole_from:]:
            session.insole = insole
        sessions[insole_from].note = sessions[insole_from].note or "First time out with the physio's insoles."
        return [first_pair, second_pair], insole

    def _week_start(self, week: int) -> dt.date:
        first_monday = self.first_day - dt.timedelta(days=self.first_day.weekday())
        return first_monday + dt.timedelta(weeks=week)

    # -- pain -------------------------------------------------------------------------

    def _base_pain(self, day: dt.date) -> float:
        """Low background pain that eases over the year, with slow ups and downs."""
        t = (day - self.first_day).days
        return 2.5 - 0.9 * t / DAYS + 0.35 * math.sin(2 * math.pi * t / 26)

    def build(self, sessions: list[Session]) -> tuple[list[Run], list[PainCheckin]]:
        rng = self.rng
        # One shared daily noise: the morning check-in and the previous day's
        # next-morning pain describe the same morning, so they agree.
        days = [self.first_day + dt.timedelta(days=n) for n in range(DAYS)]
        noise = {day: rng.gauss(0, 0.55) for day in days}
        extra: dict[dt.date, float] = defaultdict(float)

        def morning_score(day: dt.date) -> int:
            return clamp(self._base_pain(day) + extra[day] + noise[day])

        by_day = {s.day: s for s in sessions}
        last_run = sessions[-1]
        runs: list[Run] = []
        checkins: list[PainCheckin] = []
        for day in days:
            # A few mornings forgotten; never during a flare-up.
            if extra[day] >= 1 or rng.random() > 0.03:
                checkin = self._morning_checkin(day, morning_score(day), extra[day])
                if checkin is not None:
                    checkins.append(checkin)
            session = by_day.get(day)
            if session is None:
                continue

            before = clamp(self._base_pain(day) + extra[day] + noise[day] + rng.gauss(0, 0.3))
            magnitude = self._flare_magnitude(session)
            delay = session.flare_delay_days
            if magnitude:
                for k in range(max(1, delay), 8):
                    extra[day + dt.timedelta(days=k)] += magnitude * FLARE_DECAY ** (k - max(1, delay))
            if magnitude and not delay:
                after = clamp(before + max(2, round(magnitude * rng.uniform(0.8, 1.1))))
            else:
                # An easy run usually leaves the back as it was or a little looser.
                after = clamp(before + rng.choice([-1, -1, 0, 0, 0, 1]))
            next_morning = morning_score(day + dt.timedelta(days=1)) if session is not last_run else None
            runs.append(self._run(session, before, after, next_morning, flared=bool(magnitude)))

            if magnitude and not delay:
                checkins.append(
                    PainCheckin(
                        user=self.user,
                        recorded_at=self._at(day, dt.time(21, rng.randrange(0, 45, 5))),
                        score=after,
                        radiating_leg_pain=magnitude >= 3,
                        notes=rng.choice(
                            [
                                "Sore after today's run.",
                                "Back seized up this evening.",
                                "Hot bath, ibuprofen, early night.",
                            ]
                        ),
                    )
                )
        return runs, checkins

    def _flare_magnitude(self, session: Session) -> float:
        """How much this session flares the back; 0 for none."""
        rng = self.rng
        if session.flare:
            return session.flare
        if session.role == "walk":
            return 0.0
        if session.surface == Run.Surface.TRAIL and rng.random() < TRAIL_FLARE_CHANCE:
            return rng.uniform(2.0, 2.8)
        if session.worn_shoe and rng.random() < WORN_FLARE_CHANCE[session.role]:
            return rng.uniform(2.0, 3.2)
        if rng.random() < BACKGROUND_FLARE_CHANCE:
            return rng.uniform(2.0, 2.6)
        return 0.0

    def _morning_checkin(self, day: dt.date, score: int, flare: float) -> PainCheckin | None:
        rng = self.rng
        recorded_at = self._at(day, dt.time(7, 0)) + dt.timedelta(minutes=rng.randrange(0, 90))
        if recorded_at > self.now:
            return None  # today's check-in is not due yet
        radiating = flare >= 2.2 and rng.random() < 0.6
        notes = ""
        if flare >= 2.5:
            notes = rng.choice(
                [
                    "Stiff getting out of bed; took ages to put socks on.",
                    "Ache down the back of the left thigh.",
                    "Bad night. Couldn't find a comfortable position.",
                ]
            )
        return PainCheckin(
            user=self.user, recorded_at=recorded_at, score=score, radiating_leg_pain=radiating, notes=notes
        )

    def _run(
        self,
        session: Session,
        before: int | None,
        after: int | None,
        next_morning: int | None,
        *,
        flared: bool,
    ) -> Run:
        rng = self.rng
        rpe: int | None
        if session.role == "walk":
            rpe = rng.choice([1, 2, 2])
        elif session.surface == "track":
            rpe = rng.choice([6, 7])
        elif session.role == "long":
            rpe = rng.choice([5, 6, 6, 7])
        else:
            rpe = rng.choice([3, 3, 4, 4, 5])
        rpe = min(10, rpe + 2) if flared else rpe
        # Now and then a score is not filled in; never on the runs the story is about, and
        # not in the last week, so that the app asks only about the last run's next morning.
        if not (flared or session.note) and session.day < self.today - dt.timedelta(days=7):
            if rng.random() < 0.04:
                before = after = None
            if rng.random() < 0.08:
                next_morning = None
            if rng.random() < 0.1:
                rpe = None
        return Run(
            user=self.user,
            started_at=self._at(session.day, session.start),
            activity=session.activity,
            distance_m=session.distance_km * 1000,
            duration_s=round(session.distance_km * session.pace_s_per_km),
            elevation_gain_m=session.elevation_gain_m,
            surface=session.surface,
            shoe=session.shoe,
            insole=session.insole,
            pain_before=before,
            pain_after=after,
            pain_next_morning=next_morning,
            rpe=rpe,
            notes=session.note,
        )

    def _at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.zone)

    # -- the clinical record ----------------------------------------------------------

    @property
    def leg_spell(self) -> tuple[dt.date, dt.date]:
        """The two weeks of pain below the left knee, after the running holiday."""
        start = self._week_start(self.jump_week + 1)
        return start, start + dt.timedelta(days=LEG_SPELL_DAYS - 1)

    def mark_regions(self, runs: list[Run], checkins: list[PainCheckin]) -> None:
        """Where it hurt: the lower back on most entries, the left side on the bad days,
        the left buttock and thigh when the pain radiated, and below the left knee in the
        spell (which the database requires to count as radiating leg pain)."""
        rng = random.Random(CLINICAL_SEED)
        first, last = self.leg_spell
        for checkin in checkins:
            day = timezone.localtime(checkin.recorded_at, self.zone).date()
            regions = []
            if checkin.score >= 1:
                regions.append("low_back_center")
            if checkin.score >= 4 or (checkin.score >= 3 and rng.random() < 0.3):
                regions.append("low_back_left")
            if first <= day <= last and checkin.score >= 1:
                checkin.radiating_leg_pain = True
                regions += ["buttock_left", "thigh_left", "below_knee_left"]
            elif checkin.radiating_leg_pain:
                regions += ["buttock_left", "thigh_left"]
            checkin.pain_regions = regions
        for run in runs:
            if run.pain_after is not None and run.pain_after >= 3:
                run.pain_regions = ["low_back_center", *(["low_back_left"] if run.pain_after >= 5 else [])]

    def questionnaires(self, checkins: list[PainCheckin]) -> list[QuestionnaireResponse]:
        """A weekly RMDQ and 7-day pain, a PSFS every two weeks, on Sunday evenings."""
        rng = random.Random(CLINICAL_SEED + 1)
        first, last = self.leg_spell
        scores_by_day: dict[dt.date, list[int]] = defaultdict(list)
        for checkin in checkins:
            scores_by_day[timezone.localtime(checkin.recorded_at, self.zone).date()].append(checkin.score)
        sundays = []
        day = self.first_day + dt.timedelta(days=(6 - self.first_day.weekday()) % 7)
        while self._at(day, dt.time(19, 30)) <= self.now:
            sundays.append(day)
            day += dt.timedelta(weeks=1)
        responses = []
        for number, sunday in enumerate(sundays):
            progress = number / max(1, len(sundays) - 1)
            in_spell = first <= sunday <= last + dt.timedelta(days=7)
            if number == 0:
                ticked = RMDQ_FIRST
            elif number == len(sundays) - 1:
                ticked = RMDQ_LAST
            else:
                ticked = round(
                    RMDQ_FIRST - (RMDQ_FIRST - RMDQ_LAST) * progress**0.7 + rng.choice([-1, 0, 0, 1])
                )
                ticked = max(RMDQ_LAST - 2, min(24, ticked + (RMDQ_SPELL_BUMP if in_spell else 0)))
            ticks = set(RMDQ_ORDER[:ticked])
            responses.append(
                self._response(instruments.RMDQ, sunday, dt.time(19, 0), [n in ticks for n in range(1, 25)])
            )
            week = [score for k in range(7) for score in scores_by_day.get(sunday - dt.timedelta(days=k), [])]
            if week:
                average = clamp(sum(week) / len(week))
                responses.append(
                    self._response(instruments.PAIN_7D, sunday, dt.time(19, 5), {"score": average})
                )
            if number % 2 == 0:
                answers = []
                for activity, (start, end) in PSFS_ACTIVITIES.items():
                    rating = (
                        start
                        + (end - start) * progress
                        + rng.choice([-1, 0, 0, 0, 1])
                        - (2 if in_spell else 0)
                    )
                    rating = start if number == 0 else rating
                    answers.append({"activity": activity, "score": max(0, min(10, round(rating)))})
                responses.append(self._response(instruments.PSFS, sunday, dt.time(19, 10), answers))
        return responses

    def _response(self, key: str, day: dt.date, time: dt.time, answers: Any) -> QuestionnaireResponse:
        response = QuestionnaireResponse(
            user=self.user, questionnaire=key, completed_at=self._at(day, time), answers=answers
        )
        response.clean()  # cleans the answers and scores them
        return response

    def treatments(self) -> list[Treatment]:
        """A course of ibuprofen and weekly physiotherapy, from the start of the leg pain."""
        first, _ = self.leg_spell
        course = Treatment(
            user=self.user,
            kind=Treatment.Kind.MEDICATION,
            name="ibuprofen",
            dose="400 mg three times a day",
            started_at=self._at(first, dt.time(8, 0)),
            ended_at=self._at(first + dt.timedelta(days=IBUPROFEN_DAYS - 1), dt.time(20, 0)),
            notes="With food. Advised by the GP for the pain down the left leg.",
        )
        physio = [
            Treatment(
                user=self.user,
                kind=Treatment.Kind.PHYSIOTHERAPY,
                name="",
                started_at=self._at(first + dt.timedelta(days=3 + 7 * week), dt.time(17, 30)),
                notes="Nerve glides and core work; keep walking." if week == 0 else "",
            )
            for week in range(PHYSIO_SESSIONS)
        ]
        return [course, *physio]


def clamp(score: float) -> int:
    return max(PAIN_MIN, min(PAIN_MAX, round(score)))


class Command(BaseCommand):
    help = (
        f"Create the demo account ({USERNAME} / {PASSWORD}) with a year of runs, pain check-ins "
        "and shoes. Does nothing if it exists; --reset deletes and recreates it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo account and everything in it first."
        )

    @transaction.atomic
    def handle(self, *args: Any, reset: bool = False, **options: Any) -> None:
        existing = User.objects.filter(username=USERNAME).first()
        if existing is not None:
            if not reset:
                self.stdout.write(
                    f"The demo account exists; nothing changed (--reset recreates it). "
                    f"Log in with username {USERNAME}, password {PASSWORD}"
                )
                return
            account_delete(user=existing)
            self.stdout.write("Deleted the demo account.")

        user = user_sign_up(username=USERNAME, password=PASSWORD, email=EMAIL)
        profile_update(user=user, distance_unit="km", timezone=TIME_ZONE)
        now = timezone.now()
        year = DemoYear(
            user=user, today=timezone.localtime(now, zoneinfo.ZoneInfo(TIME_ZONE)).date(), now=now
        )
        sessions = year.plan()
        shoes, _ = year.create_gear(sessions)
        runs, checkins = year.build(sessions)
        year.mark_regions(runs, checkins)
        responses = year.questionnaires(checkins)
        treatments = year.treatments()
        for row in [*runs, *checkins, *responses, *treatments]:
            # The field validators alone: cheap, no queries (the gear was validated on creation).
            row.clean_fields(exclude=["user", "shoe", "insole"])
        Run.objects.bulk_create(runs)
        PainCheckin.objects.bulk_create(checkins)
        QuestionnaireResponse.objects.bulk_create(responses)
        Treatment.objects.bulk_create(treatments)
        for key in instruments.KEYS:
            changes_refresh(user, key)  # the change from the first, as the services keep it
        analytics_refresh(user)  # bulk_create skips the services: compute the flags once, at the end

        walks = sum(run.activity == Run.Activity.WALK for run in runs)
        kilometres = sum(run.distance_m for run in runs) / 1000
        self.stdout.write(
            f"Created {len(runs)} sessions ({len(runs) - walks} runs, {walks} walks, {kilometres:.0f} km) "
            f"from {year.first_day} to {year.last_run_day}, {len(checkins)} pain check-ins, "
            f"{len(shoes)} pairs of shoes, 1 pair of insoles, {len(responses)} questionnaire answers "
            f"and {len(treatments)} treatments."
        )
        self.stdout.write(self.style.SUCCESS(f"Demo account ready: username {USERNAME}, password {PASSWORD}"))
