"""The API of push reminders: the server's VAPID key, the caller's push subscriptions, the
test notification, and the ``reminders`` part of the profile."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from django.contrib.auth.models import User
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backpainlog.api import RejectUnknownFieldsMixin, StrictBooleanField, StrictCharField, UserScopedMixin
from backpainlog.clients import coarse_client
from reminders import selectors, services, vapid
from reminders.endpoints import MAX_ENDPOINT_LENGTH
from reminders.keys import validate_auth_secret, validate_p256dh
from reminders.models import PushSubscription, ReminderSettings


def _caller(request: Request) -> User:
    """The signed-in user: every view here needs one (the API's default permission)."""
    return cast(User, request.user)


_HH_MM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


@extend_schema_field({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "07:30"})
class LocalTimeField(serializers.Field):
    """A wall-clock time as ``HH:MM`` (24 h), in the profile's time zone."""

    default_error_messages = {"invalid": "Enter a time as HH:MM, 00:00 to 23:59."}

    def to_internal_value(self, data: Any) -> dt.time:
        if not isinstance(data, str) or not _HH_MM.fullmatch(data):
            self.fail("invalid")
        return dt.time(int(data[:2]), int(data[3:]))

    def to_representation(self, value: dt.time) -> str:
        return value.strftime("%H:%M")


class ReminderSettingsSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    next_morning = StrictBooleanField(
        required=False, help_text="The morning after a run without a next-morning score, ask for it."
    )
    questionnaires = StrictBooleanField(required=False, help_text="A questionnaire due, on its day.")
    shoes = StrictBooleanField(
        required=False, help_text="A pair of shoes reaching 80 % and 100 % of its distance."
    )
    time = LocalTimeField(required=False, help_text="When reminders come, local time (HH:MM).")
    quiet_start = LocalTimeField(
        required=False, help_text="Quiet hours start (HH:MM): a reminder then waits for their end."
    )
    quiet_end = LocalTimeField(
        required=False,
        help_text="Quiet hours end (HH:MM; earlier than the start: across midnight; equal: none).",
    )
    email = StrictBooleanField(
        required=False,
        help_text="Reminders by e-mail as well (only where the server sends e-mail and the account has an address).",
    )

    class Meta:
        model = ReminderSettings
        fields = ["next_morning", "questionnaires", "shoes", "time", "quiet_start", "quiet_end", "email"]

    def validate_email(self, value: bool) -> bool:
        if value and (refusal := selectors.email_refusal(self.context["request"].user)):
            raise serializers.ValidationError(refusal)
        return value


class PushKeysSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    p256dh = StrictCharField(max_length=100, validators=[validate_p256dh])
    auth = StrictCharField(max_length=40, validators=[validate_auth_secret])


class PushSubscriptionSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    endpoint = StrictCharField(
        max_length=MAX_ENDPOINT_LENGTH,
        help_text="The push service's URL from PushSubscription.toJSON(): https, on a host of PUSH_ENDPOINT_HOSTS.",
    )
    keys = PushKeysSerializer(
        write_only=True, help_text="The subscription's keys (PushSubscription.toJSON().keys)."
    )
    # Browsers send it with toJSON(); the server keeps no expiry (a dead one answers 404/410).
    expirationTime = serializers.IntegerField(write_only=True, required=False, allow_null=True)
    client = serializers.CharField(read_only=True, help_text='The browser, coarsely: "Firefox on Android".')

    class Meta:
        model = PushSubscription
        fields = ["id", "endpoint", "keys", "expirationTime", "client", "created_at", "last_sent_at"]
        read_only_fields = ["id", "created_at", "last_sent_at"]


@extend_schema(
    responses=inline_serializer(
        "PushKey",
        {
            "public_key": serializers.CharField(
                help_text="VAPID public key: an uncompressed P-256 point, URL-safe base64."
            )
        },
    ),
    summary="The server's VAPID public key (PushManager.subscribe's applicationServerKey)",
)
class PushKeyView(APIView):
    def get(self, request: Request) -> Response:
        return Response({"public_key": vapid.public_key()})


class PushSubscriptionViewSet(
    UserScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your browsers' push subscriptions. The same endpoint again is the same one (200)."""

    serializer_class = PushSubscriptionSerializer
    queryset = PushSubscription.objects.none()  # for the schema; get_queryset() scopes to the caller

    def get_queryset(self) -> QuerySet[PushSubscription]:
        return selectors.push_subscriptions_for_user(_caller(self.request))

    @extend_schema(
        responses={
            201: PushSubscriptionSerializer,
            200: OpenApiResponse(PushSubscriptionSerializer, description="Already stored: the same one."),
        },
        summary="Store a push subscription (an endpoint outside PUSH_ENDPOINT_HOSTS is a 400)",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subscription, created = services.push_subscription_save(
            user=_caller(request),
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
            client=coarse_client(request.META.get("HTTP_USER_AGENT", "")),
        )
        return Response(
            self.get_serializer(subscription).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def perform_destroy(self, instance: PushSubscription) -> None:
        services.push_subscription_delete(subscription=instance)


class PushTestView(APIView):
    @extend_schema(
        request=None,
        responses={
            202: inline_serializer(
                "PushTestQueued",
                {
                    "id": serializers.IntegerField(help_text="The notification's id."),
                    "subscriptions": serializers.IntegerField(help_text="How many devices it goes to."),
                    "email": serializers.BooleanField(help_text="Whether it goes by e-mail too."),
                },
            )
        },
        summary="Send a test notification to your devices (queued: it goes out within seconds)",
    )
    def post(self, request: Request) -> Response:
        reminder = services.push_test_send(user=_caller(request), origin=request.build_absolute_uri("/"))
        return Response(
            {
                "id": reminder.pk,
                "subscriptions": selectors.push_subscriptions_for_user(_caller(request)).count(),
                "email": selectors.reminder_settings_of(_caller(request)).email
                and not selectors.email_refusal(_caller(request)),
            },
            status=status.HTTP_202_ACCEPTED,
        )
