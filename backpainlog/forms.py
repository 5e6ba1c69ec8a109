"""Form pieces shared by the apps' pages and the API."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_UP, Decimal
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import BaseValidator, MaxValueValidator, MinValueValidator

from backpainlog.units import (
    METRES_PER_UNIT,
    UNIT_DECIMALS,
    Unreadable,
    parse_decimal,
    to_metres,
)

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


FieldT = TypeVar("FieldT", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[FieldT]) -> FieldT:
    """``form``'s field ``name``, known to be a ``kind`` (a ModelChoiceField for a foreign
    key, say), so that its own attributes (``choices``, ``queryset``) can be set."""
    field = form.fields[name]
    assert isinstance(field, kind), f"{name} is a {type(field).__name__}, not a {kind.__name__}"
    return field


class DateInput(forms.DateInput):
    input_type = "date"


class DateRangeForm(forms.Form):
    """``from``/``to`` filters (inclusive local dates) for lists, the API and exports."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so these fields cannot be declared as attributes.
        for name, label in (("from", "From"), ("to", "To")):
            self.fields[name] = forms.DateField(
                required=False,
                label=label,
                widget=DateInput(format="%Y-%m-%d"),
                input_formats=["%Y-%m-%d"],
                error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for name in ("from", "to"):
            value = cleaned.get(name)
            if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
                self.add_error(name, "Choose a date between 1900 and 2100.")
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", "“To” must not be before “From”.")
        return cleaned

    @property
    def bounds(self) -> tuple[dt.date | None, dt.date | None]:
        """The valid range; call after ``is_valid()``."""
        return self.cleaned_data.get("from"), self.cleaned_data.get("to")

    @property
    def is_filtering(self) -> bool:
        """Whether a valid range narrows the list (a bare ``?page=`` does not)."""
        return self.is_bound and self.is_valid() and any(self.bounds)


def _in_unit(metres: float, unit: str, rounding: str, *, decimals: int = UNIT_DECIMALS) -> Decimal:
    step = Decimal(1).scaleb(-decimals)
    return (Decimal(repr(metres)) / METRES_PER_UNIT[unit]).quantize(step, rounding=rounding)


class DistanceField(forms.DecimalField):
    """A distance typed in the user's unit (km or mi), cleaned to metres.

    A text box, not a number box: a number box in a browser set to English drops "8,2"
    (or reads it as 82), so the typed text comes to the server as typed and is read here
    with a decimal point or a decimal comma (:func:`backpainlog.units.parse_decimal`).
    ``inputmode`` still opens the phone's number pad.

    ``max_m`` and ``min_m`` are the model's limits in metres; the messages show them in the
    user's unit. A stored value is shown to ``shown_decimals`` places (a replacement
    distance of 640 km is "398" mi, not "397.678"); sent back as shown, it keeps its exact
    stored value, so opening and saving a form changes nothing.
    """

    def __init__(
        self,
        *,
        unit: str,
        max_m: float,
        min_m: float | None = None,
        allow_zero: bool = False,
        shown_decimals: int = UNIT_DECIMALS,
        **kwargs: Any,
    ) -> None:
        self.unit = unit
        self.allow_zero = allow_zero
        self.shown_decimals = shown_decimals
        # Rounded inwards: 500 km is 310.6856 mi, and 310.686 mi would be over the limit.
        validators: list[BaseValidator] = [MaxValueValidator(_in_unit(max_m, unit, ROUND_DOWN))]
        if min_m is not None:
            validators.append(MinValueValidator(_in_unit(min_m, unit, ROUND_UP)))
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(decimal_places=UNIT_DECIMALS, max_digits=12, validators=validators, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "data-decimal": ""})

    # DecimalField answers a Decimal; its stubs keep the to_python of IntegerField (an int).
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int | float):
            return super().to_python(value)
        try:
            return parse_decimal(str(value))
        except Unreadable as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        # Initial values come from the model in metres; bound values are what was typed.
        if isinstance(value, float):
            return self.shown(value)
        return value

    def shown(self, metres: float) -> Decimal:
        """``metres`` as the box shows it: ``shown_decimals`` places, trailing zeros dropped."""
        shown = _in_unit(metres, self.unit, ROUND_HALF_EVEN, decimals=self.shown_decimals)
        # normalize() alone turns 640 into 6.4E+2, which the box would show as is.
        return shown.quantize(Decimal(1)) if shown == shown.to_integral_value() else shown.normalize()

    def clean(self, value: Any) -> float | None:
        number = super().clean(value)
        if number is None:
            return None
        if number < 0 or (number == 0 and not self.allow_zero):
            raise ValidationError("Must be more than 0." if not self.allow_zero else "Must not be negative.")
        if isinstance(self.initial, float) and number == self.shown(self.initial):
            return self.initial  # sent back as shown: unchanged
        return to_metres(number, self.unit)


class ServiceModelForm(forms.ModelForm):
    """A model form whose save goes through a service.

    ``service_fields()`` gives the cleaned values under the model's field names;
    ``add_service_errors()`` shows a service's ValidationError on the form, naming the
    form's own fields where they differ from the model's (``distance`` for
    ``distance_m``).
    """

    #: form field name → model field name, for fields typed in other units
    converted_fields: dict[str, str] = {}
    #: a new entry carries a hidden id chosen when the form is drawn, so that a double
    #: tap on Save or a re-sent POST finds the entry already saved instead of adding a
    #: second one (the services' idempotent create)
    idempotent_create = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.idempotent_create and self.instance._state.adding:
            self.fields["id"] = forms.UUIDField(required=False, initial=uuid.uuid4, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not self.instance._state.adding:
            # Date-time boxes show minutes. Saving an edit with the minute unchanged keeps
            # the stored seconds (a watch's exact start), rather than moving the entry.
            for name, field in self.fields.items():
                value, stored = cleaned.get(name), getattr(self.instance, name, None)
                if (
                    isinstance(field, forms.DateTimeField)
                    and isinstance(stored, dt.datetime)
                    and value == stored.replace(second=0, microsecond=0)
                ):
                    cleaned[name] = stored
        return cleaned

    def _update_errors(self, errors: ValidationError) -> None:
        # A private hook of BaseModelForm that its stubs leave out.
        super()._update_errors(self._named_for_form(errors))  # type: ignore[misc]

    def _named_for_form(self, exc: ValidationError) -> ValidationError:
        """``exc`` with its errors under the form's field names (``distance`` for
        ``distance_m``)."""
        if not hasattr(exc, "error_dict"):
            return exc
        to_form = {model_name: form_name for form_name, model_name in self.converted_fields.items()}
        return ValidationError({to_form.get(name, name): errors for name, errors in exc.error_dict.items()})

    def service_fields(self) -> dict[str, Any]:
        data = {
            name: self.cleaned_data[name] for name in self._meta.fields or () if name in self.cleaned_data
        }
        if self.cleaned_data.get("id"):
            data["id"] = self.cleaned_data["id"]
        for form_name, model_name in self.converted_fields.items():
            data[model_name] = self.cleaned_data[form_name]
        return data

    def add_service_errors(self, exc: ValidationError) -> None:
        exc = self._named_for_form(exc)
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, errors in exc.error_dict.items():
            # Errors on hidden fields (the client id) would not be seen: show them on top.
            shown = field in self.fields and not self.fields[field].widget.is_hidden
            self.add_error(field if shown else None, errors)
