"""Readers of activity files: pure functions from bytes to plain records, no ORM inside.

Each format has a module (``fit``, ``gpx``, ``tcx``, ``csvfile``, ``archive``) with a
``parse_*`` function returning a :class:`ParsedFile`; :func:`parse` picks one by the file's
extension. A file that cannot be read raises :class:`UnreadableFile` with a message for the
user; an activity that can be read but not imported (a bike ride, a row without a date)
is a :class:`Skipped` item with its reason.
"""

from __future__ import annotations

import datetime as dt

from imports.parsers.budget import Budget
from imports.parsers.records import (
    MAX_FILE_BYTES,
    Activity,
    ParsedFile,
    Progress,
    Skipped,
    UnreadableFile,
)

__all__ = [
    "EXTENSIONS",
    "MAX_FILE_BYTES",
    "Activity",
    "Budget",
    "ParsedFile",
    "Progress",
    "Skipped",
    "UnreadableFile",
    "extension_of",
    "parse",
]

EXTENSIONS = (".fit", ".gpx", ".tcx", ".csv", ".zip")


def extension_of(name: str) -> str:
    """The extension (``.fit``…) of a file the import reads; :class:`UnreadableFile` for
    any other."""
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise UnreadableFile("Choose a .fit, .gpx, .tcx, .csv or .zip file.")
    return extension


def parse(
    name: str,
    data: bytes,
    *,
    zone: dt.tzinfo = dt.UTC,
    budget: Budget | None = None,
    progress: Progress | None = None,
) -> ParsedFile:
    """The activities in ``data``, read as the format its file ``name`` says.

    ``zone`` reads the app's own CSV times written without an offset (a hand-edited file).
    ``budget`` is the request's (:mod:`imports.parsers.budget`); a file on its own gets a
    fresh one. ``progress`` hears how far a CSV or a zip has been read.
    """
    # Imported here: each reader pulls in its library only when that format is used.
    from imports.parsers import archive, csvfile, fit, gpx, tcx

    extension = extension_of(name)
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile("The file is larger than 25 MB.")
    if not data:
        raise UnreadableFile("The file is empty.")
    budget = budget or Budget()
    if extension == ".fit":
        return fit.parse_fit(data, name=name, budget=budget)
    if extension == ".gpx":
        return gpx.parse_gpx(data, name=name, budget=budget)
    if extension == ".tcx":
        return tcx.parse_tcx(data, name=name, budget=budget)
    if extension == ".csv":
        return csvfile.parse_csv(data, zone=zone, name=name, budget=budget, progress=progress)
    return archive.parse_zip(data, zone=zone, budget=budget, progress=progress)
