"""The shared writes: only a model's own fields are written."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from backpainlog.services import update_validated
from runs import services
from runs.models import Run
from tests.factories import RunFactory


def test_an_unknown_field_name_is_refused_before_anything_changes(alice: User) -> None:
    run = RunFactory(user=alice, notes="as logged")
    fields: dict[str, Any] = {"notes": "changed", "distance_km": 5}

    with pytest.raises(TypeError, match="Run has no field 'distance_km'"):
        update_validated(run, **fields)

    assert run.notes == "as logged"
    assert not hasattr(run, "distance_km")
    assert Run.objects.get(pk=run.pk).notes == "as logged"


def test_a_relation_that_is_no_column_is_refused(alice: User) -> None:
    with pytest.raises(TypeError, match="User has no field 'runs'"):
        update_validated(alice, runs=[])


def test_a_service_update_refuses_an_unknown_field_too(alice: User) -> None:
    run = RunFactory(user=alice)
    fields: dict[str, Any] = {"pain_tomorrow": 2}

    with pytest.raises(TypeError, match="pain_tomorrow"):
        services.run_update(run, **fields)


def test_known_fields_are_written_by_name_or_by_column(alice: User) -> None:
    run = RunFactory(user=alice, shoe=None)

    update_validated(run, notes="easy", shoe_id=None)

    assert Run.objects.get(pk=run.pk).notes == "easy"
