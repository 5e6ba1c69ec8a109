"""``/api/v1/share-links/`` (docs/api.md#share-links): create, list, read, revoke."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from backpainlog.api import StrictCharField, StrictIntegerField, UserScopedMixin
from sharing import selectors, services
from sharing.models import DEFAULT_DAYS, LABEL_MAX_LENGTH, MAX_DAYS, MIN_DAYS, ShareLink


class ShareLinkCreateSerializer(serializers.Serializer):
    label = StrictCharField(
        max_length=LABEL_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="For whom, e.g. “Physio”.",
    )
    expires_in_days = StrictIntegerField(
        min_value=MIN_DAYS,
        max_value=MAX_DAYS,
        default=DEFAULT_DAYS,
        help_text=f"How long the link works: {MIN_DAYS} … {MAX_DAYS} days (default {DEFAULT_DAYS}).",
    )
    # "from" is a Python keyword: declared through the class namespace.
    locals()["from"] = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="First local date shared (inclusive); empty: from the first entry.",
    )
    to = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Last local date shared (inclusive); empty: up to the day the link is opened.",
    )


class ShareLinkSerializer(serializers.ModelSerializer):
    revoked = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField(help_text="`active`, `expired` or `revoked`.")
    access_count = serializers.IntegerField(read_only=True)
    last_accessed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    locals()["from"] = serializers.DateField(source="period_start", read_only=True, allow_null=True)
    to = serializers.DateField(source="period_end", read_only=True, allow_null=True)

    class Meta:
        model = ShareLink
        fields = [
            "id",
            "label",
            "created_at",
            "expires_at",
            "revoked",
            "revoked_at",
            "status",
            "from",
            "to",
            "access_count",
            "last_accessed_at",
        ]
        read_only_fields = fields

    def get_revoked(self, link: ShareLink) -> bool:
        return link.revoked_at is not None

    def get_status(self, link: ShareLink) -> str:
        return link.status


class CreatedShareLinkSerializer(ShareLinkSerializer):
    url = serializers.SerializerMethodField(
        help_text="The link to give the clinician, token included. Shown only in this response."
    )

    class Meta(ShareLinkSerializer.Meta):
        fields = [*ShareLinkSerializer.Meta.fields, "url"]
        read_only_fields = fields

    def get_url(self, link: ShareLink) -> str:
        request = self.context["request"]
        return request.build_absolute_uri(reverse("shared_report", args=[self.context["token"]]))


@extend_schema_view(
    list=extend_schema(summary="Your share links, newest first (no tokens)"),
    retrieve=extend_schema(summary="One of your share links (no token)"),
    create=extend_schema(
        summary="Create a share link",
        request=ShareLinkCreateSerializer,
        responses={201: CreatedShareLinkSerializer},
        description=(
            "The response's `url` carries the token and is shown only here: the server keeps "
            "only a hash of it. Anyone holding the URL can open the report page, "
            "`{url}report.pdf` and `{url}runs.csv` until it expires or is revoked."
        ),
    ),
    destroy=extend_schema(
        summary="Revoke a share link",
        description="The link stops working at once (404); it stays in the list, revoked.",
        responses={204: OpenApiResponse(description="Revoked (or already revoked).")},
    ),
)
class ShareLinkViewSet(
    UserScopedMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ShareLinkSerializer
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[ShareLink]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ShareLink.objects.none()
        return selectors.share_links_for_user(self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ShareLinkCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        link, token = services.share_link_create(
            user=request.user,
            label=data["label"],
            expires_in_days=data["expires_in_days"],
            start=data["from"],
            end=data["to"],
            request=request._request,
        )
        link = selectors.share_link_get(request.user, link.pk)
        output = CreatedShareLinkSerializer(link, context={"request": request, "token": token})
        return Response(output.data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ShareLink) -> None:
        services.share_link_revoke(link=instance, request=self.request._request)
