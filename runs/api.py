from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers

from backpainlog.api import ClientIdField, ModelSerializer, ServiceViewSet, UserOwnedPrimaryKeyField
from runs import selectors, services
from runs.models import PainCheckin, Run
from shoes.models import Insole, Shoe

DATE_RANGE_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First local date, YYYY-MM-DD (inclusive)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last local date, YYYY-MM-DD (inclusive)."),
]
CLIENT_ID_HELP = (
    "Optional on create: a client-generated id makes the create idempotent. The same id "
    "with the same values in the fields sent answers 200 with the stored entry; with "
    "different values, 409. An id already used by someone else is a 400."
)


class RunSerializer(ModelSerializer):
    id = ClientIdField(required=False, help_text=CLIENT_ID_HELP)
    shoe = UserOwnedPrimaryKeyField(
        queryset=Shoe.objects.all(),
        allow_null=True,
        required=False,
        help_text="One of your shoes; omitted on create, your default pair; null for none.",
    )
    insole = UserOwnedPrimaryKeyField(
        queryset=Insole.objects.all(),
        allow_null=True,
        required=False,
        help_text="One of your insoles; omitted on create, your default pair; null for none.",
    )
    pace_s_per_km = serializers.FloatField(read_only=True, allow_null=True)
    shoe_distance_m = serializers.FloatField(
        read_only=True, allow_null=True, help_text="The shoe's odometer at the start of this run."
    )
    flags = serializers.ListField(child=serializers.CharField(), read_only=True)
    spike_band = serializers.CharField(read_only=True, allow_null=True)
    acwr = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Run
        fields = [
            "id",
            "started_at",
            "activity",
            "distance_m",
            "duration_s",
            "elevation_gain_m",
            "surface",
            "shoe",
            "insole",
            "pain_before",
            "pain_after",
            "pain_next_morning",
            "rpe",
            "notes",
            "pace_s_per_km",
            "shoe_distance_m",
            "flags",
            "spike_band",
            "acwr",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


@extend_schema_view(
    list=extend_schema(parameters=DATE_RANGE_PARAMETERS, summary="Your runs, newest first"),
    create=extend_schema(
        summary="Log a run (idempotent with a client id)",
        responses={
            201: RunSerializer,
            200: OpenApiResponse(RunSerializer, description="Retry of an identical create."),
            409: OpenApiResponse(description="The id is taken by a different entry."),
        },
    ),
)
class RunViewSet(ServiceViewSet):
    """Your runs. Times are shown in your profile's time zone; distances in metres."""

    serializer_class = RunSerializer
    queryset = Run.objects.none()  # for the schema; get_queryset() scopes to the caller

    def get_queryset(self) -> QuerySet[Run]:
        start, end = self.date_range() if self.action == "list" else (None, None)
        return selectors.runs_for_user(self.request.user, start=start, end=end)

    def create_object(self, data: dict[str, Any]) -> tuple[Run, bool]:
        return services.run_create(user=self.request.user, **data)

    def update_object(self, instance: Run, data: dict[str, Any]) -> Run:
        return services.run_update(instance, **data)

    def delete_object(self, instance: Run) -> None:
        services.run_delete(instance)


class PainCheckinSerializer(ModelSerializer):
    id = ClientIdField(required=False, help_text=CLIENT_ID_HELP)

    class Meta:
        model = PainCheckin
        fields = [
            "id",
            "recorded_at",
            "score",
            "radiating_leg_pain",
            "notes",
            "flare",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["flare", "created_at", "updated_at"]
        extra_kwargs = {"recorded_at": {"required": True}}


@extend_schema_view(
    list=extend_schema(parameters=DATE_RANGE_PARAMETERS, summary="Your pain check-ins, newest first"),
    create=extend_schema(
        summary="Record a pain check-in (idempotent with a client id)",
        responses={
            201: PainCheckinSerializer,
            200: OpenApiResponse(PainCheckinSerializer, description="Retry of an identical create."),
            409: OpenApiResponse(description="The id is taken by a different entry."),
        },
    ),
)
class PainCheckinViewSet(ServiceViewSet):
    """Your pain diary: scores from 0 (no pain) to 10 (worst imaginable) between runs."""

    serializer_class = PainCheckinSerializer
    queryset = PainCheckin.objects.none()  # for the schema; get_queryset() scopes to the caller

    def get_queryset(self) -> QuerySet[PainCheckin]:
        start, end = self.date_range() if self.action == "list" else (None, None)
        return selectors.checkins_for_user(self.request.user, start=start, end=end)

    def create_object(self, data: dict[str, Any]) -> tuple[PainCheckin, bool]:
        return services.checkin_create(user=self.request.user, **data)

    def update_object(self, instance: PainCheckin, data: dict[str, Any]) -> PainCheckin:
        return services.checkin_update(instance, **data)

    def delete_object(self, instance: PainCheckin) -> None:
        services.checkin_delete(instance)
