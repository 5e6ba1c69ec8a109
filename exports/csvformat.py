"""The app's own CSV of runs (docs/api.md#export): its columns, and how a cell is made safe
for spreadsheets. The export writes it and the importer reads it back, so both use this.
"""

from __future__ import annotations

# The columns docs/api.md#export names, with the machine-readable SI values the importer reads back.
SI_COLUMNS = [
    "id",
    "started_at",
    "date",
    "activity",
    "distance_m",
    "duration_s",
    "elevation_gain_m",
    "surface",
    "shoe",
    "insole",
    "pain_before",
    "pain_after",
    "pain_next_morning",
    "rpe",
    "flags",
    "notes",
    "source",
    # Where it hurt (docs/product.md#where-it-hurts): the codes, separated by REGION_SEPARATOR.
    "pain_regions",
]
REGION_SEPARATOR = ";"


def human_columns(unit: str) -> list[str]:
    """Columns for people, in the user's unit; the importer ignores them."""
    return ["time", f"distance_{unit}", "duration", f"pace_per_{unit}"]


def header(unit: str) -> list[str]:
    return [*SI_COLUMNS, *human_columns(unit)]


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV
# injection"); the export puts an apostrophe before it, which spreadsheets show as text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def spreadsheet_safe(text: str) -> str:
    """``text`` as a cell no spreadsheet runs as a formula.

    A text that already starts with an apostrophe is escaped too, so that
    :func:`spreadsheet_text` can tell an added apostrophe from one the user typed.
    """
    if text.startswith((*FORMULA_TRIGGERS, ESCAPE)):
        return ESCAPE + text
    return text


def spreadsheet_text(cell: str) -> str:
    """The text :func:`spreadsheet_safe` was given (the inverse, for the importer)."""
    if cell.startswith(ESCAPE) and cell[1:].startswith((*FORMULA_TRIGGERS, ESCAPE)):
        return cell[1:]
    return cell
