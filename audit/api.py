"""``/api/v1/audit-events/`` (docs/api.md#account-activity): the caller's own, read-only."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from audit.models import AuditEvent
from audit.selectors import audit_events_for_user
from backpainlog.api import UserScopedMixin


class AuditEventSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=AuditEvent.Kind.choices, read_only=True)
    summary = serializers.CharField(
        read_only=True, help_text="The detail in words, e.g. “Runs as CSV, whole log”; may be empty."
    )
    browser = serializers.CharField(
        source="client", read_only=True, help_text="A coarse browser name, e.g. “Firefox on Android”."
    )
    address = serializers.CharField(
        read_only=True, help_text="The client address, for sign-ins and token requests only; else empty."
    )
    detail = serializers.DictField(
        read_only=True,
        help_text=(
            "By kind: `exported` {format, from, to}; `share_*` {link_id, label, ...}; "
            "`token_*` {token_id, label}; `sign_in_failed` {via, step?, locked_out?}."
        ),
    )

    class Meta:
        model = AuditEvent
        fields = ["id", "kind", "occurred_at", "summary", "detail", "browser", "address"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="Your account activity, newest first"),
    retrieve=extend_schema(summary="One event of your account activity"),
)
class AuditEventViewSet(UserScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AuditEventSerializer

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return AuditEvent.objects.none()
        return audit_events_for_user(self.request.user)
