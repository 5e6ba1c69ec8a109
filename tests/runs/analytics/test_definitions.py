"""Definitions and severities of the flags (SPEC §2, API "Analytics")."""

from __future__ import annotations

import pytest

from runs.analytics import DEFINITIONS, FLAG_ORDER, severity


def test_every_flag_kind_is_defined_with_a_source() -> None:
    assert list(DEFINITIONS) == [*FLAG_ORDER, "checkin_flare", "pattern"]
    for kind, definition in DEFINITIONS.items():
        assert definition.kind == kind
        assert definition.title
        assert definition.definition
        assert definition.source
    assert "Frandsen et al. 2025, BJSM 59:1203" in DEFINITIONS["long_run_spike"].source
    assert "d−30 … d−1" in DEFINITIONS["long_run_spike"].definition


@pytest.mark.parametrize(
    ("kind", "band", "expected"),
    [
        ("long_run_spike", "small", "info"),
        ("long_run_spike", "moderate", "warning"),
        ("long_run_spike", "large", "alert"),
        ("shoe_nearing", None, "info"),
        ("weekly_increase", None, "warning"),
        ("acwr_high", None, "warning"),
        ("pattern", None, "warning"),
        ("shoe_worn", None, "alert"),
        ("pain_flare", None, "alert"),
        ("checkin_flare", None, "alert"),
    ],
)
def test_severity(kind: str, band: str | None, expected: str) -> None:
    assert severity(kind, band) == expected


def test_a_spike_needs_its_band() -> None:
    with pytest.raises(ValueError, match="band"):
        severity("long_run_spike")
