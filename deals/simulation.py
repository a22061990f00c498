"""Generated deals with a planted effect of one behaviour on winning, confounded by rep skill.

Each rep has a skill s ~ N(0, 1). A skilled rep draws the customer's ask out early more often
(P = logistic(1.2 s)) and wins more often anyway (base win probability 0.1 + 0.5 Φ(s), in
0.1–0.6); on top, asking early adds `effect` to the win probability, so the planted effect is a
difference in win probability, the quantity the evidence page estimates. A naive comparison over
all deals sees the behaviour's effect plus the skill that comes with it.
"""

from __future__ import annotations

import datetime
import math
import random
import statistics

from coaching.engine.types import ASK, PROPOSAL
from deals.engine import DealFacts, MeetingFacts
from deals.evidence import (
    BEHAVIOUR_BY_KEY,
    Effect,
    deal_rows,
    evidence,
    naive_difference,
    within_rep_days_difference,
)

BEHAVIOUR = "asked_early"
EFFECT_RANGE = (-0.1, 0.4)  # keeps every win probability within 0..1 without clipping
START = datetime.date(2026, 1, 5)


def _meetings(rng: random.Random, asked_early: bool, opened: datetime.date) -> tuple[MeetingFacts, ...]:
    count = rng.randint(3, 5)
    ask_in = rng.randint(1, 2) if asked_early else rng.choice([3, count, None])
    out = []
    for i in range(1, count + 1):
        moments: list[tuple[str, int, float | None]] = []
        if ask_in == i:
            moments = [(ASK, 4, 300.0), (PROPOSAL, 6, 420.0)]
        out.append(MeetingFacts(held_on=opened + datetime.timedelta(days=7 * i), moments=tuple(moments)))
    return tuple(out)


def generate_deals(*, n_deals: int, effect: float, seed: int, reps: int | None = None) -> list[DealFacts]:
    if not EFFECT_RANGE[0] <= effect <= EFFECT_RANGE[1]:
        raise ValueError(f"effect must be within {EFFECT_RANGE[0]} and {EFFECT_RANGE[1]}")
    rng = random.Random(seed)
    n_reps = reps or max(3, n_deals // 10)
    skills = [rng.gauss(0, 1) for _ in range(n_reps)]
    normal = statistics.NormalDist()
    deals = []
    for i in range(n_deals):
        rep = i % n_reps
        s = skills[rep]
        early = rng.random() < 1 / (1 + math.exp(-1.2 * s))
        p_win = 0.1 + 0.5 * normal.cdf(s) + (effect if early else 0.0)
        opened = START + datetime.timedelta(days=rng.randint(0, 80))
        meetings = _meetings(rng, early, opened)
        deals.append(
            DealFacts(
                deal_id=i + 1,
                rep_id=rep + 1,
                opened_on=opened,
                closed_on=meetings[-1].held_on + datetime.timedelta(days=3),
                outcome="won" if rng.random() < p_win else "lost",
                meetings=meetings,
            )
        )
    return deals


def run(*, n_deals: int, effect: float, seed: int, family_level: float = 0.90) -> dict[str, object]:
    """The page's analysis (evidence()) on one generated team, and the naive comparison beside it."""
    deals = generate_deals(n_deals=n_deals, effect=effect, seed=seed)
    behaviour = BEHAVIOUR_BY_KEY[BEHAVIOUR]
    result: Effect = evidence(deals, [behaviour], family_level)[0]
    naive, naive_low, naive_high = naive_difference(deal_rows(deals, [behaviour])[BEHAVIOUR], family_level)
    return {
        "behaviour": BEHAVIOUR,
        "planted_effect": effect,
        "estimate": result.estimate,
        "low": result.low,
        "high": result.high,
        "n_deals": result.n_deals,
        "level": result.level,
        "naive": {"estimate": naive, "low": naive_low, "high": naive_high},
    }


def generate_won_days(
    *, n_won: int, effect_days: float, seed: int, spread_with: float = 0.5
) -> list[tuple[int, bool, float]]:
    """(rep, asked early, days first meeting → close) for won deals, skewed as real ones are: a
    skilled rep asks early more often (P = logistic(1.2 s)) and closes faster anyway (median
    45·e^(−0.3 s) days, log-normal spread 0.5); asking early adds effect_days. spread_with above
    0.5 gives the deals with the behaviour a heavier tail at the same mean (a harder case)."""
    rng = random.Random(seed)
    n_reps = max(3, n_won // 10)
    skills = [rng.gauss(0, 1) for _ in range(n_reps)]
    rows = []
    for i in range(n_won):
        rep = i % n_reps
        s = skills[rep]
        early = rng.random() < 1 / (1 + math.exp(-1.2 * s))
        spread = spread_with if early else 0.5
        log_days = -0.3 * s + (0.5**2 - spread**2) / 2 + rng.gauss(0, spread)  # same mean either way
        days = 45 * math.exp(log_days) + (effect_days if early else 0.0)
        rows.append((rep + 1, early, max(0.0, round(days))))
    return rows


def run_days(
    *, n_won: int, effect_days: float, seed: int, level: float = 0.90, spread_with: float = 0.5
) -> dict[str, object]:
    """The page's days-to-close estimate on one generated team, and the naive one across reps."""
    rows = generate_won_days(n_won=n_won, effect_days=effect_days, seed=seed, spread_with=spread_with)
    result = within_rep_days_difference(rows, BEHAVIOUR, level)
    with_ = [d for _r, e, d in rows if e]
    without = [d for _r, e, d in rows if not e]
    naive = statistics.fmean(with_) - statistics.fmean(without) if with_ and without else None
    return {
        "planted_days": effect_days,
        "estimate": result.estimate,
        "low": result.low,
        "high": result.high,
        "n_deals": result.n_deals,
        "naive": naive,
    }
