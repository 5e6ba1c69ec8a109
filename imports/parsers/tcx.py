"""TCX files (Garmin Training Center), parsed with defusedxml.

Each ``<Activity>`` is one activity; its laps carry the device's totals (distance and
timer time), summed here. TCX knows three sports: Running, Biking and Other.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from imports.parsers.budget import Budget
from imports.parsers.records import (
    Activity,
    ParsedFile,
    Skipped,
    Source,
    UnreadableFile,
    as_utc,
    classify,
    finite,
    not_a_run,
    unset_clock,
    whole_seconds,
)
from imports.parsers.xmlsafety import decode_text, local_name, safe_tree


def parse_tcx(data: bytes, *, name: str = "file.tcx", budget: Budget | None = None) -> ParsedFile:
    root = safe_tree(decode_text(data), "TCX", budget or Budget(), point="Trackpoint")
    if local_name(root.tag) != "TrainingCenterDatabase":
        raise UnreadableFile("This is not a TCX file (its root element is not <TrainingCenterDatabase>).")
    activities = [element for element in root.iter() if local_name(element.tag) == "Activity"]
    if not activities:
        return ParsedFile(skipped=[Skipped(name, "No activity in this file.")])
    result = ParsedFile()
    for number, element in enumerate(activities, start=1):
        item = name if len(activities) == 1 else f"{name}, activity {number}"
        result.extend(_activity(element, item))
    return result


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((child for child in element if local_name(child.tag) == name), None)


def _child_text(element: ET.Element, name: str) -> str:
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


def _time(text: str) -> dt.datetime | None:
    try:
        return as_utc(dt.datetime.fromisoformat(text.strip()))
    except (ValueError, TypeError):
        return None


def _activity(element: ET.Element, item: str) -> ParsedFile:
    sport = (element.get("Sport") or "").strip()
    kind = classify(sport)
    if kind is None:
        return ParsedFile(skipped=[not_a_run(item, sport or "Other")])
    laps = [child for child in element if local_name(child.tag) == "Lap"]
    start = _time(_child_text(element, "Id"))
    if start is None and laps:
        start = _time(laps[0].get("StartTime") or "")
    if start is None:
        return ParsedFile(skipped=[Skipped(item, "The activity has no start time.")])
    if skip := unset_clock(item, start):
        return ParsedFile(skipped=[skip])
    distance = sum(finite(_child_text(lap, "DistanceMeters")) or 0.0 for lap in laps)
    duration = sum(finite(_child_text(lap, "TotalTimeSeconds")) or 0.0 for lap in laps)
    activity, surface = kind
    return ParsedFile(
        activities=[
            Activity(
                item=item,
                source=Source.TCX,
                started_at=start,
                activity=activity,
                sport=sport,
                distance_m=distance,
                duration_s=whole_seconds(duration),
                surface=surface,
                notes=_child_text(element, "Notes")[:2000],
            )
        ]
    )
