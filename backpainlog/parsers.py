"""The API's request parser (``DEFAULT_PARSER_CLASSES``).

A module of its own: REST framework imports it while loading its views.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """REST framework's JSON parser, except that a body nested too deeply for Python's
    decoder (``[[[[…]]]]``) is a 400 like any other unreadable body, not a RecursionError
    (a 500)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from exc
