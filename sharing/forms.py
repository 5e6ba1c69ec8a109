from __future__ import annotations

from typing import Any

from django import forms

from backpainlog.forms import DateRangeForm
from sharing.models import DEFAULT_DAYS, LABEL_MAX_LENGTH, MAX_DAYS, MIN_DAYS


class ShareLinkForm(DateRangeForm):
    """The /share/ page's form; the service checks the same rules again for the API."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "label": forms.CharField(
                label="Label",
                required=False,
                max_length=LABEL_MAX_LENGTH,
                help_text="For whom, so that you recognise the link later, e.g. “Physio”.",
            ),
            "expires_in_days": forms.IntegerField(
                label="Valid for (days)",
                min_value=MIN_DAYS,
                max_value=MAX_DAYS,
                initial=DEFAULT_DAYS,
                help_text=f"{MIN_DAYS} to {MAX_DAYS} days; you can revoke it sooner.",
            ),
            **self.fields,
        }
        self.fields["from"].help_text = "Optional: empty shares from your first entry."
        self.fields["to"].help_text = "Optional: empty shares up to the day it is opened."
