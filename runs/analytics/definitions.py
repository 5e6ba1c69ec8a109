"""What each flag means, where its threshold comes from, and how loud it is (SPEC §2).

Every flag the app shows links here: the user and their clinician see the exact rule.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Definition:
    kind: str
    title: str
    definition: str
    source: str


DEFINITIONS: dict[str, Definition] = {
    definition.kind: definition
    for definition in (
        Definition(
            kind="long_run_spike",
            title="Long-run spike",
            definition=(
                "A run more than 10 % longer than the longest run dated in the 30 days before "
                "its date (days d−30 … d−1; at least one run is needed there). Bands: small "
                "(more than 10 %, up to 30 %), moderate (more than 30 %, up to 100 %), large "
                "(more than 100 %). Walks do not count."
            ),
            source="Frandsen et al. 2025, BJSM 59:1203 (hazard rate ratios 1.64 / 1.52 / 2.28)",
        ),
        Definition(
            kind="weekly_increase",
            title="Weekly distance up more than 30 %",
            definition=(
                "The running distance dated d−6 … d (the run's date and the 6 days before) is "
                "more than 1.30 × the distance dated d−13 … d−7, and that earlier week had "
                "some running. Walks do not count."
            ),
            source="Nielsen et al. 2014, JOSPT (> 30 %)",
        ),
        Definition(
            kind="acwr_high",
            title="Acute:chronic load ratio ≥ 1.5",
            definition=(
                "The EWMA acute:chronic ratio of daily running distance is 1.5 or more on the "
                "run's date (that day's load included). Daily load is the sum of the day's "
                "runs, rest days 0. From the first logged day (t = 1): E_t = λ·load_t + "
                "(1−λ)·E_{t−1}, E_0 = 0, bias-corrected Ê_t = E_t / (1 − (1−λ)^t); acute "
                "λ = 2/8, chronic λ = 2/29; the ratio is Ê_acute / Ê_chronic, defined from "
                "t = 28 on and while Ê_chronic > 0. It describes load; it does not predict "
                "injury."
            ),
            source="Williams et al. 2017, BJSM; Gabbett 2016",
        ),
        Definition(
            kind="shoe_nearing",
            title="Shoes nearing their replacement distance",
            definition=(
                "The shoe's odometer at the start of the run (distance already on it when "
                "added plus every earlier run and walk in it) is at least 80 % of its "
                "replacement distance."
            ),
            source="Usual replacement range 480–800 km; Verdejo & Mills 2004",
        ),
        Definition(
            kind="shoe_worn",
            title="Shoes past their replacement distance",
            definition=(
                "The shoe's odometer at the start of the run (distance already on it when "
                "added plus every earlier run and walk in it) is at least 100 % of its "
                "replacement distance."
            ),
            source="Usual replacement range 480–800 km; Verdejo & Mills 2004",
        ),
        Definition(
            kind="pain_flare",
            title="Pain flare-up after a run",
            definition=(
                "Pain after minus pain before is 2 points or more; or pain after is above 5 "
                "and above pain before; or pain the next morning minus pain before is 2 "
                "points or more (0–10 scale). A rule needing a score that was not recorded "
                "does not apply."
            ),
            source=(
                "Farrar et al. 2001 and Ostelo et al. 2008 (2 points is a change that matters); "
                "pain-monitoring model, Silbernagel et al. 2007 (above 5 is too much, and pain "
                "must settle by the next morning)"
            ),
        ),
        Definition(
            kind="checkin_flare",
            title="Pain flare-up (check-in)",
            definition=(
                "A pain check-in scoring at least 2 points above the median of your pain "
                "scores (check-ins and pain before runs) in the 14 days before it, when there "
                "are at least 3 such scores."
            ),
            source="Farrar et al. 2001 and Ostelo et al. 2008 (2 points); Silbernagel et al. 2007",
        ),
        Definition(
            kind="pattern",
            title="Pattern",
            definition=(
                "Over the runs with pain recorded before and after, runs with an exposure "
                "(a flag, a pair of shoes, a surface) ended in a flare-up more often than the "
                "others: the 95 % confidence interval of the risk ratio (log method; 0.5 added "
                "to every cell when any is 0) lies above 1, with at least 5 exposed and 5 "
                "other runs and 3 flare-ups in all. Fisher's exact two-sided p-value is shown "
                "with it. A pattern in your own log, not proof of cause."
            ),
            source="Risk ratio with a log-method 95 % interval; Fisher's exact test",
        ),
    )
}

_SEVERITY = {
    "shoe_nearing": "info",
    "weekly_increase": "warning",
    "acwr_high": "warning",
    "pattern": "warning",
    "shoe_worn": "alert",
    "pain_flare": "alert",
    "checkin_flare": "alert",
}
# A long-run spike is as loud as it is large.
_SPIKE_SEVERITY = {"small": "info", "moderate": "warning", "large": "alert"}


def severity(kind: str, band: str | None = None) -> str:
    """``info``, ``warning`` or ``alert``; a ``long_run_spike`` needs its ``band``."""
    if kind == "long_run_spike":
        if band not in _SPIKE_SEVERITY:
            raise ValueError(f"a long-run spike has a band (small, moderate, large), not {band!r}")
        return _SPIKE_SEVERITY[band]
    return _SEVERITY[kind]
