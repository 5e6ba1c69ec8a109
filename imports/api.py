"""``POST /api/v1/imports/``: one file of runs (FIT, GPX, TCX, CSV or a Strava zip),
imported at once (201) or, over 1 MB or zipped, in the background (202 with the job);
``GET /api/v1/imports/{id}/``: how that job is getting on."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from backpainlog.api import UserScopedMixin, signed_in
from imports import jobs, selectors, services
from imports.models import ImportJob
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


class ImportJobQueuedSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Where to follow the job: `GET` it for its progress.")
    page = serializers.SerializerMethodField(
        help_text="The job's page in the app (progress bar, then the result)."
    )

    class Meta:
        model = ImportJob
        fields = ["id", "status", "url", "page"]

    def get_url(self, job: ImportJob) -> str:
        return reverse("api-import-job", args=[job.pk])

    def get_page(self, job: ImportJob) -> str:
        return reverse("import_job", args=[job.pk])


class ImportJobSerializer(ImportJobQueuedSerializer):
    done = serializers.IntegerField(
        read_only=True,
        help_text="How much of the file has been read, out of `total` (rows of a CSV, files of a zip; "
        "0 of 0 until known).",
    )
    total = serializers.IntegerField(read_only=True)
    result = ImportResultSerializer(
        read_only=True, allow_null=True, help_text="Once `done`: what the import stored (the 201's body)."
    )
    error = serializers.CharField(read_only=True, help_text="Once `failed`: why. Nothing was stored.")

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "status",
            "url",
            "page",
            "done",
            "total",
            "result",
            "error",
            "file_name",
            "file_size",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class OwnJobsView(generics.GenericAPIView):
    """The caller's jobs, and no one else's (another's job is a 404)."""

    def get_queryset(self) -> QuerySet[ImportJob]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ImportJob.objects.none()
        return selectors.import_jobs_of(signed_in(self.request))


@extend_schema_view(
    get=extend_schema(
        summary="Your imports in the background, the latest first",
        responses=ImportJobSerializer(many=True),
    )
)
class ImportView(UserScopedMixin, OwnJobsView, generics.ListAPIView):
    """Import runs and walks from a file. Other sports are skipped and listed with the
    reason; runs already in your log are counted as duplicates and left as they are; an
    unreadable file is a 400 and stores nothing. A file over 1 MB, or any zip, is imported
    in the background: the answer is a 202 with the job to follow."""

    parser_classes = [MultiPartParser]
    serializer_class = ImportJobSerializer

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
            202: OpenApiResponse(
                ImportJobQueuedSerializer,
                description="Over 1 MB, or a zip: queued for a worker. Follow `url` for its progress and, "
                "once `done`, the same result a 201 gives. The same file sent again while its job waits or "
                "runs answers with that job.",
            ),
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
        upload = serializer.validated_data["file"]
        try:
            if jobs.runs_in_background(upload):
                job = jobs.import_job_create(user=signed_in(request), upload=upload)
                body = ImportJobQueuedSerializer(job).data
                return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})
            result = services.import_file(user=signed_in(request), upload=upload)
        except UnreadableFile as exc:
            raise exceptions.ValidationError({"file": [exc.message]}) from None
        return Response(ImportResultSerializer(result.as_dict()).data, status=status.HTTP_201_CREATED)


class ImportJobView(UserScopedMixin, OwnJobsView, generics.RetrieveAPIView):
    """An import in the background: its status, how far it has got and, once done, its
    result; once failed, why. Another account's job is a 404."""

    serializer_class = ImportJobSerializer
