"""Making the reminders whose local time has come (the worker's periodic job, every minute).

Each user's day is looked at once, at the first tick after their reminder time
(``ReminderSettings.scanned_through``); the work per tick is a fixed number of queries
whatever the number of users: the settings of everyone who can be reached, then, for those
whose time has come, their runs awaiting a next-morning score, their questionnaires, and
their shoes past 80 %. The reminders are inserted with conflicts ignored: the unique keys
make a second worker's (or a second tick's) copy of one a no-op.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, FloatField, Max, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce

from clinical import instruments
from clinical.models import QuestionnaireResponse, QuestionnaireSchedule
from reminders import payloads
from reminders.models import PushSubscription, Reminder, ReminderSettings
from reminders.schedule import Timing, days_due, fire_at
from runs.models import Run
from shoes import wear
from shoes.models import Shoe

# Runs awaiting next-morning pain are from yesterday or the day before (a reminder held
# back past midnight): this reaches back far enough in any zone.
RUN_LOOKBACK = dt.timedelta(days=3)
# The database only narrows the shoes down; shoes.wear judges each pair exactly.
_NEARING_SLACK = 1e-9


@dataclass
class DueUser:
    user_id: int
    timing: Timing
    unit: str
    joined: dt.date
    days: list[dt.date]
    kinds: set[str] = field(default_factory=set)


def _reachable_settings() -> list[Mapping[str, Any]]:
    """The settings of every user with a kind of reminder on and somewhere to send it."""
    has_device = Exists(PushSubscription.objects.filter(user=OuterRef("user")))
    return list(
        ReminderSettings.objects.filter(Q(next_morning=True) | Q(questionnaires=True) | Q(shoes=True))
        .filter(Q(email=True) | has_device)
        .values(
            "user_id",
            "next_morning",
            "questionnaires",
            "shoes",
            "time",
            "quiet_start",
            "quiet_end",
            "scanned_through",
            "user__date_joined",
            "user__profile__timezone",
            "user__profile__distance_unit",
        )
    )


def _due_users(
    now: dt.datetime, rows: list[Mapping[str, Any]]
) -> tuple[dict[int, DueUser], dict[dt.date, list[int]]]:
    due: dict[int, DueUser] = {}
    scanned: dict[dt.date, list[int]] = defaultdict(list)
    for row in rows:
        # No profile yet: its defaults.
        zone = zoneinfo.ZoneInfo(row["user__profile__timezone"] or "UTC")
        timing = Timing(row["time"], row["quiet_start"], row["quiet_end"], zone)
        days, through = days_due(now, timing, row["scanned_through"])
        if through is not None:
            scanned[through].append(row["user_id"])
        if not days:
            continue
        user = DueUser(
            user_id=row["user_id"],
            timing=timing,
            unit=row["user__profile__distance_unit"] or "km",
            joined=row["user__date_joined"].astimezone(zone).date(),
            days=days,
        )
        user.kinds = {kind for kind in ("next_morning", "questionnaires", "shoes") if row[kind]}
        due[user.user_id] = user
    return due, scanned


def _with(due: dict[int, DueUser], kind: str) -> list[int]:
    return [user_id for user_id, user in due.items() if kind in user.kinds]


def _next_morning(now: dt.datetime, due: dict[int, DueUser]) -> list[Reminder]:
    runs = Run.objects.filter(
        user_id__in=_with(due, "next_morning"),
        pain_next_morning__isnull=True,
        started_at__gte=now - RUN_LOOKBACK,
        started_at__lt=now,
    ).values_list("id", "user_id", "started_at", "distance_m", "activity")
    made = []
    for run_id, user_id, started_at, distance_m, activity in runs:
        user = due[user_id]
        run_day = started_at.astimezone(user.timing.zone).date()
        morning = run_day + dt.timedelta(days=1)
        if morning not in user.days:
            continue
        payload = payloads.next_morning(
            run_id=str(run_id),
            activity=Run.Activity(activity).label,
            distance_m=distance_m,
            unit=user.unit,
            run_day=run_day,
        )
        made.append(_reminder(user, Reminder.Kind.NEXT_MORNING, str(run_id), morning, payload))
    return made


def _questionnaires(due: dict[int, DueUser]) -> list[Reminder]:
    """A questionnaire is due on the day its interval after the last answer ends (or after
    sign-up, if never answered), and again at each interval while it stays unanswered."""
    user_ids = _with(due, "questionnaires")
    chosen = {
        (user_id, key): schedule
        for user_id, key, schedule in QuestionnaireSchedule.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "questionnaire", "schedule"
        )
    }
    last = {
        (row["user_id"], row["questionnaire"]): row["last"]
        for row in QuestionnaireResponse.objects.filter(user_id__in=user_ids)
        .order_by()
        .values("user_id", "questionnaire")
        .annotate(last=Max("completed_at"))
    }
    made = []
    for user_id in user_ids:
        user = due[user_id]
        for key, instrument in instruments.INSTRUMENTS.items():
            interval = instruments.SCHEDULE_DAYS[chosen.get((user_id, key), instrument.default_schedule)]
            if interval is None:
                continue
            answered = last.get((user_id, key))
            anchor = answered.astimezone(user.timing.zone).date() if answered else user.joined
            for day in user.days:
                elapsed = (day - anchor).days
                if elapsed % interval == 0 and (elapsed > 0 or (elapsed == 0 and answered is None)):
                    payload = payloads.questionnaire_due(key=key)
                    made.append(_reminder(user, Reminder.Kind.QUESTIONNAIRE, key, day, payload))
    return made


def _shoes(due: dict[int, DueUser]) -> list[Reminder]:
    """A pair reaching 80 % and 100 % of its replacement distance, each once: a pair found
    past 100 % at once is told so, and its 80 % is passed over."""
    user_ids = _with(due, "shoes")
    logged = Coalesce(Sum("runs__distance_m"), Value(0.0), output_field=FloatField())
    pairs = (
        Shoe.objects.filter(user_id__in=user_ids, retired_on__isnull=True)
        .annotate(odometer_m=F("initial_distance_m") + logged)
        .filter(odometer_m__gte=F("replacement_threshold_m") * (wear.NEARING_RATIO - _NEARING_SLACK))
        .values_list("id", "user_id", "name", "odometer_m", "replacement_threshold_m")
    )
    told = set(
        Reminder.objects.filter(
            user_id__in=user_ids, kind__in=[Reminder.Kind.SHOE_NEARING, Reminder.Kind.SHOE_WORN]
        ).values_list("kind", "subject")
    )
    made = []
    for shoe_id, user_id, name, odometer_m, threshold_m in pairs:
        user, subject = due[user_id], str(shoe_id)
        status = wear.wear_status(odometer_m, threshold_m)
        worn = status == wear.REPLACE
        if status not in (wear.NEARING, wear.REPLACE):
            continue
        kind = Reminder.Kind.SHOE_WORN if worn else Reminder.Kind.SHOE_NEARING
        if (kind, subject) in told:
            continue
        day = user.days[-1]
        payload = payloads.shoe_wear(
            shoe_id=shoe_id,
            name=name,
            distance_m=odometer_m,
            threshold_m=threshold_m,
            unit=user.unit,
            worn=worn,
        )
        made.append(_reminder(user, kind, subject, day, payload))
        if worn and (Reminder.Kind.SHOE_NEARING, subject) not in told:
            passed = _reminder(user, Reminder.Kind.SHOE_NEARING, subject, day, payload)
            passed.status = Reminder.Status.SKIPPED
            made.append(passed)
    return made


def _reminder(user: DueUser, kind: str, subject: str, day: dt.date, payload: dict[str, str]) -> Reminder:
    return Reminder(
        user_id=user.user_id,
        kind=kind,
        subject=subject,
        date=day,
        due_at=fire_at(day, user.timing),
        payload=payload,
    )


def make_due_reminders(now: dt.datetime) -> int:
    """Make every reminder whose local time has come; how many were new to this call's
    look (a copy another worker made at the same moment is left out by the database)."""
    due, scanned = _due_users(now, _reachable_settings())
    made: list[Reminder] = []
    if due:
        made = _next_morning(now, due) + _questionnaires(due) + _shoes(due)
        Reminder.objects.bulk_create(made, ignore_conflicts=True, batch_size=500)
    # After the reminders are in: a crash in between means the day is looked at again.
    for through, user_ids in scanned.items():
        ReminderSettings.objects.filter(user_id__in=user_ids).filter(
            Q(scanned_through__isnull=True) | Q(scanned_through__lt=through)
        ).update(scanned_through=through)
    return len(made)
