"""Where it hurts (docs/product.md#where-it-hurts): how often each body-map region was marked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from runs.analytics.records import CheckinRecord, RunRecord


@dataclass(frozen=True, slots=True)
class RegionCount:
    region: str
    checkins: int  # check-ins that marked it
    runs: int  # runs and walks that marked it

    @property
    def total(self) -> int:
        return self.checkins + self.runs


def region_counts(
    runs: Iterable[RunRecord], checkins: Iterable[CheckinRecord], regions: Sequence[str]
) -> list[RegionCount]:
    """Each of ``regions``, in their order, with the number of check-ins and of runs that
    marked it (an entry counts once per region it marked)."""
    in_checkins = dict.fromkeys(regions, 0)
    in_runs = dict.fromkeys(regions, 0)
    for checkin in checkins:
        for region in checkin.pain_regions:
            if region in in_checkins:
                in_checkins[region] += 1
    for run in runs:
        for region in run.pain_regions:
            if region in in_runs:
                in_runs[region] += 1
    return [RegionCount(region, in_checkins[region], in_runs[region]) for region in regions]
