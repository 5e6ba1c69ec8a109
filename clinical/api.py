from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from backpainlog.api import (
    ClientIdField,
    ModelSerializer,
    RejectUnknownFieldsMixin,
    ServiceViewSet,
    UserScopedMixin,
    signed_in,
)
from clinical import instruments, selectors, services
from clinical.models import QuestionnaireResponse, Schedule, Treatment
from runs.api import CLIENT_ID_HELP, DATE_RANGE_PARAMETERS

RATING = {"type": "integer", "minimum": instruments.SCORE_MIN, "maximum": instruments.SCORE_MAX}
ANSWERS_SCHEMA = {
    "oneOf": [
        {
            "title": "rmdq",
            "description": "24 ticks, true or false, in the order of the questionnaire's items.",
            "type": "array",
            "items": {"type": "boolean"},
            "minItems": len(instruments.RMDQ_ITEMS),
            "maxItems": len(instruments.RMDQ_ITEMS),
        },
        {
            "title": "psfs",
            "description": "1 to 5 different activities, each rated 0 (unable) to 10 (as before).",
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "activity": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": instruments.PSFS_ACTIVITY_MAX_LENGTH,
                    },
                    "score": RATING,
                },
                "required": ["activity", "score"],
                "additionalProperties": False,
            },
            "minItems": instruments.PSFS_MIN_ACTIVITIES,
            "maxItems": instruments.PSFS_MAX_ACTIVITIES,
        },
        {
            "title": "pain_7d",
            "description": "The average back pain over the last 7 days.",
            "type": "object",
            "properties": {"score": RATING},
            "required": ["score"],
            "additionalProperties": False,
        },
    ]
}


@extend_schema_field(ANSWERS_SCHEMA)
class AnswersField(serializers.JSONField):
    """The answers, in the shape of the questionnaire named beside them; the model
    checks that they fit it."""


class QuestionnaireSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=list(instruments.KEYS))
    title = serializers.CharField(source="instrument.title")
    items = serializers.ListField(
        child=serializers.CharField(),
        source="instrument.items",
        help_text="The statements or prompts, in order.",
    )
    min = serializers.IntegerField(source="instrument.minimum")
    max = serializers.IntegerField(source="instrument.maximum")
    meaningful_change = serializers.IntegerField(
        source="instrument.meaningful_change",
        help_text=(
            "Points on the score that patients notice (RMDQ: or 30 % of the first score; "
            "PSFS: or 3 points on one activity)."
        ),
    )
    higher_is_better = serializers.BooleanField(source="instrument.higher_is_better")
    schedule = serializers.ChoiceField(choices=Schedule.choices)
    due_on = serializers.DateField(
        allow_null=True, help_text="Your local date it is next due; null when its schedule is off."
    )


class ScheduleSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    # A PATCH: without it, nothing changes.
    schedule = serializers.ChoiceField(choices=Schedule.choices, required=False)


KEY_PARAMETER = OpenApiParameter("key", str, OpenApiParameter.PATH, enum=list(instruments.KEYS))


@extend_schema_view(
    list=extend_schema(summary="The questionnaires, with your schedules and when each is due"),
    retrieve=extend_schema(summary="One questionnaire", parameters=[KEY_PARAMETER]),
    partial_update=extend_schema(
        summary="Change how often a questionnaire is asked",
        parameters=[KEY_PARAMETER],
        request=ScheduleSerializer,
        responses=QuestionnaireSerializer,
    ),
)
class QuestionnaireViewSet(UserScopedMixin, viewsets.GenericViewSet):
    """The Roland-Morris Disability Questionnaire (``rmdq``), the Patient-Specific
    Functional Scale (``psfs``) and the average pain of the last 7 days (``pain_7d``)."""

    serializer_class = QuestionnaireSerializer
    lookup_field = "key"
    lookup_value_regex = "|".join(instruments.KEYS)
    http_method_names = ["get", "patch", "head", "options"]

    def status_of(self, key: str) -> selectors.QuestionnaireStatus:
        for status in selectors.questionnaires_for_user(signed_in(self.request)):
            if status.key == key:
                return status
        raise Http404

    def list(self, request: Request) -> Response:
        statuses = selectors.questionnaires_for_user(signed_in(request))
        # DRF pages any sequence; its stubs ask for a QuerySet.
        page: list[selectors.QuestionnaireStatus] | None = self.paginate_queryset(statuses)  # type: ignore[arg-type]
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, key: str) -> Response:
        return Response(self.get_serializer(self.status_of(key)).data)

    def partial_update(self, request: Request, key: str) -> Response:
        status = self.status_of(key)
        serializer = ScheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if "schedule" in serializer.validated_data:
            services.schedule_set(
                user=signed_in(request),
                questionnaire=status.key,
                schedule=serializer.validated_data["schedule"],
            )
        return Response(self.get_serializer(self.status_of(key)).data)


