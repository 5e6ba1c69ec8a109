from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.core.cache import BaseCache, caches
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import (
    action,
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from backpainlog.accounts import lockout, selectors, services, signin
from backpainlog.accounts.models import ApiToken, Profile, timezone_names
from backpainlog.accounts.selectors import profile_of
from backpainlog.api import ModelSerializer, StrictCharField, UserScopedMixin
from backpainlog.clients import address_key
from backpainlog.schema import DeleteWithBodySchema
from reminders.api import ReminderSettingsSerializer
from reminders.selectors import reminder_settings_of


class TokenRequestSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=4096, trim_whitespace=False)
    label = StrictCharField(max_length=100, required=False, allow_blank=True)
    otp = StrictCharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text=(
            "Only for accounts with two-step sign-in on: the 6-digit code from the authenticator "
            "app, or an unused recovery code (which this uses up)."
        ),
    )


class TokenRateThrottle(SimpleRateThrottle):
    """10 token requests a minute per client address (behind the trusted proxy, the
    address it forwarded), counted in the shared cache so every process agrees. Wrong
    passwords are limited per account by the lock-out as well; this keeps one address
    from trying many accounts quickly."""

    scope = "token"
    rate = "10/min"

    @property
    def cache(self) -> BaseCache:  # type: ignore[override]
        return caches["shared"]

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": address_key(request._request)}


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown only now; send it as `Authorization: Token <token>`.")
    id = serializers.IntegerField()
    label = serializers.CharField()
    created_at = serializers.DateTimeField()


def _locked_out(request: Request, username: str) -> exceptions.Throttled:
    """The lock-out's 429, in the API's JSON shape with ``Retry-After``."""
    wait = lockout.retry_after_seconds(request._request, {"username": username})
    return exceptions.Throttled(
        wait=wait, detail="Too many failed sign-ins for this account or address; signing in is paused."
    )


