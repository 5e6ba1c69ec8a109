"""A CSV cell never runs as a spreadsheet formula, and the importer gets the text back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exports.csvformat import (
    ESCAPE,
    FORMULA_TRIGGERS,
    SI_COLUMNS,
    header,
    human_columns,
    spreadsheet_safe,
    spreadsheet_text,
)


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'quoted", "''quoted"),
        ("Easy 5k, felt good", "Easy 5k, felt good"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_formula_triggers_are_escaped(text: str, cell: str) -> None:
    assert spreadsheet_safe(text) == cell
    assert spreadsheet_text(cell) == text


def test_header_has_the_si_columns_then_the_human_ones() -> None:
    assert header("km")[: len(SI_COLUMNS)] == SI_COLUMNS
    assert header("mi")[len(SI_COLUMNS) :] == ["time", "distance_mi", "duration", "pace_per_mi"]
    assert human_columns("km") == ["time", "distance_km", "duration", "pace_per_km"]


@given(st.text())
def test_round_trip(text: str) -> None:
    assert spreadsheet_text(spreadsheet_safe(text)) == text


@given(st.text())
def test_a_safe_cell_never_starts_with_a_trigger(text: str) -> None:
    assert not spreadsheet_safe(text).startswith(FORMULA_TRIGGERS)


@given(st.sampled_from([*FORMULA_TRIGGERS, ESCAPE]), st.text())
def test_texts_starting_with_a_trigger_round_trip(first: str, rest: str) -> None:
    text = first + rest
    cell = spreadsheet_safe(text)
    assert cell == ESCAPE + text
    assert spreadsheet_text(cell) == text
