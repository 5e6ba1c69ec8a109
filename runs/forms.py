from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from backpainlog.accounts.selectors import profile_of
from backpainlog.forms import DateRangeForm, DistanceField, ServiceModelForm
from backpainlog.units import DURATION_HINT, Unreadable, format_duration, parse_duration
from runs import plausibility
from runs.models import (
    MAX_DISTANCE_M,
    MAX_DURATION_S,
    PAIN_REGIONS,
    RED_FLAGS,
    RPE_MIN,
    PainCheckin,
    Run,
    implausible_pace,
)
from runs.selectors import last_surface
from shoes.models import Insole, Shoe
from shoes.selectors import GearModel, default_pair


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class PainScaleInput(forms.NumberInput):
    """A 0–10 number box; the template draws a row of tap targets that fill it in."""

    def __init__(self) -> None:
        super().__init__(attrs={"min": 0, "max": 10, "inputmode": "numeric", "class": "scale-value"})


class DurationField(forms.CharField):
    """A duration typed as h:mm:ss, mm:ss, minutes or stopwatch digits ("4530" is 45:30),
    on a numeric keypad; cleaned to seconds (:func:`backpainlog.units.parse_duration`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=12, **kwargs)
        self.widget.attrs.update(
            {
                "placeholder": "mm:ss or 4530",
                "autocomplete": "off",
                # Digits only: a phone's number pad has no colon, so "4530" is 45:30.
                "inputmode": "numeric",
                "data-duration": "",
            }
        )

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        try:
            total = parse_duration(super().clean(value) or "")
        except Unreadable as exc:
            raise ValidationError(str(exc)) from None
        if total is not None and not 1 <= total <= MAX_DURATION_S:
            raise ValidationError("Enter a duration between 1 second and 48 hours.")
        return total

    def prepare_value(self, value: Any) -> Any:
        return format_duration(value) if isinstance(value, int) else value


def gear_choices(model: GearModel, user: User, current: Any) -> Any:
    """The user's pairs in use, plus the one already on the run being edited."""
    keep = Q(retired_on__isnull=True)
    if current is not None:
        keep |= Q(pk=current.pk)
    return model.objects.filter(Q(user=user) & keep)


