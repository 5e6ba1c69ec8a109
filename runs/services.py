"""Writes of runs and pain check-ins; the pages and the API both come through here."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from backpainlog.services import create_idempotently, update_validated
from runs.models import PainCheckin, Run
from shoes.models import Insole, Shoe
from shoes.selectors import default_pair


@transaction.atomic
def run_create(*, user: User, id: uuid.UUID | None = None, **fields: Any) -> tuple[Run, bool]:
    """Log a run; returns ``(run, created)``.

    Without a ``shoe`` (or ``insole``) argument the user's default pair is worn; pass
    ``None`` for none. With a client-generated ``id`` a retry returns the stored run.
    """
    defaults = {
        name: default_pair(model, user=user)
        for name, model in (("shoe", Shoe), ("insole", Insole))
        if name not in fields
    }
    return create_idempotently(Run, id=id, user=user, defaults=defaults, **fields)


@transaction.atomic
def run_update(run: Run, **fields: Any) -> Run:
    return update_validated(run, **fields)


@transaction.atomic
def run_delete(run: Run) -> None:
    run.delete()


@transaction.atomic
def checkin_create(*, user: User, id: uuid.UUID | None = None, **fields: Any) -> tuple[PainCheckin, bool]:
    return create_idempotently(PainCheckin, id=id, user=user, **fields)


@transaction.atomic
def checkin_update(checkin: PainCheckin, **fields: Any) -> PainCheckin:
    return update_validated(checkin, **fields)


@transaction.atomic
def checkin_delete(checkin: PainCheckin) -> None:
    checkin.delete()