@extend_schema(
    request=TokenRequestSerializer, responses={200: TokenSerializer}, summary="Obtain an API token"
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([TokenRateThrottle])
def token_obtain(request: Request) -> Response:
    """A wrong password or code is a failed sign-in: after 5 for one username (or one
    address) the lock-out answers 429 with ``Retry-After`` until its cool-off ends."""
    serializer = TokenRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    username = serializer.validated_data["username"]
    user = authenticate(request._request, username=username, password=serializer.validated_data["password"])
    # Axes marks the request when it refused the sign-in or this failure reached the limit.
    if getattr(request._request, "axes_locked_out", False):
        raise _locked_out(request, username)
    if user is None:
        return Response(
            {"non_field_errors": ["Unable to sign in with these credentials."]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if selectors.two_step_enabled(user):
        otp = serializer.validated_data.get("otp", "")
        if not otp:
            return Response(
                {
                    "otp": [
                        "Two-step sign-in is on for this account: send the 6-digit code or a recovery code."
                    ]
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        outcome = signin.second_step_attempt(request._request, user=user, code=otp)
        if outcome is signin.SecondStep.LOCKED_OUT:
            raise _locked_out(request, username)
        if outcome is signin.SecondStep.WRONG:
            return Response({"otp": ["This code is not right."]}, status=status.HTTP_400_BAD_REQUEST)
    record, token = services.api_token_create(
        user=user, label=serializer.validated_data.get("label", ""), request=request._request
    )
    return Response({"token": token, "id": record.pk, "label": record.label, "created_at": record.created_at})


@extend_schema(request=None, responses={204: None}, summary="Revoke the token used (or end the session)")
@api_view(["POST"])
def token_logout(request: Request) -> Response:
    if isinstance(request.auth, ApiToken):
        services.api_token_revoke(token=request.auth, request=request._request)
    else:
        logout(request._request)
    return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenSerializer(serializers.ModelSerializer):
    client = serializers.CharField(
        read_only=True, help_text='What asked for it, coarsely: "Python script", "Firefox on Android".'
    )
    last_used_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="To within a few minutes; null if never used."
    )
    expires_at = serializers.DateTimeField(
        read_only=True, help_text="When it stops working unless used before: each use moves it on."
    )
    current = serializers.SerializerMethodField(help_text="Whether this request came with this token.")

    class Meta:
        model = ApiToken
        fields = ["id", "label", "client", "created_at", "last_used_at", "expires_at", "current"]
        read_only_fields = fields

    def get_current(self, token: ApiToken) -> bool:
        return token.pk == getattr(self.context["request"].auth, "pk", None)


@extend_schema_view(
    list=extend_schema(
        summary="Your API tokens, newest first (never the tokens themselves)",
        description=(
            f"A token stops working after {settings.API_TOKEN_IDLE_DAYS} days without use "
            "(`DJANGO_API_TOKEN_DAYS`), and every token is revoked when the password is changed or reset."
        ),
    ),
    destroy=extend_schema(
        summary="Revoke one of your API tokens",
        responses={204: OpenApiResponse(description="Revoked: it stops working at once.")},
    ),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = ApiTokenSerializer
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[ApiToken]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ApiToken.objects.none()
        return selectors.api_tokens_for_user(self.request.user)

    def perform_destroy(self, instance: ApiToken) -> None:
        services.api_token_revoke(token=instance, request=self.request._request)

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="All revoked, the one this request used included.")},
        summary="Revoke all your API tokens",
    )
    @action(detail=False, methods=["post"], url_path="revoke-all")
    def revoke_all(self, request: Request) -> Response:
        services.api_tokens_revoke_all(user=request.user, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfileSerializer(ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    # The names themselves, so that the schema lists them (the model validates any string).
    timezone = serializers.ChoiceField(choices=sorted(timezone_names()), required=False)
    reminders = ReminderSettingsSerializer(
        source="user.reminder_settings", required=False, help_text="Push reminders: which, and when."
    )

    class Meta:
        model = Profile
        fields = ["username", "distance_unit", "timezone", "default_replacement_threshold_m", "reminders"]


class ProfileView(UserScopedMixin, APIView):
    serializer_class = ProfileSerializer

    def _profile(self, request: Request) -> Profile:
        profile = profile_of(request.user)
        reminder_settings_of(request.user)  # made with the defaults on first use, as the profile
        return profile

    @extend_schema(responses=ProfileSerializer, summary="Your profile")
    def get(self, request: Request) -> Response:
        return Response(ProfileSerializer(self._profile(request), context={"request": request}).data)

    @extend_schema(request=ProfileSerializer, responses=ProfileSerializer, summary="Change your profile")
    def patch(self, request: Request) -> Response:
        context = {"request": request}
        serializer = ProfileSerializer(
            self._profile(request), data=request.data, partial=True, context=context
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        reminders = fields.pop("user", {}).get("reminder_settings")
        profile = services.profile_update(
            user=request.user, reminders=reminders, origin=request.build_absolute_uri("/"), **fields
        )
        # Read again: the user object of this request still holds the settings from before.
        saved = Profile.objects.select_related("user__reminder_settings").get(pk=profile.pk)
        return Response(ProfileSerializer(saved, context=context).data)


class AccountDeleteSerializer(serializers.Serializer):
    password = StrictCharField(max_length=4096, trim_whitespace=False)


class AccountView(APIView):
    schema = DeleteWithBodySchema()

    @extend_schema(
        request=AccountDeleteSerializer,
        responses={
            204: None,
            429: OpenApiResponse(
                inline_serializer("PasswordChecksPaused", {"detail": serializers.CharField()}),
                description="Too many wrong passwords for this account or address: paused (`Retry-After`).",
            ),
        },
        summary="Delete your account and everything in it",
        description=(
            'Send your password as a JSON body, `{"password": "..."}`. Deletes your user, '
            "profile, tokens, runs, check-ins, shoes and insoles; this cannot be undone. A wrong "
            "password counts as a failed sign-in: after 5, the answer is 429 until the pause ends."
        ),
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = AccountDeleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = lockout.password_check(
            request._request, user=request.user, password=serializer.validated_data["password"]
        )
        if outcome is lockout.PasswordCheck.LOCKED_OUT:
            raise _locked_out(request, request.user.get_username())
        if outcome is lockout.PasswordCheck.WRONG:
            return Response({"password": ["Incorrect password."]}, status=status.HTTP_400_BAD_REQUEST)
        services.account_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