class RunForm(ServiceModelForm):
    idempotent_create = True
    converted_fields = {"distance": "distance_m", "duration": "duration_s"}

    duration = DurationField(required=False, label="Duration", help_text=DURATION_HINT)
    # Sent by the "Save anyway" button of the plausibility question, never drawn as a box.
    save_anyway = forms.BooleanField(required=False)

    class Meta:
        model = Run
        fields = [
            "started_at",
            "activity",
            "surface",
            "shoe",
            "insole",
            "pain_before",
            "pain_after",
            "pain_next_morning",
            "rpe",
            "elevation_gain_m",
            "notes",
            "pain_regions",
        ]
        labels = {
            "started_at": "Date and time",
            "shoe": "Shoes",
            "insole": "Insoles or orthotics",
            "rpe": "Effort (RPE 1–10)",
            "elevation_gain_m": "Elevation gain (m)",
        }
        widgets = {
            "started_at": DateTimeLocalInput(),
            "activity": forms.RadioSelect,
            "pain_before": PainScaleInput(),
            "pain_after": PainScaleInput(),
            "pain_next_morning": PainScaleInput(),
            "rpe": forms.NumberInput(attrs={"min": 1, "max": 10, "inputmode": "numeric"}),
            "elevation_gain_m": forms.NumberInput(attrs={"min": 0, "inputmode": "decimal", "step": "any"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    field_order = ["started_at", "activity", "distance", "duration"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.user = user
        editing = not self.instance._state.adding
        self.unit = profile_of(user).distance_unit
        self.fields["distance"] = DistanceField(unit=self.unit, max_m=MAX_DISTANCE_M, label="Distance")
        self.fields["distance"].widget.attrs["autofocus"] = True
        self.order_fields(self.field_order)
        self.fields["shoe"].queryset = gear_choices(Shoe, user, self.instance.shoe if editing else None)
        self.fields["insole"].queryset = gear_choices(Insole, user, self.instance.insole if editing else None)
        self.fields["shoe"].empty_label = "No shoes recorded"
        self.fields["insole"].empty_label = "None"
        self.fields["activity"].choices = Run.Activity.choices
        self.fields["pain_regions"].choices = list(PAIN_REGIONS.items())
        # The model field's form field sets min="0" (it is a positive integer); RPE starts at 1.
        self.fields["rpe"].widget.attrs["min"] = RPE_MIN
        # What the stored run said, so that an edit asks about plausibility only when what
        # it asks about changed (fixing the notes of a marathon does not ask again).
        self.stored = (
            (
                self.instance.activity,
                self.instance.distance_m,
                self.instance.duration_s,
                self.instance.started_at,
            )
            if editing
            else None
        )
        if editing:
            self.initial["distance"] = self.instance.distance_m
            self.initial["duration"] = self.instance.duration_s
        else:
            del self.fields["pain_next_morning"]  # asked for the morning after
            # The defaults that make a typical run a few taps: now, the default pairs, the
            # surface of the last run.
            self.initial.setdefault("started_at", timezone.localtime().replace(second=0, microsecond=0))
            self.initial.setdefault("shoe", default_pair(Shoe, user=user))
            self.initial.setdefault("insole", default_pair(Insole, user=user))
            self.initial.setdefault("surface", last_surface(user) or Run.Surface.ROAD)
            self.initial.setdefault("activity", Run.Activity.RUN)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The model refuses the same pace in km; said here in the user's own unit.
        refusal = implausible_pace(
            cleaned.get("activity") or Run.Activity.RUN,
            cleaned.get("distance"),
            cleaned.get("duration"),
            self.unit,
        )
        if refusal:
            self.add_error("duration", refusal)
        return cleaned

    def _post_clean(self) -> None:
        # The model's own check of the pace (its clean()) sees what was typed, not what is
        # stored; a field that failed (or the pace refused above) is left out of it.
        self.instance.distance_m = self.cleaned_data.get("distance")
        self.instance.duration_s = self.cleaned_data.get("duration")
        super()._post_clean()

    @property
    def wants_change(self) -> bool:
        """The plausibility question's "Change it" (without JavaScript): show the form again."""
        return self.is_bound and bool(self.data.get("change_it"))

    @cached_property
    def unlikely_reasons(self) -> list[str]:
        """Why the typed run looks unlikely (docs/analytics.md#plausibility), to ask "Is this right?" before
        saving; empty once answered with "Save anyway", or when nothing is unusual."""
        if not self.is_bound or self.wants_change or not self.is_valid() or self.cleaned_data["save_anyway"]:
            return []
        data = self.cleaned_data
        typed = (data["activity"], data["distance"], data["duration"], data["started_at"])
        if self.stored is not None and typed == self.stored:
            return []
        pk = None if self.instance._state.adding else self.instance.pk
        reasons = plausibility.unlikely_reasons(
            activity=data["activity"],
            distance_m=data["distance"],
            duration_s=data["duration"],
            longest_before_m=plausibility.longest_before(self.instance.user, data["started_at"], exclude=pk),
            unit=self.unit,
        )
        if reasons:
            # The question has the focus, not the distance box (which would scroll away).
            self.fields["distance"].widget.attrs.pop("autofocus", None)
        return reasons

    def ready_to_save(self) -> bool:
        """Valid, and nothing left to ask."""
        return self.is_valid() and not self.wants_change and not self.unlikely_reasons


class PainCheckinForm(ServiceModelForm):
    idempotent_create = True

    class Meta:
        model = PainCheckin
        fields = ["score", "radiating_leg_pain", "pain_regions", "red_flags", "recorded_at", "notes"]
        labels = {
            "score": "Pain",
            # Keeps "pain" out of this label, so that "Pain" names one control only.
            "radiating_leg_pain": "Radiates down the leg",
            "recorded_at": "Date and time",
        }
        widgets = {
            "score": PainScaleInput(),
            "recorded_at": DateTimeLocalInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.user = user
        self.fields["pain_regions"].choices = list(PAIN_REGIONS.items())
        self.fields["red_flags"].choices = list(RED_FLAGS.items())
        if self.instance._state.adding:
            self.initial.setdefault("recorded_at", timezone.localtime().replace(second=0, microsecond=0))


class NextMorningPainForm(forms.Form):
    pain_next_morning = forms.IntegerField(min_value=0, max_value=10)


class RunFilterForm(DateRangeForm):
    """The runs list's filter: dates, and the imported runs still waiting for pain scores
    (``?needs_pain=1``, where the dashboard's reminder links)."""

    needs_pain = forms.BooleanField(required=False, label="Only imported runs waiting for pain scores")

    @property
    def needs_pain_only(self) -> bool:
        return self.is_bound and self.is_valid() and self.cleaned_data["needs_pain"]


class DashboardRangeForm(DateRangeForm):
    """The dashboard's period: the last 4, 12, 26 or 52 weeks (ending today), or dates
    ``from``/``to`` (either may be left out: the other end is today, or 12 weeks)."""

    WEEKS = (4, 12, 26, 52)
    DEFAULT_WEEKS = 12
    MAX_DAYS = 2 * 366  # the charts stay readable on a phone

    weeks = forms.TypedChoiceField(
        choices=[(weeks, f"{weeks} weeks") for weeks in WEEKS], coerce=int, required=False, label="Period"
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        start, end = self.bounds
        if start or end:
            end = end or max(self.today, start)
            start = start or end - dt.timedelta(weeks=self.DEFAULT_WEEKS, days=-1)
            if (end - start).days >= self.MAX_DAYS:
                self.add_error("to", "Choose at most two years.")
                return cleaned
            cleaned["period"] = start, end
        else:
            weeks = cleaned.get("weeks") or self.DEFAULT_WEEKS
            cleaned["period"] = self.today - dt.timedelta(weeks=weeks, days=-1), self.today
        return cleaned

    @property
    def selected_weeks(self) -> int | None:
        """The number of weeks shown, or None for a custom period."""
        if not (self.is_bound and self.is_valid()):
            return self.DEFAULT_WEEKS
        if any(self.bounds):
            return None
        return self.cleaned_data.get("weeks") or self.DEFAULT_WEEKS

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        """The chosen local dates; the last 12 weeks when the choice is not valid."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period"]
        return self.today - dt.timedelta(weeks=self.DEFAULT_WEEKS, days=-1), self.today
