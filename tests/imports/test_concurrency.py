"""Two imports of the same file at the same time, each in its own thread and database
connection: the run is stored once, whichever database runs the tests."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection

from imports import services
from imports.parsers import parse
from runs.models import Run
from tests.factories import UserFactory
from tests.imports.builders import fit_file, fit_session

START = dt.datetime(2024, 5, 4, 7, 30, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_file_at_once_store_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # is_in_memory_db() is SQLite's own, asked after the vendor check.
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        pytest.skip("threads cannot share SQLite's in-memory test database; run with DATABASE_URL")
    user: User = UserFactory(username="alice")
    parsed = parse("watch.fit", fit_file(fit_session(START), fit_session(START + dt.timedelta(hours=3))))
    # Both imports read the log before either writes: the race a check-then-insert loses.
    both_read = threading.Barrier(2, timeout=5)
    real_owners_of = services.owners_of
    waited = threading.local()

    def owners_of_in_step(ids: set[uuid.UUID]) -> dict[uuid.UUID, int]:
        owners = real_owners_of(ids)
        if not getattr(waited, "done", False):
            waited.done = True
            # A database that lets one writer in at a time breaks the barrier: the other
            # import waits its turn instead.
            with contextlib.suppress(threading.BrokenBarrierError):
                both_read.wait()
        return owners

    monkeypatch.setattr(services, "owners_of", owners_of_in_step)
    results: list[services.ImportResult] = []
    errors: list[BaseException] = []

    def run_import() -> None:
        try:
            results.append(services.import_activities(user=user, parsed=parsed))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_import) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted((result.created, result.duplicates) for result in results) == [(0, 2), (2, 0)]
    assert Run.objects.filter(user=user).count() == 2


@pytest.mark.django_db
def test_an_import_retries_while_other_imports_keep_colliding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several imports of one file at once: each collision is followed by another attempt,
    up to STORE_ATTEMPTS, and only the last collision is an error."""
    user = UserFactory()
    parsed = parse("run.fit", fit_file(fit_session(start=START)), zone=dt.UTC)
    real_store = services._store
    collisions = services.STORE_ATTEMPTS - 1

    def store_after_collisions(*args: Any) -> services.ImportResult:
        nonlocal collisions
        if collisions:
            collisions -= 1
            raise IntegrityError("duplicate key")
        return real_store(*args)

    monkeypatch.setattr(services, "_store", store_after_collisions)
    assert services.import_activities(user=user, parsed=parsed).created == 1

    collisions = services.STORE_ATTEMPTS
    with pytest.raises(IntegrityError):
        services.import_activities(user=user, parsed=parsed)
