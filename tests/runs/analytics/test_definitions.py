"""The registry of flag kinds (docs/analytics.md#flags, docs/api.md#flags): definitions, sources,
severities."""

from __future__ import annotations

import pytest

from runs.analytics import DEFINITIONS, FLAG_KINDS, FLAG_ORDER, severity
from runs.analytics.definitions import FLAG_EXPOSURES


def test_every_kind_is_defined_with_a_source() -> None:
    assert list(FLAG_KINDS) == [*FLAG_ORDER, "checkin_flare", "pattern"]
    assert list(DEFINITIONS) == [*FLAG_KINDS, "flare_episode", "session_load"]
    for kind, definition in DEFINITIONS.items():
        assert definition.kind == kind
        assert definition.title
        assert definition.definition
        assert definition.source
    assert "Frandsen et al. 2025, BJSM 59:1203" in DEFINITIONS["long_run_spike"].source
    assert "d−30 … d−1" in DEFINITIONS["long_run_spike"].definition


def test_acwr_is_explained_with_its_critiques() -> None:
    acwr = DEFINITIONS["acwr_high"]
    assert "Lolli et al. 2019" in acwr.source
    assert "Impellizzeri et al. 2020" in acwr.source
    assert "coupling" in acwr.definition
    assert "sweet spot" in acwr.definition  # says there is none


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("long_run_spike", "warning"),
        ("weekly_increase", "info"),
        ("acwr_high", "info"),
        ("shoe_nearing", "warning"),
        ("shoe_worn", "warning"),
        ("pain_flare", "alert"),
        ("checkin_flare", "alert"),
        ("pattern", "warning"),
    ],
)
def test_severity_is_spec_s(kind: str, expected: str) -> None:
    assert severity(kind) == expected


def test_acwr_and_weekly_increase_are_never_home_alerts() -> None:
    assert [kind for kind, found in FLAG_KINDS.items() if not found.home_alert] == [
        "weekly_increase",
        "acwr_high",
    ]


def test_the_flag_exposures_of_the_patterns() -> None:
    assert list(FLAG_EXPOSURES) == ["long_run_spike", "weekly_increase", "acwr_high", "shoe_worn"]


def test_concepts_are_not_flag_kinds() -> None:
    with pytest.raises(KeyError):
        severity("session_load")
