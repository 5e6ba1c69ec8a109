"""Assertions shared by the page tests."""

from __future__ import annotations

from django.utils.html import escape

from tests.helpers import ClientResponse


def assert_field_error_shown(response: ClientResponse, field: str) -> None:
    """The form came back (200) with an error on ``field``, and the page shows its text."""
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    html = response.content.decode()
    for message in errors[field]:
        assert escape(message) in html
