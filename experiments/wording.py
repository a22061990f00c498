"""The experiment page's sentences: what the result supports and what it does not, in the
reader's language. Shares read as percent, differences as points."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from experiments.engine import CONDITIONS, MIN_OUTCOMES, MIN_REPS_PER_ARM, Analysis, Difference
from experiments.models import Experiment


def percent(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.0f}%"


def points(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:+.0f}"


def bar_text(experiment: Experiment) -> str:
    """The bar in the KPI's own unit (a share reads as percent)."""
    unit = CONDITIONS[experiment.behaviour].unit
    if unit == "share":
        return f"{experiment.bar * 100:.0f}%"
    return f"{experiment.bar:g}"


def condition_text(experiment: Experiment) -> str:
    """What one meeting must show to count as having the behaviour."""
    texts: dict[str, Any] = {
        "asks": _("the customer asked for a proposal at least %(bar)s time(s)"),
        "affirmations_per_customer_minute": _("at least %(bar)s affirmations per customer-minute"),
        "case_studies": _("the rep told at least %(bar)s case study(ies)"),
        "listening_window_customer_share": _("the customer spoke at least %(bar)s of the listening window"),
        "premature_proposals": _("at most %(bar)s premature proposal(s)"),
    }
    return texts[experiment.behaviour] % {"bar": bar_text(experiment)}


def target_text(experiment: Experiment) -> str:
    return _("Target: %(condition)s in at least %(target)s of the test group's meetings.") % {
        "condition": condition_text(experiment),
        "target": percent(experiment.target_share),
    }


def _interval(d: Difference) -> dict[str, Any]:
    return {
        "diff": points(d.estimate),
        "low": points(d.low),
        "high": points(d.high),
        "level": f"{d.level * 100:.0f}",
        "test": percent(d.test_mean),
        "control": percent(d.control_mean),
        "n_test": d.n_test,
        "n_control": d.n_control,
        "min": MIN_REPS_PER_ARM,
    }


def behaviour_sentence(d: Difference) -> str:
    """Did the test group do it?"""
    v = _interval(d)
    if not d.enough:
        return (
            _(
                "Not enough data yet: %(n_test)s test and %(n_control)s control reps have scored "
                "meetings in the period; an interval needs at least %(min)s reps in each group."
            )
            % v
        )
    assert d.low is not None and d.high is not None
    if d.low > 0:
        return (
            _(
                "The test group did it more: in %(test)s of their meetings against %(control)s "
                "(%(diff)s points, %(level)s%% interval %(low)s to %(high)s, over reps)."
            )
            % v
        )
    if d.high < 0:
        return (
            _(
                "The test group did it less: in %(test)s of their meetings against %(control)s "
                "(%(diff)s points, %(level)s%% interval %(low)s to %(high)s, over reps)."
            )
            % v
        )
    return (
        _(
            "No clear difference in the behaviour: %(test)s of the test group's meetings against "
            "%(control)s (%(diff)s points, %(level)s%% interval %(low)s to %(high)s, over reps)."
        )
        % v
    )


def outcome_sentence(d: Difference, *, outcomes: int, source: str) -> str:
    """Did it help?"""
    v = _interval(d) | {"outcomes": outcomes, "min_outcomes": MIN_OUTCOMES}
    v["what"] = _("closed deals") if source == "deals" else _("meetings with a recorded outcome")
    if not d.enough:
        return (
            _(
                "Not enough data yet: %(outcomes)s %(what)s in the period (%(n_test)s test and "
                "%(n_control)s control reps with one); needs at least %(min_outcomes)s, from at "
                "least %(min)s reps in each group."
            )
            % v
        )
    assert d.low is not None and d.high is not None
    if d.low > 0:
        return (
            _(
                "Test-group reps won more: %(test)s against %(control)s (%(diff)s points, "
                "%(level)s%% interval %(low)s to %(high)s, over reps; %(outcomes)s %(what)s)."
            )
            % v
        )
    if d.high < 0:
        return (
            _(
                "Test-group reps won less: %(test)s against %(control)s (%(diff)s points, "
                "%(level)s%% interval %(low)s to %(high)s, over reps; %(outcomes)s %(what)s)."
            )
            % v
        )
    return (
        _(
            "The outcome difference is within chance: %(test)s against %(control)s won "
            "(%(diff)s points, %(level)s%% interval %(low)s to %(high)s, over reps; "
            "%(outcomes)s %(what)s)."
        )
        % v
    )


