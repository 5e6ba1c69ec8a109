"""The questionnaire, schedule and treatment forms of the pages."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from backpainlog.forms import ServiceModelForm
from clinical import instruments, selectors
from clinical.models import Schedule, Treatment
from runs.forms import DateTimeLocalInput, PainScaleInput


class QuestionnaireForm(forms.Form):
    """One questionnaire's answers, cleaned to what the services store; a hidden id
    chosen when the form is drawn makes a double tap on Save store it once."""

    key: str

    id = forms.UUIDField(required=False, initial=uuid.uuid4, widget=forms.HiddenInput)

    def answers(self) -> Any:
        raise NotImplementedError

    def service_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "questionnaire": self.key,
            "answers": self.answers(),
            "completed_at": timezone.now(),
        }
        if self.cleaned_data.get("id"):
            fields["id"] = self.cleaned_data["id"]
        return fields

    def add_service_errors(self, exc: ValidationError) -> None:
        # The answers are the whole form: their error goes on top, as does one on the id.
        self.add_error(None, exc.messages)


class RmdqForm(QuestionnaireForm):
    key = instruments.RMDQ

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, item in enumerate(instruments.RMDQ_ITEMS, start=1):
            self.fields[f"item_{number}"] = forms.BooleanField(required=False, label=item)

    def items(self) -> list[forms.BoundField]:
        return [self[f"item_{number}"] for number in range(1, len(instruments.RMDQ_ITEMS) + 1)]

    def answers(self) -> list[bool]:
        return [bool(self.cleaned_data[f"item_{n}"]) for n in range(1, len(instruments.RMDQ_ITEMS) + 1)]


class RatingInput(PainScaleInput):
    """A 0–10 box filled in by a row of tap targets (as the pain scale)."""


class PsfsForm(QuestionnaireForm):
    key = instruments.PSFS

    def __init__(self, *args: Any, activities: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        activities = activities or []
        for number in range(1, instruments.PSFS_MAX_ACTIVITIES + 1):
            self.fields[f"activity_{number}"] = forms.CharField(
                required=False,
                max_length=instruments.PSFS_ACTIVITY_MAX_LENGTH,
                label=f"Activity {number}",
                initial=activities[number - 1] if number <= len(activities) else "",
                widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "e.g. run 10 km"}),
            )
            self.fields[f"score_{number}"] = forms.IntegerField(
                required=False,
                min_value=instruments.SCORE_MIN,
                max_value=instruments.SCORE_MAX,
                label=f"How well, activity {number}",
                widget=RatingInput(),
            )
        self.previous = activities

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"activity_{n}"], self[f"score_{n}"]) for n in range(1, instruments.PSFS_MAX_ACTIVITIES + 1)
        ]

    def _shown(self) -> int:
        """Rows drawn open: last time's activities (at least one); once sent, those filled in."""
        if not self.is_bound:
            return max(1, len(self.previous))
        filled = [
            n
            for n in range(1, instruments.PSFS_MAX_ACTIVITIES + 1)
            if self.data.get(f"activity_{n}") or self.data.get(f"score_{n}")
        ]
        return max([1, *filled])

    def open_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return self.rows()[: self._shown()]

    def more_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return self.rows()[self._shown() :]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        named = 0
        for number in range(1, instruments.PSFS_MAX_ACTIVITIES + 1):
            activity, rating = cleaned.get(f"activity_{number}"), cleaned.get(f"score_{number}")
            if f"activity_{number}" in self.errors or f"score_{number}" in self.errors:
                named += 1
                continue
            if activity and rating is None:
                self.add_error(f"score_{number}", "Rate this activity from 0 to 10.")
            elif rating is not None and not activity:
                self.add_error(f"activity_{number}", "Name the activity you rated.")
            if activity or rating is not None:
                named += 1
        if not named:
            raise ValidationError("Name at least one activity and rate it.")
        return cleaned

    def answers(self) -> list[dict[str, Any]]:
        return [
            {"activity": self.cleaned_data[f"activity_{n}"], "score": self.cleaned_data[f"score_{n}"]}
            for n in range(1, instruments.PSFS_MAX_ACTIVITIES + 1)
            if self.cleaned_data.get(f"activity_{n}")
        ]


class Pain7dForm(QuestionnaireForm):
    key = instruments.PAIN_7D

    score = forms.IntegerField(
        min_value=instruments.SCORE_MIN,
        max_value=instruments.SCORE_MAX,
        label="Average pain, last 7 days",
        widget=PainScaleInput(),
        error_messages={"required": "Choose a score from 0 to 10."},
    )

    def answers(self) -> dict[str, int]:
        return {"score": self.cleaned_data["score"]}


QUESTIONNAIRE_FORMS: dict[str, type[QuestionnaireForm]] = {
    form.key: form for form in (RmdqForm, PsfsForm, Pain7dForm)
}


class ScheduleForm(forms.Form):
    """How often each questionnaire is asked (Settings)."""

    def __init__(self, *args: Any, schedules: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, instrument in instruments.INSTRUMENTS.items():
            self.fields[key] = forms.ChoiceField(
                choices=Schedule.choices, label=instrument.title, initial=schedules[key]
            )


class TreatmentForm(ServiceModelForm):
    idempotent_create = True

    class Meta:
        model = Treatment
        fields = ["kind", "name", "dose", "started_at", "ended_at", "notes"]
        labels = {
            "kind": "Treatment",
            "name": "Name",
            "dose": "Dose",
            "started_at": "When",
            "ended_at": "Course ended (optional)",
        }
        help_texts = {
            "name": "The medication, or who treated you (needed for medication).",
            "ended_at": "For a course of medication; leave empty for a single session or dose.",
        }
        widgets = {
            "started_at": DateTimeLocalInput(),
            "ended_at": DateTimeLocalInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.user = user
        if self.instance._state.adding:
            self.initial.setdefault("started_at", timezone.localtime().replace(second=0, microsecond=0))


def schedule_form(user: User) -> ScheduleForm:
    """The questionnaires' schedules, for the settings page."""
    return ScheduleForm(schedules=selectors.schedules_for_user(user))
