"""REST framework plumbing shared by every API endpoint."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404, HttpResponse
from django.utils import timezone
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView, set_rollback
from rest_framework.views import exception_handler as drf_exception_handler

from backpainlog.accounts.selectors import user_zone
from backpainlog.forms import DateRangeForm
from backpainlog.outage import DATABASE_UNAVAILABLE, database_unavailable
from backpainlog.services import IdempotencyConflict

logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict[str, Any]) -> HttpResponse | None:
    """DRF's handler, plus the exceptions our services raise.

    Services validate whole objects (``full_clean``) and raise Django's ValidationError,
    which becomes the same 400 shape as a serializer error; a lookup outside the caller's
    data is a 404; an id taken by different content is a 409; a database that cannot be
    reached is a 503 that the client may retry (a create with the same client id then
    stores the entry once).
    """
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        # Model-wide errors ("__all__") under the key serializers use for them.
        detail = {
            api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key: value
            for key, value in detail.items()
        }
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    elif isinstance(exc, IdempotencyConflict):
        return Response(
            {"id": ["An entry with this id exists with different content."]}, status=status.HTTP_409_CONFLICT
        )
    elif isinstance(exc, DATABASE_UNAVAILABLE):
        request = context["request"]
        logger.error("Service Unavailable: %s %s: %s", request.method, request.path, exc)
        set_rollback()
        return database_unavailable(request)
    return drf_exception_handler(exc, context)


# The mixin goes before an APIView in the bases: to the type checker it is one.
if TYPE_CHECKING:
    _APIViewBase = APIView
else:
    _APIViewBase = object


def signed_in(request: Request) -> User:
    """The caller of a view that requires sign-in (the API's default permission)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


class UserScopedMixin(_APIViewBase):
    """For API views: read and write date-times in the caller's time zone (after
    authentication, which for tokens happens inside the view, not in middleware)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.user.is_authenticated:
            timezone.activate(user_zone(request.user))

    def date_range(self) -> tuple[dt.date | None, dt.date | None]:
        """``?from=&to=`` as dates; a 400 naming the parameter when either is invalid."""
        form = DateRangeForm(self.request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {name: [str(message) for message in errors] for name, errors in form.errors.items()}
            )
        return form.bounds


def is_json_number(data: Any) -> bool:
    # bool is a subclass of int in Python, but true is not a number in JSON.
    return isinstance(data, int | float) and not isinstance(data, bool)


class StrictFloatField(serializers.FloatField):
    """A JSON number. REST framework's FloatField also takes ``true`` (as 1.0, so
    ``{"distance_m": true}`` would log a one-metre run) and strings such as ``"5e3"``."""

    def to_internal_value(self, data: Any) -> float:
        if not is_json_number(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer (``5`` or ``5.0``); REST framework's IntegerField also takes ``"5"``."""

    def to_internal_value(self, data: Any) -> int:
        if not is_json_number(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON ``true`` or ``false``; REST framework's BooleanField also takes ``0``,
    ``"yes"``, ``"off"`` and the like."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictCharField(serializers.CharField):
    """A JSON string; REST framework's CharField also takes numbers (``{"notes": 0}``)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ClientIdField(serializers.UUIDField):
    """A client-generated id: a UUID string. REST framework's UUIDField also takes a JSON
    integer as a UUID (``UUID(int=7)``), which no client means."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class ModelSerializer(serializers.ModelSerializer):
    """The API's model serializer: model fields accept their own JSON type only (numbers,
    booleans, strings), not what REST framework would convert from another."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.FloatField: StrictFloatField,
        models.BooleanField: StrictBooleanField,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
    }


class UserOwnedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A foreign key to one of the caller's own objects; another user's id is "not found"
    (a 400 that does not confirm the object exists)."""

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()
        assert queryset is not None, "a related field with neither queryset nor read_only"
        return queryset.filter(user=self.context["request"].user)


class ServiceViewSet(UserScopedMixin, viewsets.ModelViewSet):
    """A model viewset whose writes go through the app's services.

    Subclasses implement :meth:`create_object` (returning ``(object, created)``; a
    create retried with the same client id answers 200 instead of 201),
    :meth:`update_object`, :meth:`delete_object` and :meth:`fetch` (the object re-read
    with its derived fields, for the response).
    """

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def create_object(self, data: dict[str, Any]) -> tuple[Any, bool]:
        raise NotImplementedError

    def update_object(self, instance: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def delete_object(self, instance: Any) -> None:
        raise NotImplementedError

    def fetch(self, pk: Any) -> Any:
        return self.get_queryset().get(pk=pk)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance, created = self.create_object(serializer.validated_data)
        data = self.get_serializer(self.fetch(instance.pk)).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        validated = dict(serializer.validated_data)
        validated.pop("id", None)  # an id is chosen at creation only
        self.update_object(instance, validated)
        return Response(self.get_serializer(self.fetch(instance.pk)).data)

    def perform_destroy(self, instance: Any) -> None:
        self.delete_object(instance)


class RejectUnknownFieldsMixin:
    """For serializers whose contract says "anything else is a 400": a field the
    serializer does not know is an error naming it, not silently dropped (read-only
    fields sent back from a GET are ignored as usual)."""

    fields: Any
    initial_data: Any

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise exceptions.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]