def change_sentence(d: Difference) -> str:
    """The same comparison on each rep's change from the baseline (difference-in-differences)."""
    v = _interval(d)
    if not d.enough:
        return (
            _(
                "Not enough reps with data both before and during the experiment (%(n_test)s test, "
                "%(n_control)s control; needs %(min)s in each)."
            )
            % v
        )
    return (
        _(
            "Change from the baseline, test minus control: %(diff)s points (%(level)s%% interval "
            "%(low)s to %(high)s, over reps)."
        )
        % v
    )


def conclusion(analysis: Analysis, *, running: bool, chosen: bool) -> list[str]:
    """What the result supports and what it does not, in a few sentences."""
    b, o = analysis.behaviour, analysis.outcome
    out = []
    if running:
        out.append(_("Provisional: the experiment is still running, and these numbers will move."))
    if not b.enough:
        out.append(_("Too early to say whether the test group changed what they do."))
    elif not b.clear or (b.low is not None and b.high is not None and b.high < 0):
        out.append(
            _(
                "The test group did not clearly do the behaviour more, so this experiment cannot "
                "tell whether the behaviour helps: coach it first, or run it longer."
            )
        )
    elif not o.enough:
        out.append(
            _("The test group did the behaviour more. Too few outcomes yet to say whether it helped win.")
        )
    elif o.clear and o.low is not None and o.low > 0:
        out.append(
            _(
                "The test group did the behaviour more and won more: this supports the behaviour "
                "helping this team win. It does not say by exactly how much (see the interval)."
            )
        )
    elif o.clear:
        out.append(
            _(
                "The test group did the behaviour more and won less: this supports the behaviour "
                "not helping this team, or hurting. Look at the meetings before coaching it."
            )
        )
    else:
        out.append(
            _(
                "The test group did the behaviour more; the outcome difference is within chance. "
                "This does not show that it helps, nor that it does not: more reps or a longer "
                "period would narrow the interval."
            )
        )
    if chosen:
        out.append(
            _(
                "The groups were chosen by hand, not drawn at random: a difference may come from who "
                "was chosen rather than from the behaviour."
            )
        )
    return out


def result_row(key: str, label: Any, d: Difference, sentence: str) -> dict[str, Any]:
    """One line of the results table, formatted."""
    return {
        "key": key,
        "label": label,
        "test": percent(d.test_mean),
        "control": percent(d.control_mean),
        "diff": points(d.estimate),
        "interval": f"{points(d.low)} … {points(d.high)}" if d.enough else "—",
        "sentence": sentence,
        "enough": d.enough,
        "clear": d.clear,
    }


def result_rows(analysis: Analysis, *, source: str) -> list[dict[str, Any]]:
    outcomes = sum(analysis.outcomes.values())
    return [
        result_row(
            "behaviour",
            _("Did they do it? Share of meetings meeting the bar"),
            analysis.behaviour,
            behaviour_sentence(analysis.behaviour),
        ),
        result_row(
            "behaviour-change",
            _("… change from the baseline"),
            analysis.behaviour_change,
            change_sentence(analysis.behaviour_change),
        ),
        result_row(
            "outcome",
            _("Did it help? Win rate"),
            analysis.outcome,
            outcome_sentence(analysis.outcome, outcomes=outcomes, source=source),
        ),
        result_row(
            "outcome-change",
            _("… change from the baseline"),
            analysis.outcome_change,
            change_sentence(analysis.outcome_change),
        ),
    ]
