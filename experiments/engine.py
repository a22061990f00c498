"""An experiment's statistics: did the test group do the behaviour, and did it help? Pure: plain
data in and out.

The unit is the rep. Reps, not meetings, were randomised into the test and control groups, and
one rep's meetings are not independent (a rep who asks in one meeting asks in the next), so
every comparison first reduces each rep to one number (the share of their meetings that met the
behaviour's bar, their win rate) and then compares the two groups' reps: the difference of
means with a Welch t interval, reps as the observations. With five to ten reps a bootstrap over
reps has too few values to resample; Welch's t is honest at that size (see the simulation tests).

The baseline is the same number of days just before the start. The change per rep (period −
baseline) compared between groups is the difference-in-differences: a rep's own habits cancel,
so it is tighter when reps differ a lot, and it shows whether the groups already differed before
the experiment began.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

LEVEL = 0.90
MIN_REPS_PER_ARM = 3  # reps with data in each group, below it no interval is shown
MIN_OUTCOMES = 12  # closed deals (or meetings with an outcome) over both groups in the period

TEST, CONTROL = "test", "control"


@dataclass(frozen=True)
class Condition:
    """What a meeting must show to count as "did the behaviour": its KPI against a bar."""

    kpi: str  # the MeetingScore column
    op: str  # "ge": at least the bar; "le": at most the bar
    default_bar: float
    unit: str  # "count", "rate" (per customer-minute), "share" (0..1)


CONDITIONS: dict[str, Condition] = {
    "asks": Condition("asks", "ge", 1, "count"),
    "affirmations_per_customer_minute": Condition("affirmations_per_customer_minute", "ge", 2.0, "rate"),
    "case_studies": Condition("case_studies", "ge", 1, "count"),
    "listening_window_customer_share": Condition("listening_window_customer_share", "ge", 0.5, "share"),
    "premature_proposals": Condition("premature_proposals", "le", 0, "count"),
}


def assign_arms(rep_ids: Sequence[int], seed: int) -> dict[int, str]:
    """A random half of the reps (rounded down, at least one) to the test group: the same seed
    and reps always give the same groups, so the page can show how they were drawn."""
    ids = sorted(set(rep_ids))
    random.Random(seed).shuffle(ids)
    n_test = max(len(ids) // 2, 1) if len(ids) > 1 else 0
    return {rep: (TEST if i < n_test else CONTROL) for i, rep in enumerate(ids)}


def meets(value: float | None, op: str, bar: float) -> bool | None:
    """Whether one meeting met the bar; None where its KPI could not be measured."""
    if value is None:
        return None
    return value >= bar if op == "ge" else value <= bar


@dataclass(frozen=True)
class RepData:
    rep_id: int
    arm: str
    period: tuple[float | None, ...] = ()  # the behaviour's KPI in each scored meeting of the period
    baseline: tuple[float | None, ...] = ()  # … of the baseline before the start
    period_wins: tuple[bool, ...] = ()  # each closed deal (or meeting outcome): won?
    baseline_wins: tuple[bool, ...] = ()


@dataclass(frozen=True)
class Difference:
    """Test − control over reps; the means are shown even where the interval is not."""

    n_test: int
    n_control: int
    test_mean: float | None
    control_mean: float | None
    estimate: float | None = None
    low: float | None = None
    high: float | None = None
    level: float = LEVEL

    @property
    def enough(self) -> bool:
        return self.estimate is not None

    @property
    def clear(self) -> bool:
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


def _t(level: float, df: float) -> float:
    from scipy.stats import t

    return float(t.ppf((1 + level) / 2, df))


def arm_difference(
    test: Sequence[float], control: Sequence[float], *, level: float = LEVEL, enough: bool = True
) -> Difference:
    """Difference of the groups' means with a Welch–Satterthwaite t interval (unequal variances:
    the test group's reps may spread more once some take to the behaviour and some do not)."""
    mean_t = statistics.fmean(test) if test else None
    mean_c = statistics.fmean(control) if control else None
    if not enough or len(test) < MIN_REPS_PER_ARM or len(control) < MIN_REPS_PER_ARM:
        return Difference(len(test), len(control), mean_t, mean_c, level=level)
    assert mean_t is not None and mean_c is not None
    diff = mean_t - mean_c
    va, vc = statistics.variance(test) / len(test), statistics.variance(control) / len(control)
    se = math.sqrt(va + vc)
    if se == 0:
        return Difference(len(test), len(control), mean_t, mean_c, diff, diff, diff, level)
    df = (va + vc) ** 2 / (va**2 / (len(test) - 1) + vc**2 / (len(control) - 1))
    half = _t(level, df) * se
    return Difference(len(test), len(control), mean_t, mean_c, diff, diff - half, diff + half, level)


