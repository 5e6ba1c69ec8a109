from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from backpainlog.accounts.selectors import local_today
from backpainlog.api import ModelSerializer, ServiceViewSet
from shoes import selectors, services
from shoes.models import Gear, Insole, Shoe

GEAR_FIELDS = [
    "id",
    "name",
    "brand",
    "model",
    "started_on",
    "initial_distance_m",
    "replacement_threshold_m",
    "retired_on",
    "is_default",
    "distance_m",
    "remaining_m",
    "wear_ratio",
    "status",
    "projected_replacement_date",
    "run_count",
]


class GearSerializer(ModelSerializer):
    distance_m = serializers.FloatField(
        read_only=True, help_text="Odometer: initial distance plus logged runs."
    )
    remaining_m = serializers.FloatField(read_only=True, help_text="Distance left before replacement (≥ 0).")
    wear_ratio = serializers.FloatField(read_only=True)
    status = serializers.ChoiceField(choices=Gear.Status.choices, read_only=True)
    projected_replacement_date = serializers.SerializerMethodField(
        help_text="When the replacement distance is reached at the pace of the last 28 days."
    )
    run_count = serializers.IntegerField(read_only=True)

    class Meta:
        fields = GEAR_FIELDS
        extra_kwargs = {
            "replacement_threshold_m": {"required": False, "help_text": "Default: your profile's."},
            "started_on": {"required": False, "help_text": "Default: today."},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The database's check constraint would say so too, but as a non-field error:
        # name the field (docs/api.md#errors: 400 with the field as key).
        started_on = attrs.get(
            "started_on", self.instance.started_on if self.instance else self.context["today"]
        )
        retired_on = attrs.get("retired_on", self.instance.retired_on if self.instance else None)
        if retired_on is not None and retired_on < started_on:
            raise serializers.ValidationError(
                {"retired_on": "A pair cannot be retired before it was first worn."}
            )
        return attrs

    def get_projected_replacement_date(self, pair: Gear) -> dt.date | None:
        return selectors.projected_replacement_date(pair, today=self.context["today"])


class ShoeSerializer(GearSerializer):
    class Meta(GearSerializer.Meta):
        model = Shoe


class InsoleSerializer(GearSerializer):
    class Meta(GearSerializer.Meta):
        model = Insole


class GearViewSet(ServiceViewSet):
    """Shoes and insoles: the same fields, verbs and rules."""

    model: selectors.GearModel

    @cached_property
    def today(self) -> dt.date:
        return local_today(self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": self.today}

    def get_queryset(self) -> QuerySet[Gear]:
        return selectors.gear_with_wear(self.model, user=self.request.user)

    def create_object(self, data: dict[str, Any]) -> tuple[Gear, bool]:
        return services.gear_create(self.model, user=self.request.user, **data), True

    def update_object(self, instance: Gear, data: dict[str, Any]) -> Gear:
        return services.gear_update(instance, **data)

    def delete_object(self, instance: Gear) -> None:
        services.gear_delete(instance)


class ShoeViewSet(GearViewSet):
    model = Shoe
    queryset = Shoe.objects.none()  # for the schema; get_queryset() scopes to the caller
    serializer_class = ShoeSerializer


class InsoleViewSet(GearViewSet):
    model = Insole
    queryset = Insole.objects.none()  # for the schema; get_queryset() scopes to the caller
    serializer_class = InsoleSerializer
