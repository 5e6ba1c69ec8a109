"""The reminders part of the settings page."""

from __future__ import annotations

from typing import Any

from django import forms

from backpainlog.forms import ServiceModelForm
from reminders.models import ReminderSettings
from reminders.selectors import email_offered


class TimeInput(forms.TimeInput):
    """The phone's own time picker; HH:MM, as the browser sends it back."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"step": "60", **(attrs or {})}, format="%H:%M")


class ReminderSettingsForm(ServiceModelForm):
    class Meta:
        model = ReminderSettings
        fields = ["next_morning", "questionnaires", "shoes", "time", "quiet_start", "quiet_end", "email"]
        labels = {
            "next_morning": "Ask about my back the morning after a run",
            "questionnaires": "Questionnaires on the day they are due",
            "shoes": "Shoes at 80 % and 100 % of their distance",
            "time": "Reminder time",
            "quiet_start": "Quiet hours from",
            "quiet_end": "Quiet hours until",
            "email": "Send reminders by e-mail too",
        }
        help_texts = {
            "time": "In your time zone.",
            "quiet_end": "A reminder due in quiet hours waits for their end. The same time twice: no quiet hours.",
            "email": "For a browser that cannot show notifications; to your account's e-mail address.",
        }
        widgets = {"time": TimeInput(), "quiet_start": TimeInput(), "quiet_end": TimeInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="reminders", **kwargs)
        for name in ("time", "quiet_start", "quiet_end"):
            field = self.fields[name]
            assert isinstance(field, forms.TimeField)
            field.input_formats = ["%H:%M"]
            field.error_messages["invalid"] = "Enter a time as HH:MM, 00:00 to 23:59."
        if not email_offered():
            del self.fields["email"]