def rep_share(values: Sequence[float | None], op: str, bar: float) -> float | None:
    """Share of a rep's measurable meetings that met the bar; None with none measurable."""
    flags = [f for f in (meets(v, op, bar) for v in values) if f is not None]
    return sum(flags) / len(flags) if flags else None


def _rate(wins: Sequence[bool]) -> float | None:
    return sum(wins) / len(wins) if wins else None


@dataclass(frozen=True)
class Analysis:
    behaviour: Difference  # per-rep share of the period's meetings that met the bar
    behaviour_change: Difference  # per-rep (period − baseline) share: difference-in-differences
    outcome: Difference  # per-rep win rate in the period
    outcome_change: Difference  # per-rep (period − baseline) win rate
    meetings: dict[str, int]  # scored meetings in the period, per group
    outcomes: dict[str, int]  # closed deals (or meeting outcomes) in the period, per group
    target_met: dict[str, bool | None]  # the group's mean share reached the target

    @property
    def enough_outcomes(self) -> bool:
        return sum(self.outcomes.values()) >= MIN_OUTCOMES


def _split(values: dict[str, list[float]]) -> tuple[list[float], list[float]]:
    return values[TEST], values[CONTROL]


def analyse(
    reps: Sequence[RepData], *, op: str, bar: float, target_share: float, level: float = LEVEL
) -> Analysis:
    """The experiment page's numbers, from each rep's meetings and outcomes."""
    share: dict[str, list[float]] = {TEST: [], CONTROL: []}
    share_change: dict[str, list[float]] = {TEST: [], CONTROL: []}
    win: dict[str, list[float]] = {TEST: [], CONTROL: []}
    win_change: dict[str, list[float]] = {TEST: [], CONTROL: []}
    meetings = {TEST: 0, CONTROL: 0}
    outcomes = {TEST: 0, CONTROL: 0}
    for rep in reps:
        meetings[rep.arm] += len(rep.period)
        outcomes[rep.arm] += len(rep.period_wins)
        now, before = rep_share(rep.period, op, bar), rep_share(rep.baseline, op, bar)
        if now is not None:
            share[rep.arm].append(now)
            if before is not None:
                share_change[rep.arm].append(now - before)
        won_now, won_before = _rate(rep.period_wins), _rate(rep.baseline_wins)
        if won_now is not None:
            win[rep.arm].append(won_now)
            if won_before is not None:
                win_change[rep.arm].append(won_now - won_before)
    enough_outcomes = sum(outcomes.values()) >= MIN_OUTCOMES
    behaviour = arm_difference(*_split(share), level=level)
    return Analysis(
        behaviour=behaviour,
        behaviour_change=arm_difference(*_split(share_change), level=level),
        outcome=arm_difference(*_split(win), level=level, enough=enough_outcomes),
        outcome_change=arm_difference(*_split(win_change), level=level, enough=enough_outcomes),
        meetings=meetings,
        outcomes=outcomes,
        target_met={
            TEST: None if behaviour.test_mean is None else behaviour.test_mean >= target_share,
            CONTROL: None if behaviour.control_mean is None else behaviour.control_mean >= target_share,
        },
    )


@dataclass(frozen=True)
class RepSummary:
    rep_id: int
    arm: str
    meetings: int
    share: float | None
    baseline_share: float | None
    outcomes: int
    win_rate: float | None


def rep_summaries(reps: Sequence[RepData], *, op: str, bar: float) -> list[RepSummary]:
    """Each rep's own numbers, for the manager's table under the comparison."""
    return [
        RepSummary(
            r.rep_id,
            r.arm,
            len(r.period),
            rep_share(r.period, op, bar),
            rep_share(r.baseline, op, bar),
            len(r.period_wins),
            _rate(r.period_wins),
        )
        for r in reps
    ]
