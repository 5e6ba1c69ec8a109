"""Writes shared by the apps, with idempotent creation by client-generated UUID (API.md:
runs and pain check-ins).

A phone that lost its connection re-sends the same entry with the same id. The first
request stores it; a retry with the same content gets the stored row back; the same id
with different content is a conflict, never a silent overwrite or a second row.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction

M = TypeVar("M", bound=models.Model)


class IdempotencyConflict(Exception):
    """The id is taken by a different entry."""


def _content(instance: models.Model) -> dict[str, object]:
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.editable
        and not field.primary_key
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    }


def save_new_idempotently(candidate: M) -> tuple[M, bool]:
    """Insert ``candidate``; returns ``(row, created)``.

    ``candidate`` must be validated already. Raises :class:`IdempotencyConflict` when its
    primary key is taken by a row with other content (or another user's row).
    """
    model = type(candidate)
    existing = model._default_manager.filter(pk=candidate.pk).first()
    if existing is None:
        try:
            with transaction.atomic():
                candidate.save(force_insert=True)
            return candidate, True
        except IntegrityError:
            # Two retries raced: the other one inserted first. Compare with its row.
            existing = model._default_manager.filter(pk=candidate.pk).first()
            if existing is None:
                raise
    if _content(existing) != _content(candidate):
        raise IdempotencyConflict(f"A different entry with id {candidate.pk} exists.")
    return existing, False


def create_idempotently(model: type[M], *, id: uuid.UUID | None, **fields: Any) -> tuple[M, bool]:
    """Validate and insert a new ``model`` row under the client's id (or a fresh one)."""
    candidate = model(id=id or uuid.uuid4(), **fields)
    # The primary key's uniqueness is not a validation error here: a taken id is a retry.
    candidate.full_clean(validate_unique=False)
    return save_new_idempotently(candidate)


def update_validated(instance: M, **fields: Any) -> M:
    """Apply ``fields`` to ``instance``, validate it whole (fields, ``clean()``, database
    constraints) and save it."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean(validate_unique=False)
    instance.save()
    return instance
