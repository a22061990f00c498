"""The experiment statistics (experiments.engine): reps are the unit, a planted difference is
found, no difference is mostly not, and too little data says so instead of guessing."""

import pytest
from scipy import stats

from experiments.engine import (
    CONTROL,
    MIN_OUTCOMES,
    TEST,
    RepData,
    analyse,
    arm_difference,
    assign_arms,
    rep_share,
)
from experiments.simulation import simulate


def _run(seeds, **planted):
    behaviour = planted.get("behaviour_effect", 0.0)
    outcome = planted.get("outcome_effect", 0.0)
    results = [analyse(simulate(s, **planted), op="ge", bar=1, target_share=0.6) for s in seeds]
    return {
        "behaviour_clear": sum(a.behaviour.clear for a in results) / len(results),
        "outcome_clear": sum(a.outcome.clear for a in results) / len(results),
        "change_clear": sum(a.behaviour_change.clear for a in results) / len(results),
        "behaviour_covers": sum(a.behaviour.low <= behaviour <= a.behaviour.high for a in results)
        / len(results),
        "outcome_covers": sum(a.outcome.low <= outcome <= a.outcome.high for a in results) / len(results),
    }


def test_the_same_seed_draws_the_same_half_and_another_seed_another():
    reps = [11, 4, 7, 30, 2, 9, 15]
    arms = assign_arms(reps, 42)
    assert arms == assign_arms(list(reversed(reps)), 42)
    assert sorted(arms) == sorted(reps)
    assert list(arms.values()).count(TEST) == 3 and list(arms.values()).count(CONTROL) == 4
    assert any(assign_arms(reps, seed) != arms for seed in range(1, 6))


def test_a_planted_difference_in_the_behaviour_and_the_outcome_is_found():
    found = _run(range(60), reps=16, behaviour_effect=0.35, outcome_effect=0.35)
    assert found["behaviour_clear"] >= 0.85
    assert found["outcome_clear"] >= 0.65
    assert found["behaviour_covers"] >= 0.8 and found["outcome_covers"] >= 0.8


def test_with_no_difference_a_clear_result_is_rare_and_the_interval_covers_zero_about_90_percent():
    found = _run(range(150), reps=10)
    for key in ("behaviour_clear", "outcome_clear", "change_clear"):
        assert found[key] <= 0.15, key  # nominal 10% at the 90% level
    assert found["behaviour_covers"] >= 0.85 and found["outcome_covers"] >= 0.85


def test_the_interval_is_welchs_t_over_rep_means():
    test, control = [0.8, 0.6, 0.9, 0.7], [0.4, 0.5, 0.2]
    d = arm_difference(test, control, level=0.9)
    expected = stats.ttest_ind(test, control, equal_var=False).confidence_interval(0.9)
    assert d.estimate == pytest.approx(0.75 - 11 / 30)
    assert (d.low, d.high) == pytest.approx((expected.low, expected.high))
    assert d.clear


def test_a_rep_with_many_meetings_counts_once():
    reps = [
        RepData(1, TEST, period=(1.0,) * 100),
        RepData(2, TEST, period=(0.0, 0.0)),
        RepData(3, TEST, period=(0.0, 0.0)),
        *(RepData(i, CONTROL, period=(0.0, 1.0)) for i in (4, 5, 6)),
    ]
    a = analyse(reps, op="ge", bar=1, target_share=0.6)
    assert a.behaviour.test_mean == pytest.approx(1 / 3)  # not 100/104
    assert a.meetings == {TEST: 104, CONTROL: 6}


def test_premature_proposals_count_meetings_without_one():
    assert rep_share((0.0, 2.0, 0.0, None), "le", 0) == pytest.approx(2 / 3)


def test_too_few_reps_or_outcomes_show_means_but_no_interval():
    reps = [
        RepData(1, TEST, period=(1.0,), period_wins=(True,)),
        RepData(2, TEST, period=(1.0,), period_wins=(True,)),
        RepData(3, CONTROL, period=(0.0,), period_wins=(False,)),
        RepData(4, CONTROL, period=(0.0,), period_wins=(False,)),
    ]
    a = analyse(reps, op="ge", bar=1, target_share=0.6)
    assert not a.behaviour.enough and a.behaviour.test_mean == 1.0 and a.behaviour.control_mean == 0.0
    assert a.target_met == {TEST: True, CONTROL: False}

    six = [RepData(i, TEST if i < 4 else CONTROL, period=(1.0,), period_wins=(True,)) for i in range(1, 7)]
    a = analyse(six, op="ge", bar=1, target_share=0.6)
    assert a.behaviour.enough and not a.outcome.enough  # 6 outcomes < MIN_OUTCOMES
    assert sum(a.outcomes.values()) < MIN_OUTCOMES


def test_the_change_from_the_baseline_cancels_each_reps_habit():
    # Test reps each ask 30 points more than they did before; control reps the same as before;
    # their habits differ wildly, so the groups' levels differ by chance more than by the effect.
    habits = {1: 0.9, 2: 0.1, 3: 0.5, 4: 0.2, 5: 0.8, 6: 0.4}

    def meetings(p):
        return tuple(1.0 if i < round(p * 10) else 0.0 for i in range(10))

    reps = [
        RepData(
            r,
            TEST if r <= 3 else CONTROL,
            period=meetings(min(h + (0.3 if r <= 3 else 0), 1)),
            baseline=meetings(h),
        )
        for r, h in habits.items()
    ]
    a = analyse(reps, op="ge", bar=1, target_share=0.6)
    assert a.behaviour_change.estimate == pytest.approx((0.1 + 0.3 + 0.3) / 3)
    assert a.behaviour_change.clear and not a.behaviour.clear
