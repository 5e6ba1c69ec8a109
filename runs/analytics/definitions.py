"""The registry of flag kinds (docs/analytics.md#flags): what each means, where its threshold comes from,
how loud it is, its short name in tables, and whether it is a home-page alert.

Every place that lists flag kinds reads them from here: the definitions page, the
analytics (their order), the alerts and the flags feed, the patterns' exposures, the
report's run table and the CSV. Adding a kind is one entry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Definition:
    kind: str
    title: str
    definition: str
    source: str
    # For flag kinds: how loud (info | warning | alert), the short name in the report's run
    # table, and whether the home page raises it. Other entries only explain a concept.
    severity: str | None = None
    short: str = ""
    home_alert: bool = False
    run_flag: bool = False  # stored on each run (``Run.flags``), in this order
    # As an exposure of the patterns: who the exposed runs are ("runs in worn shoes") and
    # what the log cannot tell them apart from when they fill one stretch of time.
    runs_with: str | None = None
    subject: str = ""

    @property
    def is_flag(self) -> bool:
        return self.severity is not None


_DEFINITIONS = (
    Definition(
        kind="long_run_spike",
        title="Long-run spike",
        definition=(
            "A run more than 10 % longer than the longest run dated in the 30 days before "
            "its date (days d−30 … d−1; at least one run is needed there). Bands: small "
            "(more than 10 %, up to 30 %), moderate (more than 30 %, up to 100 %), large "
            "(more than 100 %). Walks do not count. This is the load measure with the best "
            "evidence behind it: in 5,205 runners followed for 18 months (588,071 runs), "
            "single runs longer than the longest of the previous 30 days went with more "
            "running injuries in every band, while the weekly change and the acute:chronic "
            "ratio did not."
        ),
        source="Frandsen et al. 2025, BJSM 59:1203 (hazard rate ratios 1.64 / 1.52 / 2.28)",
        severity="warning",
        short="Spike",
        home_alert=True,
        run_flag=True,
        runs_with="runs that were a long-run spike",
        subject="the spikes",
    ),
    Definition(
        kind="weekly_increase",
        title="Weekly distance up more than 30 %",
        definition=(
            "The running distance dated d−6 … d (the run's date and the 6 days before) is "
            "more than 1.30 × the distance dated d−13 … d−7, and that earlier week had "
            "some running. Walks do not count. Information only: in a cohort of novice "
            "runners a weekly increase over 30 % showed no overall effect on injuries, and "
            "Frandsen 2025 found no clear link either. It is shown on the run and in the "
            "report, never as a home-page alert."
        ),
        source="Nielsen et al. 2014, JOSPT 44:739; Frandsen et al. 2025, BJSM 59:1203",
        severity="info",
        short="Week +30 %",
        run_flag=True,
        runs_with="runs in a week with distance up more than 30 %",
        subject="the weekly increases",
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
            "t = 28 on and while Ê_chronic > 0. Kept because clinicians ask for it, and "
            "shown on the run, in the API and in the report only. Why not more: the ratio "
            "shares its recent load with its own denominator (mathematical coupling), so it "
            "partly correlates with itself; re-analyses found it no better than chance at "
            "predicting injury; and in 588,071 runs it showed no clear link with running "
            'injuries. There is no validated "sweet spot", so the app draws none. It '
            "describes load; it does not predict injury."
        ),
        source=(
            "Williams et al. 2017, BJSM 51:209; critiques: Lolli et al. 2019, BJSM 53:1510; "
            "Impellizzeri et al. 2020, JAT 55:885; Frandsen et al. 2025, BJSM 59:1203"
        ),
        severity="info",
        short="ACWR ≥ 1.5",
        run_flag=True,
        runs_with="runs on days with an acute:chronic load ratio of 1.5 or more",
        subject="the high load ratios",
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
        severity="warning",
        short="Shoes 80 %",
        home_alert=True,
        run_flag=True,
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
        severity="warning",
        short="Shoes worn",
        home_alert=True,
        run_flag=True,
        runs_with="runs in shoes past their replacement distance",
        subject="the worn shoes",
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
        severity="alert",
        short="FLARE",
        home_alert=True,
        run_flag=True,
    ),
    Definition(
        kind="checkin_flare",
        title="Pain flare-up (check-in)",
        definition=(
            "A pain check-in scoring at least 2 points above the median of the pain "
            "scores (check-ins and pain before runs) in the 14 days before it, when there "
            "are at least 3 such scores."
        ),
        source="Farrar et al. 2001 and Ostelo et al. 2008 (2 points); Silbernagel et al. 2007",
        severity="alert",
        home_alert=True,
    ),
    Definition(
        kind="pattern",
        title="Pattern",
        definition=(
            'Over the runs with pain recorded before and after ("rated runs"), how often '
            "runs with an exposure (a flag, a pair of shoes, a surface) ended in a flare-up "
            "against the other runs: the counts, the risk ratio with its 95 % confidence "
            "interval (log method; 0.5 added to every cell when any is 0), Fisher's exact "
            "two-sided p-value, and that p-value adjusted for testing all the patterns at "
            'once (Benjamini–Hochberg). The delayed variants ("within two days") count a '
            "flare-up on the run's date or either of the two days after it: load today, pain "
            "tomorrow. Verdicts, in this order: not enough data (fewer than 5 exposed or 5 "
            "other rated runs, or fewer than 3 flare-ups); likely (interval above 1, adjusted "
            "p below 0.05, and the exposed runs in at least 3 separate periods); likely fewer "
            "flare-ups (interval below 1, the same conditions); possible (risk ratio 1.5 or "
            "more otherwise); possibly fewer (risk ratio 1/1.5 or less otherwise); otherwise no "
            "clear difference. A period is a stretch of consecutive exposed runs: flare-ups "
            "come in bad spells, and an exposure that fills one stretch of time (a pair worn "
            "until it is retired) cannot be told apart from whatever else went on then. Two "
            "exposures that select exactly the same runs are shown once, named together. A "
            "pattern in this one log, not proof of cause."
        ),
        source=(
            "Risk ratio with a log-method 95 % interval; Fisher's exact test; Benjamini & "
            "Hochberg 1995, JRSS B 57:289 (false discovery rate)"
        ),
        severity="warning",
        home_alert=True,
    ),
    Definition(
        kind="flare_episode",
        title="Flare-up episode",
        definition=(
            "Flare days are the dates of flare-ups: a run's on the run's date (one raised by "
            "next-morning pain alone on the day after), a check-in's on its date. An episode "
            "is a run of flare days each at most 3 days after the one before; it has a "
            "start, an end and a peak (the highest pain after, next-morning or check-in "
            "score in it). The report and the pain calendar show episodes, one row or band "
            "each, rather than one line per run."
        ),
        source="As for flare-ups: Farrar et al. 2001; Silbernagel et al. 2007",
    ),
    Definition(
        kind="session_load",
        title="Session load (sRPE)",
        definition=(
            "Effort (RPE, CR-10 scale, 1–10) × duration in minutes, in arbitrary units (AU), "
            "for every run or walk that has both; summed per Monday-started week with its "
            "change against the week before. Descriptive only: no threshold is flagged, "
            "because none is validated."
        ),
        source="Foster et al. 2001, JSCR 15:109; Haddad et al. 2017, Front Neurosci 11:612",
    ),
)

DEFINITIONS: dict[str, Definition] = {definition.kind: definition for definition in _DEFINITIONS}
# The flag kinds (the API's ``kind``), and among them those stored on each run, in order.
FLAG_KINDS: dict[str, Definition] = {kind: found for kind, found in DEFINITIONS.items() if found.is_flag}
FLAG_ORDER: tuple[str, ...] = tuple(kind for kind, found in FLAG_KINDS.items() if found.run_flag)
# The flag kinds that are exposures of the patterns, in order.
FLAG_EXPOSURES: dict[str, Definition] = {
    kind: found for kind, found in FLAG_KINDS.items() if found.runs_with is not None
}


def severity(kind: str) -> str:
    """``info``, ``warning`` or ``alert`` (docs/analytics.md#flags)."""
    found = FLAG_KINDS[kind].severity
    assert found is not None  # FLAG_KINDS holds only kinds with one
    return found
