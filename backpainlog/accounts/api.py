from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, logout
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backpainlog.accounts import services
from backpainlog.accounts.models import ApiToken, Profile
from backpainlog.accounts.selectors import profile_of
from backpainlog.api import ModelSerializer, UserScopedMixin


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    label = serializers.CharField(max_length=100, required=False, allow_blank=True)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown only now; send it as `Authorization: Token <token>`.")
    id = serializers.IntegerField()
    label = serializers.CharField()
    created_at = serializers.DateTimeField()


@extend_schema(
    request=TokenRequestSerializer, responses={200: TokenSerializer}, summary="Obtain an API token"
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def token_obtain(request: Request) -> Response:
    serializer = TokenRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    user = authenticate(
        request._request,
        username=serializer.validated_data["username"],
        password=serializer.validated_data["password"],
    )
    if user is None:
        return Response(
            {"non_field_errors": ["Unable to sign in with these credentials."]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    record, token = services.api_token_create(user=user, label=serializer.validated_data.get("label", ""))
    return Response({"token": token, "id": record.pk, "label": record.label, "created_at": record.created_at})


@extend_schema(request=None, responses={204: None}, summary="Revoke the token used (or end the session)")
@api_view(["POST"])
def token_logout(request: Request) -> Response:
    if isinstance(request.auth, ApiToken):
        services.api_token_revoke(token=request.auth)
    else:
        logout(request._request)
    return Response(status=status.HTTP_204_NO_CONTENT)


class ProfileSerializer(ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Profile
        fields = ["username", "distance_unit", "timezone", "default_replacement_threshold_m"]


class ProfileView(UserScopedMixin, APIView):
    serializer_class = ProfileSerializer

    @extend_schema(responses=ProfileSerializer, summary="Your profile")
    def get(self, request: Request) -> Response:
        return Response(ProfileSerializer(profile_of(request.user)).data)

    @extend_schema(request=ProfileSerializer, responses=ProfileSerializer, summary="Change your profile")
    def patch(self, request: Request) -> Response:
        serializer = ProfileSerializer(profile_of(request.user), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        profile = services.profile_update(user=request.user, **serializer.validated_data)
        return Response(ProfileSerializer(profile).data)


class AccountDeleteSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class AccountView(APIView):
    @extend_schema(
        request=AccountDeleteSerializer,
        responses={204: None, 400: inline_serializer("PasswordError", {"password": serializers.ListField()})},
        summary="Delete your account and everything in it",
        # drf-spectacular leaves request bodies out of DELETE operations: say it in words.
        description=(
            'Send your password as a JSON body, `{"password": "..."}`. Deletes your user, '
            "profile, tokens, runs, check-ins, shoes and insoles; this cannot be undone."
        ),
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = AccountDeleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not request.user.check_password(serializer.validated_data["password"]):
            return Response({"password": ["Incorrect password."]}, status=status.HTTP_400_BAD_REQUEST)
        services.account_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
