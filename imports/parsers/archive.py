"""Strava's bulk export: a zip with ``activities.csv`` and the activity files
(``activities/123.fit.gz``, ``.gpx``, ``.tcx``…).

When the zip has ``activities.csv`` it is the whole story (names, gear, the same
activities as the files), so only it is read. Without it, each activity file is read on
its own. Nothing is written to disk, so member names do not matter; sizes do: a zip
bomb is stopped by the declared sizes and again while decompressing, by counting bytes;
the work of reading the members comes out of the request's one :class:`Budget` (eight
large GPX files in a small zip cost what eight uploads would, in one request).
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import zipfile
import zlib
from typing import IO

from imports.parsers.budget import Budget, OverBudget
from imports.parsers.records import MAX_FILE_BYTES, ParsedFile, Progress, Skipped, UnreadableFile

MAX_MEMBERS = 20_000  # a decade of activities with photos fits in this
MAX_MEMBER_BYTES = MAX_FILE_BYTES  # one decompressed file: the same cap as an upload
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # all decompressed files read from one zip
ACTIVITY_EXTENSIONS = (".fit", ".gpx", ".tcx")
TOO_BIG = "The zip unpacks to more than the import allows (25 MB per file, 200 MB in all)."


class _Bytes:
    """The decompressed bytes the zip may still give."""

    def __init__(self) -> None:
        self.left = MAX_TOTAL_BYTES

    def take(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise UnreadableFile(TOO_BIG)


def _read_capped(stream: IO[bytes] | io.BufferedIOBase, unpacked: _Bytes) -> bytes:
    """At most ``MAX_MEMBER_BYTES``, counted as they come out of the decompressor (a
    member's declared size may lie)."""
    chunks, size = [], 0
    while chunk := stream.read(1024 * 1024):
        size += len(chunk)
        unpacked.take(len(chunk))
        if size > MAX_MEMBER_BYTES:
            raise UnreadableFile(TOO_BIG)
        chunks.append(chunk)
    return b"".join(chunks)


def parse_zip(
    data: bytes, *, zone: dt.tzinfo = dt.UTC, budget: Budget | None = None, progress: Progress | None = None
) -> ParsedFile:
    from imports.parsers import parse

    budget = budget or Budget()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise UnreadableFile("This is not a readable zip file.") from None
    if len(members) > MAX_MEMBERS:
        raise UnreadableFile(f"The zip holds more than {MAX_MEMBERS:,} files.")
    files = [member for member in members if not member.is_dir()]
    unpacked = _Bytes()
    csvs = [member for member in files if member.filename.rsplit("/", 1)[-1].lower() == "activities.csv"]
    if csvs:
        # The shallowest one is the export's own (a copy might sit deeper).
        member = min(csvs, key=lambda info: info.filename.count("/"))
        return parse(
            "activities.csv", _member(archive, member, unpacked), zone=zone, budget=budget, progress=progress
        )

    result = ParsedFile()
    # Photos, profile, routes and the rest of an export are not read.
    activity_files = [
        member
        for member in files
        if member.filename.lower().removesuffix(".gz").endswith(ACTIVITY_EXTENSIONS)
    ]
    read = 0
    for member in files:
        lower = member.filename.lower()
        inner = lower.removesuffix(".gz")
        if lower.endswith(".zip"):
            result.skipped.append(Skipped(member.filename, "A zip inside the zip is not opened."))
            continue
        if not inner.endswith(ACTIVITY_EXTENSIONS):
            continue
        if progress is not None:
            progress(read, len(activity_files))
        read += 1
        budget.check_time()
        try:
            content = _member(archive, member, unpacked)
            if lower.endswith(".gz"):
                content = _gunzip(content, unpacked)
            result.extend(parse(inner.rsplit("/", 1)[-1], content, zone=zone, budget=budget))
        except UnreadableFile as exc:
            if isinstance(exc, OverBudget) or exc.message == TOO_BIG:
                raise
            result.skipped.append(Skipped(member.filename, exc.message))
    if not activity_files:
        raise UnreadableFile("This zip holds no activities.csv and no .fit, .gpx or .tcx files.")
    if progress is not None:
        progress(len(activity_files), len(activity_files))
    return result


def _member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, unpacked: _Bytes) -> bytes:
    if member.file_size > MAX_MEMBER_BYTES or member.file_size > unpacked.left:
        raise UnreadableFile(TOO_BIG)
    try:
        with archive.open(member) as stream:
            return _read_capped(stream, unpacked)
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
        # Damaged, encrypted (RuntimeError) or compressed with a method Python lacks.
        raise UnreadableFile(f"{member.filename} in the zip cannot be read.") from None


def _gunzip(data: bytes, unpacked: _Bytes) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            return _read_capped(stream, unpacked)
    except UnreadableFile:
        raise
    except (OSError, EOFError, zlib.error, ValueError):
        raise UnreadableFile("This .gz file cannot be read.") from None
