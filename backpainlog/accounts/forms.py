from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.http import HttpRequest

from backpainlog.accounts import lockout
from backpainlog.accounts.models import (
    MAX_REPLACEMENT_THRESHOLD_M,
    MIN_REPLACEMENT_THRESHOLD_M,
    Profile,
    timezone_names,
)
from backpainlog.accounts.services import ProfileFields
from backpainlog.forms import DistanceField, ServiceModelForm, form_field


class SignUpForm(forms.Form):
    """One password box (with the validators Django has), so each label names one control."""

    username = forms.CharField(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @ . + - _ only.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        required=False,
        label="E-mail (optional)",
        help_text="Only for resetting a forgotten password.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not a common password.",
    )
    # Filled in by the page from the browser (static/js/signup.js): the time zone it runs
    # in and the unit its language suggests. Both optional, changeable in Settings; a
    # value the app does not know is ignored rather than refused.
    timezone = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    distance_unit = forms.CharField(required=False, max_length=2, widget=forms.HiddenInput)

    def clean_timezone(self) -> str | None:
        name = self.cleaned_data["timezone"]
        return name if name in timezone_names() else None

    def clean_distance_unit(self) -> str | None:
        unit = self.cleaned_data["distance_unit"]
        return unit if unit in Profile.DistanceUnit.values else None

    def profile_fields(self) -> ProfileFields:
        """What the browser told, for :func:`services.profile_update`."""
        fields = ProfileFields()
        if timezone := self.cleaned_data.get("timezone"):
            fields["timezone"] = timezone
        if distance_unit := self.cleaned_data.get("distance_unit"):
            fields["distance_unit"] = distance_unit
        return fields

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is taken.")
        return username

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if password := cleaned.get("password"):
            candidate = User(username=cleaned.get("username", ""), email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class ProfileForm(ServiceModelForm):
    converted_fields = {"default_replacement": "default_replacement_threshold_m"}

    # Typed with suggestions from the ~600 names (a datalist), not picked from a list of
    # them: "Lon" finds Europe/London.
    timezone = forms.ChoiceField(
        label="Time zone",
        choices=(),
        help_text="Start typing a city, e.g. London or New York.",
        widget=forms.TextInput(
            attrs={"list": "timezone-names", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    class Meta:
        model = Profile
        fields = ["distance_unit", "timezone"]
        labels = {"distance_unit": "Distance unit"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "timezone", forms.ChoiceField).choices = [
            (name, name.replace("_", " ")) for name in sorted(timezone_names())
        ]
        # Typed in the unit the page showed it in, even if the unit changes in the same save.
        unit = self.instance.distance_unit
        self.fields["default_replacement"] = DistanceField(
            unit=unit,
            max_m=MAX_REPLACEMENT_THRESHOLD_M,
            min_m=MIN_REPLACEMENT_THRESHOLD_M,
            shown_decimals=0,
            label=f"Default replacement distance for new shoes ({unit})",
            initial=self.instance.default_replacement_threshold_m,
        )


class PasswordCheckForm(forms.Form):
    """The user's current password, before something that cannot be undone or that
    weakens the account. A wrong one counts as a failed sign-in, so that someone holding
    a signed-in session cannot guess the password here faster than at the sign-in page."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(
        self, *args: Any, request: HttpRequest, user: User, label: str = "Your password", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        self.fields["password"].label = label

    def clean_password(self) -> str:
        return checked_password(self.request, self.user, self.cleaned_data["password"])


LOCKED_OUT = "Too many wrong passwords: please try again in 15 minutes."


def checked_password(request: HttpRequest, user: User, password: str) -> str:
    """``password`` if it is the user's, else the form error (a failed sign-in counted)."""
    outcome = lockout.password_check(request, user=user, password=password)
    if outcome is lockout.PasswordCheck.LOCKED_OUT:
        raise forms.ValidationError(LOCKED_OUT)
    if outcome is lockout.PasswordCheck.WRONG:
        raise forms.ValidationError("Incorrect password.")
    return password


class CountedPasswordChangeForm(PasswordChangeForm):
    """Django's password change, with the old password checked as a sign-in is."""

    def __init__(self, user: User, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        return checked_password(self.request, self.user, self.cleaned_data["old_password"])


class OneTimeCodeForm(forms.Form):
    """The 6-digit code from the authenticator app, or (``numeric=False``: letters
    allowed on the phone's keyboard) a recovery code. The service checks it."""

    code = forms.CharField(
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(
        self, *args: Any, label: str, numeric: bool = True, help_text: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = label
        self.fields["code"].help_text = help_text
        if numeric:
            self.fields["code"].widget.attrs["inputmode"] = "numeric"
