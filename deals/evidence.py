"""Which behaviours go with won deals, honestly, at tens of deals. Pure: plain data in and out.

Unit: the deal, not the meeting (a deal has several meetings and one outcome).

Confounding by rep: a skilled rep both does the behaviour more and wins more, so comparing all
deals with the behaviour against all without it credits the behaviour with the rep's skill. We
compare each rep's deals only with the same rep's other deals: the Mantel–Haenszel risk
difference with the rep as the stratum (a rep who has deals on only one side adds nothing). Its
interval uses the Greenland–Robins/Sato variance, which stays valid both with many small strata
(a few deals per rep) and with few large ones. The simulation (`manage.py outcome_simulation`,
`bench/outcome_simulation`) plants a known effect with rep skill confounding it and checks that
the interval covers it about as often as its level says; a cluster bootstrap over reps was the
alternative, but with five to ten reps it has too few clusters to resample. At 30 deals the
interval still covers 87% of the time for a nominal 90%, at 60 deals 90%: hence MIN_DEALS.

Many behaviours: a team that looks at six behaviours at 90% would see one "clear" difference by
chance in about every other period. Each interval is therefore widened by Bonferroni: with K
behaviours shown at family level 90%, each interval is at 1 − 0.10/K, so the chance that any of
them excludes zero when no behaviour matters stays at most 10%.

Days to close (won deals only, from the first meeting): per rep, the difference of the mean days
with and without the behaviour, pooled with the same weights and the same minimum, its interval
from the pooled within-rep variance (within_rep_days_difference). The days family gets its own
Bonferroni correction at the same level; the simulation (`deals.simulation.run_days`) checks it.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from deals.engine import DealFacts, DealKpis, deal_kpis

FAMILY_LEVEL = 0.90
MIN_DEALS = (
    30  # closed deals, in reps with deals on both sides: below it the interval under-covers (simulation)
)
MIN_PER_SIDE = 5  # of those, with and without the behaviour


@dataclass(frozen=True)
class Behaviour:
    """A yes/no property of a deal ("more" of the behaviour), None where it cannot be told."""

    key: str
    better: str  # "up": more is meant to help; "down": meant to hurt
    feature: Callable[[DealKpis, dict[str, float | None]], bool | None]


def _above(value: float | None, cut: float | None) -> bool | None:
    return None if value is None or cut is None else value >= cut


BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour(
        "asked_early",
        "up",
        lambda k, c: None if k.meetings == 0 else (k.meetings_until_ask or 99) <= 2,
    ),
    Behaviour(
        "proposed_when_asked",
        "up",
        lambda k, c: None if k.meetings_until_ask is None else k.ask_to_proposal_meetings == 0,
    ),
    Behaviour(
        "premature_proposal",
        "down",
        lambda k, c: None if k.premature_share is None else k.premature_share > 0,
    ),
    Behaviour("case_study", "up", lambda k, c: None if k.meetings == 0 else k.case_study_meetings > 0),
    Behaviour("listening", "up", lambda k, c: _above(k.listening_share, c.get("listening_share"))),
    Behaviour(
        "affirmations",
        "up",
        lambda k, c: _above(k.affirmations_per_minute, c.get("affirmations_per_minute")),
    ),
)
BEHAVIOUR_BY_KEY = {b.key: b for b in BEHAVIOURS}


@dataclass(frozen=True)
class Effect:
    behaviour: str
    level: float  # of this interval (after the correction for the number of behaviours)
    n_deals: int  # closed deals behind the estimate (reps with deals on both sides)
    n_with: int
    n_without: int
    estimate: float | None  # difference in win probability, with − without, within rep
    low: float | None
    high: float | None
    win_with: float | None = None  # raw win rates of those deals, for the sentence
    win_without: float | None = None

    @property
    def enough(self) -> bool:
        return self.estimate is not None

    @property
    def clear(self) -> bool:
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


def _z(level: float) -> float:
    return statistics.NormalDist().inv_cdf((1 + level) / 2)


def _t(level: float, df: int) -> float:
    from scipy.stats import t

    return float(t.ppf((1 + level) / 2, df))


def within_rep_difference(rows: Sequence[tuple[int, bool, bool]], behaviour: str, level: float) -> Effect:
    """Mantel–Haenszel risk difference over (rep, did the behaviour, won) rows, reps as strata."""
    strata: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # n1, wins1, n0, wins0
    for rep, exposed, won in rows:
        s = strata[rep]
        if exposed:
            s[0] += 1
            s[1] += won
        else:
            s[2] += 1
            s[3] += won
    informative = [s for s in strata.values() if s[0] and s[2]]
    n1 = sum(s[0] for s in informative)
    n0 = sum(s[2] for s in informative)
    if n1 + n0 < MIN_DEALS or n1 < MIN_PER_SIDE or n0 < MIN_PER_SIDE:
        return Effect(behaviour, level, n1 + n0, n1, n0, None, None, None)
    weight = num = 0.0
    for e, a, u, c in informative:
        n = e + u
        weight += e * u / n
        num += (a * u - c * e) / n
    rd = num / weight
    p_sum = q_sum = 0.0
    for e, a, u, c in informative:
        n = e + u
        p_sum += (e * e * c - u * u * a + e * u * (u - e) / 2) / (n * n)
        q_sum += (a * (u - c) + c * (e - a)) / (2 * n)
    # Greenland–Robins/Sato variance, scaled by n / (n − reps − 1) for the rates estimated per
    # rep (as HC1 does for regressions): without it the interval under-covers at tens of deals.
    n_all = n1 + n0
    df = max(n_all - len(informative) - 1, 1)
    variance = max((rd * p_sum + q_sum) / (weight * weight), 0.0) * n_all / df
    half = _t(level, df) * math.sqrt(variance)  # Student's t on the same degrees of freedom
    return Effect(
        behaviour,
        level,
        n1 + n0,
        n1,
        n0,
        estimate=rd,
        low=max(-1.0, rd - half),
        high=min(1.0, rd + half),
        win_with=sum(s[1] for s in informative) / n1,
        win_without=sum(s[3] for s in informative) / n0,
    )


@dataclass(frozen=True)
class DaysEffect:
    """Among won deals: days from first meeting to close, with − without the behaviour, within rep."""

    behaviour: str
    level: float
    n_deals: int  # won deals behind the estimate (reps with won deals on both sides)
    n_with: int
    n_without: int
    estimate: float | None  # days; negative: deals with it closed sooner
    low: float | None
    high: float | None
    days_with: float | None = None  # raw mean days of those deals, for the sentence
    days_without: float | None = None

    @property
    def enough(self) -> bool:
        return self.estimate is not None

    @property
    def clear(self) -> bool:
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


def within_rep_days_difference(
    rows: Sequence[tuple[int, bool, float]], behaviour: str, level: float
) -> DaysEffect:
    """Stratified difference in mean days over (rep, did the behaviour, days) rows of won deals.

    Per rep with won deals on both sides, the difference of the two means, weighted by
    n1·n0/(n1+n0) (the weights of the Mantel–Haenszel difference above; the estimate is what a
    regression of days on the behaviour with a dummy per rep gives). Its variance is the pooled
    within-(rep, side) variance σ² over the sum of the weights, on n − 2·reps degrees of freedom,
    with Student's t. Days are skewed (a few deals take months); the simulation checks coverage.
    """
    groups: dict[int, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for rep, exposed, days in rows:
        groups[rep][0 if exposed else 1].append(days)
    informative = [(w, wo) for w, wo in groups.values() if w and wo]
    n1 = sum(len(w) for w, _wo in informative)
    n0 = sum(len(wo) for _w, wo in informative)
    df = n1 + n0 - 2 * len(informative)
    if n1 + n0 < MIN_DEALS or n1 < MIN_PER_SIDE or n0 < MIN_PER_SIDE or df < 1:
        return DaysEffect(behaviour, level, n1 + n0, n1, n0, None, None, None)
    weight = num = squares = 0.0
    for with_, without in informative:
        w = len(with_) * len(without) / (len(with_) + len(without))
        m1, m0 = statistics.fmean(with_), statistics.fmean(without)
        weight += w
        num += w * (m1 - m0)
        squares += sum((d - m1) ** 2 for d in with_) + sum((d - m0) ** 2 for d in without)
    estimate = num / weight
    half = _t(level, df) * math.sqrt(squares / df / weight)
    return DaysEffect(
        behaviour,
        level,
        n1 + n0,
        n1,
        n0,
        estimate=estimate,
        low=estimate - half,
        high=estimate + half,
        days_with=statistics.fmean(d for w, _wo in informative for d in w),
        days_without=statistics.fmean(d for _w, wo in informative for d in wo),
    )


def naive_difference(rows: Sequence[tuple[int, bool, bool]], level: float) -> tuple[float, float, float]:
    """Win rate with − without over all deals, ignoring who the rep was (what not to do)."""
    won1 = [w for _r, e, w in rows if e]
    won0 = [w for _r, e, w in rows if not e]
    p1, p0 = sum(won1) / max(len(won1), 1), sum(won0) / max(len(won0), 1)
    se = math.sqrt(p1 * (1 - p1) / max(len(won1), 1) + p0 * (1 - p0) / max(len(won0), 1))
    return p1 - p0, p1 - p0 - _z(level) * se, p1 - p0 + _z(level) * se


def _features(
    deals: Sequence[DealFacts], behaviours: Sequence[Behaviour]
) -> list[tuple[DealFacts, DealKpis, dict[str, bool | None]]]:
    """Each closed deal, its KPIs and, per behaviour, whether it had more of it (None: cannot be
    told). Continuous behaviours split at the median over these deals (one cut for everyone, so a
    rep's deals are compared against the same bar)."""
    closed = [d for d in deals if d.outcome in ("won", "lost")]
    kpis = [deal_kpis(d) for d in closed]
    cuts: dict[str, float | None] = {}
    for name in ("listening_share", "affirmations_per_minute"):
        values = [getattr(k, name) for k in kpis if getattr(k, name) is not None]
        cuts[name] = statistics.median(values) if values else None
    return [
        (deal, k, {b.key: b.feature(k, cuts) for b in behaviours})
        for deal, k in zip(closed, kpis, strict=True)
    ]


def deal_rows(
    deals: Sequence[DealFacts], behaviours: Sequence[Behaviour], features: list | None = None
) -> dict[str, list[tuple[int, bool, bool]]]:
    """Per behaviour, (rep, more of it, won) for each closed deal where it can be told."""
    out: dict[str, list[tuple[int, bool, bool]]] = {b.key: [] for b in behaviours}
    for deal, _k, values in features if features is not None else _features(deals, behaviours):
        for b in behaviours:
            if values[b.key] is not None:
                out[b.key].append((deal.rep_id, bool(values[b.key]), deal.outcome == "won"))
    return out


def days_rows(
    deals: Sequence[DealFacts], behaviours: Sequence[Behaviour], features: list | None = None
) -> dict[str, list[tuple[int, bool, float]]]:
    """Per behaviour, (rep, more of it, days from first meeting to close) for each won deal."""
    out: dict[str, list[tuple[int, bool, float]]] = {b.key: [] for b in behaviours}
    for deal, k, values in features if features is not None else _features(deals, behaviours):
        if deal.outcome != "won" or k.days_to_close is None or k.days_to_close < 0:
            continue  # a negative span is a meeting linked after the close: bad data, left out
        for b in behaviours:
            if values[b.key] is not None:
                out[b.key].append((deal.rep_id, bool(values[b.key]), float(k.days_to_close)))
    return out


def _level(behaviours: Sequence[Behaviour], family_level: float) -> float:
    return 1 - (1 - family_level) / max(len(behaviours), 1)


def evidence(
    deals: Sequence[DealFacts],
    behaviours: Sequence[Behaviour] = BEHAVIOURS,
    family_level: float = FAMILY_LEVEL,
) -> list[Effect]:
    """The page's analysis: per behaviour, the within-rep difference in win probability, each
    interval Bonferroni-corrected for the number of behaviours looked at."""
    rows = deal_rows(deals, behaviours)
    return [within_rep_difference(rows[b.key], b.key, _level(behaviours, family_level)) for b in behaviours]


def evidence_with_days(
    deals: Sequence[DealFacts],
    behaviours: Sequence[Behaviour] = BEHAVIOURS,
    family_level: float = FAMILY_LEVEL,
) -> list[tuple[Effect, DaysEffect]]:
    """Per behaviour, the win-probability difference and, beside it, the days-to-close
    difference among won deals; each family Bonferroni-corrected on its own."""
    features = _features(deals, behaviours)
    wins, days = deal_rows(deals, behaviours, features), days_rows(deals, behaviours, features)
    level = _level(behaviours, family_level)
    return [
        (
            within_rep_difference(wins[b.key], b.key, level),
            within_rep_days_difference(days[b.key], b.key, level),
        )
        for b in behaviours
    ]
