"""The OpenAPI schema's error answers (docs/api.md#errors: 400, 401, 404, 429).

drf-spectacular documents the success answers only; clients (and the schema tests) need
to know the error answers too, and what they look like.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from rest_framework.permissions import AllowAny

from backpainlog.accounts.models import validate_positive

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# {"field": ["message", ...]}, or {"non_field_errors": [...]}; nested objects for nested fields.
FIELD_ERRORS = {"type": "object", "additionalProperties": {}}


def json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        errors = {}
        if "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", [])):
            errors["400"] = json_response("Invalid input; each message names its field.", FIELD_ERRORS)
        if not any(isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            errors["401"] = json_response("No valid session or token.", DETAIL)
        # An id that is not one of yours (or no id at all), or a page past the last one.
        if any(p["in"] == "path" or p["name"] == "page" for p in operation.get("parameters", [])):
            errors["404"] = json_response("Not found: not yours, or no such page.", DETAIL)
        if self.view.get_throttles():
            errors["429"] = json_response("Too many requests; try again later.", DETAIL)
        responses = operation.setdefault("responses", {})
        for code, response in errors.items():
            documented = responses.setdefault(code, response)
            # A description alone (say, for a download's errors): the body is still JSON.
            documented.setdefault("content", response["content"])
        return operation

    def _map_serializer(
        self, serializer: Any, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        # A serializer that refuses unknown fields says so (docs/api.md#questionnaires-treatments-red-flags:
        # anything else is a 400).
        from backpainlog.api import RejectUnknownFieldsMixin  # the API module loads views

        if (
            direction == "request"
            and isinstance(serializer, RejectUnknownFieldsMixin)
            and "properties" in schema
        ):
            schema["additionalProperties"] = False
        return schema

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        super()._insert_field_validators(field, schema)
        # A function validator says nothing to drf-spectacular; this one means "> 0".
        if validate_positive in field.validators:
            schema["minimum"] = 0
            schema["exclusiveMinimum"] = True


class DeleteWithBodySchema(AutoSchema):
    """For a DELETE that reads a body (deleting the account asks for the password):
    drf-spectacular documents request bodies of PUT, PATCH and POST only."""

    def _get_request_body(self, direction: str = "request") -> dict[str, Any] | None:
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"
