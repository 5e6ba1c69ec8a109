"""Shoe wear (docs/analytics.md#shoe-wear): one rule for every place that judges a pair.

A pair is ``nearing`` its replacement distance from 80 % of it and ``replace`` from 100 %
(runs in it are then flagged ``shoe_nearing`` / ``shoe_worn``); ``retired`` pairs are out
of use whatever their odometer. Pure: no Django, so the analytics can use it too.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

NEARING_RATIO = 0.8
WORN_RATIO = 1.0

OK, NEARING, REPLACE, RETIRED = "ok", "nearing", "replace", "retired"
# The run flag each status raises, and the status each flag stands for.
STATUS_FLAG = {NEARING: "shoe_nearing", REPLACE: "shoe_worn"}
FLAG_RATIO = {"shoe_nearing": NEARING_RATIO, "shoe_worn": WORN_RATIO}

# Sums of a lifetime of distances, compared exactly (see runs.analytics.load).
_EXACT = decimal.Context(prec=60)


def _exact(value: float | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def wear_status(odometer_m: float | Decimal, threshold_m: float | Decimal, *, retired: bool = False) -> str:
    """``ok``, ``nearing``, ``replace`` or ``retired``, compared exactly on the figures as
    typed (80 % of 640 km is 512 km, not 511.99999…)."""
    if retired:
        return RETIRED
    with decimal.localcontext(_EXACT):
        odometer, threshold = _exact(odometer_m), _exact(threshold_m)
        if odometer >= threshold * Decimal(repr(WORN_RATIO)):
            return REPLACE
        if odometer >= threshold * Decimal(repr(NEARING_RATIO)):
            return NEARING
    return OK
