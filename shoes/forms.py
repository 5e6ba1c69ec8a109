from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from backpainlog.accounts.models import MAX_REPLACEMENT_THRESHOLD_M, MIN_REPLACEMENT_THRESHOLD_M
from backpainlog.accounts.selectors import profile_of
from backpainlog.forms import DateInput, DistanceField, ServiceModelForm
from shoes.models import MAX_INITIAL_DISTANCE_M, Insole, Shoe
from shoes.selectors import GearModel

REPLACEMENT_HELP = {
    Shoe: "Most running shoes last 480–800 km (300–500 mi).",
    Insole: "Insoles wear out too: the maker's advice says when.",
}


class GearForm(ServiceModelForm):
    converted_fields = {
        "initial_distance": "initial_distance_m",
        "replacement_distance": "replacement_threshold_m",
    }

    class Meta:
        model = Shoe  # replaced by gear_form_class for insoles
        fields = ["name", "brand", "model", "started_on", "is_default"]
        labels = {"started_on": "First worn on", "is_default": "Default pair for new runs"}
        widgets = {"started_on": DateInput(format="%Y-%m-%d")}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.user = user
        profile = profile_of(user)
        unit = profile.distance_unit
        self.fields["initial_distance"] = DistanceField(
            unit=unit,
            max_m=MAX_INITIAL_DISTANCE_M,
            allow_zero=True,
            shown_decimals=0,
            label=f"Distance already on them ({unit})",
            initial=self.instance.initial_distance_m,
        )
        self.fields["replacement_distance"] = DistanceField(
            unit=unit,
            max_m=MAX_REPLACEMENT_THRESHOLD_M,
            min_m=MIN_REPLACEMENT_THRESHOLD_M,
            shown_decimals=0,
            label=f"Replace after ({unit})",
            help_text=REPLACEMENT_HELP.get(self._meta.model, ""),
            initial=(
                profile.default_replacement_threshold_m
                if self.instance._state.adding
                else self.instance.replacement_threshold_m
            ),
        )
        self.order_fields(
            ["name", "brand", "model", "started_on", "initial_distance", "replacement_distance"]
        )


def gear_form_class(model: GearModel) -> type[GearForm]:
    meta = type("Meta", (GearForm.Meta,), {"model": model})
    return type(f"{model.__name__}Form", (GearForm,), {"Meta": meta})
