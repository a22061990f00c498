"""Made-up experiments with a known effect, to check the engine finds planted differences and
mostly finds none where there are none (tests/test_experiments_stats.py). Pure, seeded."""

from __future__ import annotations

import random

from experiments.engine import TEST, RepData, assign_arms


def simulate(
    seed: int,
    *,
    reps: int = 10,
    meetings_per_rep: int = 8,
    deals_per_rep: int = 4,
    behaviour_effect: float = 0.0,
    outcome_effect: float = 0.0,
) -> list[RepData]:
    """Reps differ in habit (how often their customers ask) and in skill (how often they win);
    the test group's habit rises by behaviour_effect and its win rate by outcome_effect in the
    period only. Meeting values are asks counts (0 or 1), so the bar is "at least one"."""
    rng = random.Random(seed)
    arms = assign_arms(range(1, reps + 1), seed)
    out = []
    for rep, arm in sorted(arms.items()):
        habit, skill = rng.uniform(0.15, 0.55), rng.uniform(0.2, 0.6)
        lift, gain = (behaviour_effect, outcome_effect) if arm == TEST else (0.0, 0.0)

        def meetings(p: float) -> tuple[float | None, ...]:
            n = rng.randint(max(meetings_per_rep // 2, 1), meetings_per_rep * 3 // 2)
            return tuple(float(rng.random() < p) for _ in range(n))

        def wins(p: float) -> tuple[bool, ...]:
            n = rng.randint(max(deals_per_rep // 2, 0), deals_per_rep * 3 // 2)
            return tuple(rng.random() < p for _ in range(n))

        out.append(
            RepData(
                rep,
                arm,
                period=meetings(min(habit + lift, 1.0)),
                baseline=meetings(habit),
                period_wins=wins(min(skill + gain, 1.0)),
                baseline_wins=wins(skill),
            )
        )
    return out
