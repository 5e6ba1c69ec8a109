"""``POST /api/v1/imports/``: one file of runs (FIT, GPX, TCX, CSV or a Strava zip)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backpainlog.api import UserScopedMixin, signed_in
from imports import services
from imports.parsers import MAX_FILE_BYTES, UnreadableFile

# The multipart envelope around the file (boundaries, headers) is small.
MAX_REQUEST_BYTES = MAX_FILE_BYTES + 64 * 1024
TOO_LARGE = "The file is larger than 25 MB."
ONE_FILE = "Send one file per request."


def request_too_large(meta: dict[str, Any], limit: int) -> bool:
    """Whether the declared body is over ``limit``: checked before the body is read, so
    an oversized upload is refused without being spooled to disk."""
    try:
        return int(meta.get("CONTENT_LENGTH") or 0) > limit
    except ValueError:
        return False


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=(
            "A .fit, .gpx or .tcx file from a watch or phone; a .csv (the app's own export or "
            "Strava's activities.csv); or a .zip (Strava's bulk export). At most 25 MB."
        )
    )

    def to_internal_value(self, data: Any) -> Any:
        # The field reads the last of several files; the others would be dropped unseen.
        if hasattr(data, "getlist") and len(data.getlist("file")) > 1:
            raise serializers.ValidationError({"file": [ONE_FILE]})
        return super().to_internal_value(data)


class SkippedSerializer(serializers.Serializer):
    item = serializers.CharField(help_text="The file, row or activity concerned.")
    reason = serializers.CharField(help_text="Why it was not imported.")


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Runs and walks stored.")
    duplicates = serializers.IntegerField(
        help_text="Activities already in your log (the same id, or a start within a minute)."
    )
    skipped = SkippedSerializer(many=True, help_text="Activities not imported, each with the reason.")
    runs = serializers.ListField(child=serializers.UUIDField(), help_text="The ids of the runs stored.")


class FileErrorSerializer(serializers.Serializer):
    file = serializers.ListField(child=serializers.CharField())


class ImportView(UserScopedMixin, APIView):
    """Import runs and walks from a file. Other sports are skipped and listed with the
    reason; runs already in your log are counted as duplicates and left as they are; an
    unreadable file is a 400 and stores nothing."""

    parser_classes = [MultiPartParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before authentication: the session's CSRF check reads the body.
        if request_too_large(request.META, MAX_REQUEST_BYTES):
            raise exceptions.ValidationError({"file": [TOO_LARGE]})
        super().initial(request, *args, **kwargs)

    @extend_schema(
        summary="Import runs from a FIT, GPX, TCX, CSV or Strava export file",
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            201: ImportResultSerializer,
            400: OpenApiResponse(
                FileErrorSerializer,
                description="The file cannot be read (wrong type, damaged, over 25 MB, a zip bomb, "
                "XML entities, an unreadable text encoding) or holds more than one import may read "
                "(runs, rows, track points, FIT messages, CPU time); nothing was stored.",
                examples=[
                    OpenApiExample("Not a FIT file", value={"file": ["This is not a readable FIT file."]})
                ],
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = ImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = services.import_file(user=signed_in(request), upload=serializer.validated_data["file"])
        except UnreadableFile as exc:
            raise exceptions.ValidationError({"file": [exc.message]}) from None
        return Response(ImportResultSerializer(result.as_dict()).data, status=status.HTTP_201_CREATED)
