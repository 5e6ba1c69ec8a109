"""Writes shared by the apps, with idempotent creation by client-generated UUID
(docs/api.md#idempotent-creates).

A phone that lost its connection re-sends the same entry with the same id. The first
request stores it; a retry with the same content gets the stored row back; the same id
with different content is a conflict, never a silent overwrite or a second row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

M = TypeVar("M", bound=models.Model)


class IdempotencyConflict(Exception):
    """The id is taken by a different entry of the same user."""


ID_TAKEN_MESSAGE = "This id is already in use: generate a new one."


def _differences(existing: models.Model, candidate: models.Model, names: Iterable[str]) -> list[str]:
    attnames = [type(candidate)._meta.get_field(name).attname for name in names]
    return [name for name in attnames if getattr(existing, name) != getattr(candidate, name)]


def create_idempotently(
    model: type[M],
    *,
    id: uuid.UUID | None,
    user: User,
    defaults: dict[str, Any] | None = None,
    **fields: Any,
) -> tuple[M, bool]:
    """Validate and insert a new ``model`` row of ``user`` under the client's id (or a
    fresh one); returns ``(row, created)``.

    ``fields`` are what the client sent; ``defaults`` fill in what it left out (such as
    the default pair, which may have changed by the time a retry arrives), so a retry is
    compared with the stored row on the client's fields only. Raises
    :class:`IdempotencyConflict` when they differ, and a ValidationError on ``id`` when
    the id belongs to another user's row (without saying whose or what it holds).
    """
    candidate = model(id=id or uuid.uuid4(), user=user, **{**(defaults or {}), **fields})
    # The primary key's uniqueness is not a validation error here: a taken id is a retry.
    candidate.full_clean(validate_unique=False)
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
    if _differences(existing, candidate, ["user"]):
        raise ValidationError({"id": ID_TAKEN_MESSAGE})
    if _differences(existing, candidate, fields):
        raise IdempotencyConflict(f"A different entry with id {candidate.pk} exists.")
    return existing, False


def update_validated(instance: M, **fields: Any) -> M:
    """Apply ``fields`` to ``instance``, validate it whole (fields, ``clean()``, database
    constraints) and save it."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean(validate_unique=False)
    instance.save()
    return instance