class QuestionnaireResponseSerializer(RejectUnknownFieldsMixin, ModelSerializer):
    id = ClientIdField(required=False, help_text=CLIENT_ID_HELP)
    answers = AnswersField(
        help_text=(
            "rmdq: a list of 24 booleans (item order as listed); psfs: a list of 1–5 "
            '{"activity", "score" (0–10)}; pain_7d: {"score" (0–10)}.'
        )
    )
    score = serializers.FloatField(
        read_only=True,
        help_text="RMDQ: items ticked (0–24); PSFS: mean of the activities; pain_7d: the score.",
    )
    change_from_first = serializers.FloatField(
        read_only=True, allow_null=True, help_text="This score minus your first one; null for the first."
    )
    meaningful_change = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="Whether the change from the first is one patients notice; null for the first.",
    )
    change_text = serializers.CharField(read_only=True, help_text="The change in words.")

    class Meta:
        model = QuestionnaireResponse
        fields = [
            "id",
            "questionnaire",
            "completed_at",
            "answers",
            "score",
            "change_from_first",
            "meaningful_change",
            "change_text",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"completed_at": {"help_text": "Default: now. At most a day in the future."}}


ANSWERS_RULE = "the answers must fit the questionnaire named (see `answers`)"


@extend_schema_view(
    list=extend_schema(
        summary="Your questionnaire answers, newest first",
        parameters=[
            *DATE_RANGE_PARAMETERS,
            OpenApiParameter("questionnaire", str, enum=list(instruments.KEYS), description="Only this one."),
        ],
    ),
    create=extend_schema(
        summary="Store completed questionnaire answers (idempotent with a client id)",
        responses={
            201: QuestionnaireResponseSerializer,
            200: OpenApiResponse(
                QuestionnaireResponseSerializer, description="Retry of an identical create."
            ),
            409: OpenApiResponse(description="The id is taken by a different entry."),
        },
    ),
)
class QuestionnaireResponseViewSet(ServiceViewSet):
    """Your answers to the questionnaires, each with its score and its change from your
    first answers to the same questionnaire."""

    serializer_class = QuestionnaireResponseSerializer
    queryset = QuestionnaireResponse.objects.none()  # for the schema; get_queryset() scopes to the caller

    def get_queryset(self) -> QuerySet[QuestionnaireResponse]:
        if self.action != "list":
            return selectors.responses_for_user(signed_in(self.request))
        start, end = self.date_range()
        key = self.request.query_params.get("questionnaire") or None
        if key is not None and key not in instruments.KEYS:
            raise serializers.ValidationError(
                {"questionnaire": [f"Choose one of {', '.join(instruments.KEYS)}."]}
            )
        return selectors.responses_for_user(signed_in(self.request), start=start, end=end, questionnaire=key)

    def create_object(self, data: dict[str, Any]) -> tuple[QuestionnaireResponse, bool]:
        return services.response_create(user=signed_in(self.request), **data)

    def update_object(self, instance: QuestionnaireResponse, data: dict[str, Any]) -> QuestionnaireResponse:
        return services.response_update(instance, **data)

    def delete_object(self, instance: QuestionnaireResponse) -> None:
        services.response_delete(instance)


class TreatmentSerializer(RejectUnknownFieldsMixin, ModelSerializer):
    id = ClientIdField(required=False, help_text=CLIENT_ID_HELP)

    class Meta:
        model = Treatment
        fields = ["id", "kind", "name", "dose", "started_at", "ended_at", "notes", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {
            "name": {"help_text": "What it was: required for medication."},
            "started_at": {
                "help_text": "When it was given or taken, or a course began; at most a day ahead."
            },
            "ended_at": {
                "help_text": "The end of a course; null for a single event. Not before started_at.",
            },
        }


@extend_schema_view(
    list=extend_schema(parameters=DATE_RANGE_PARAMETERS, summary="Your treatments, newest first"),
    create=extend_schema(
        summary="Record a treatment (idempotent with a client id)",
        responses={
            201: TreatmentSerializer,
            200: OpenApiResponse(TreatmentSerializer, description="Retry of an identical create."),
            409: OpenApiResponse(description="The id is taken by a different entry."),
        },
    ),
)
class TreatmentViewSet(ServiceViewSet):
    """Medication, physiotherapy sessions, injections, massage and other treatments.
    Recorded and shown; the app does not judge them."""

    serializer_class = TreatmentSerializer
    queryset = Treatment.objects.none()  # for the schema; get_queryset() scopes to the caller

    def get_queryset(self) -> QuerySet[Treatment]:
        start, end = self.date_range() if self.action == "list" else (None, None)
        return selectors.treatments_for_user(signed_in(self.request), start=start, end=end)

    def create_object(self, data: dict[str, Any]) -> tuple[Treatment, bool]:
        return services.treatment_create(user=signed_in(self.request), **data)

    def update_object(self, instance: Treatment, data: dict[str, Any]) -> Treatment:
        return services.treatment_update(instance, **data)

    def delete_object(self, instance: Treatment) -> None:
        services.treatment_delete(instance)
