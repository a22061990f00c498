"""The evidence page's sentences: what a manager can act on, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deals.evidence import MIN_DEALS, MIN_PER_SIDE, DaysEffect, Effect

LABELS: dict[str, Any] = {
    "asked_early": gettext_lazy("The customer asked for a proposal within two meetings"),
    "proposed_when_asked": gettext_lazy("The rep proposed in the meeting the customer asked"),
    "premature_proposal": gettext_lazy("A proposal came before the customer asked"),
    "case_study": gettext_lazy("The rep told a case study"),
    "listening": gettext_lazy("The customer spoke more in the listening window (above the median)"),
    "affirmations": gettext_lazy("More affirmations per customer-minute (above the median)"),
}


def _points(x: float) -> str:
    return f"{x * 100:+.0f}"


def effect_sentence(effect: Effect) -> str:
    if not effect.enough or effect.estimate is None or effect.low is None or effect.high is None:
        return _(
            "Not enough data yet: %(n)s closed deals where the same rep has deals with and without "
            "it (%(with)s with, %(without)s without); needs %(min)s, at least %(side)s on each side."
        ) % {
            "n": effect.n_deals,
            "with": effect.n_with,
            "without": effect.n_without,
            "min": MIN_DEALS,
            "side": MIN_PER_SIDE,
        }
    values = {
        "diff": _points(effect.estimate),
        "low": _points(effect.low),
        "high": _points(effect.high),
        "n": effect.n_deals,
        "level": f"{effect.level * 100:.1f}",
    }
    if effect.low > 0:
        return (
            _(
                "Deals with it were won %(diff)s points more often than the same reps' other deals "
                "(%(level)s%% interval %(low)s to %(high)s points, %(n)s deals, within rep). "
                "Worth coaching; an experiment would show whether it causes the wins."
            )
            % values
        )
    if effect.high < 0:
        return (
            _(
                "Deals with it were won %(diff)s points less often than the same reps' other deals "
                "(%(level)s%% interval %(low)s to %(high)s points, %(n)s deals, within rep). "
                "Worth coaching reps away from it."
            )
            % values
        )
    return (
        _(
            "No clear difference yet: %(diff)s points within rep (%(level)s%% interval %(low)s to "
            "%(high)s points, %(n)s deals). The data fits both helping and hurting; do not coach on it "
            "from this alone."
        )
        % values
    )


def _days(x: float) -> str:
    return f"{x:+.0f}"


def days_sentence(effect: DaysEffect) -> str:
    """Days from first meeting to close among won deals, beside the win-rate sentence."""
    if not effect.enough or effect.estimate is None or effect.low is None or effect.high is None:
        return _(
            "Not enough data yet: %(n)s won deals where the same rep has won deals with and without "
            "it (%(with)s with, %(without)s without); needs %(min)s, at least %(side)s on each side."
        ) % {
            "n": effect.n_deals,
            "with": effect.n_with,
            "without": effect.n_without,
            "min": MIN_DEALS,
            "side": MIN_PER_SIDE,
        }
    values = {
        "diff": _days(effect.estimate),
        "days": f"{abs(effect.estimate):.0f}",
        "low": _days(effect.low),
        "high": _days(effect.high),
        "n": effect.n_deals,
        "level": f"{effect.level * 100:.1f}",
    }
    if effect.high < 0:
        return (
            _(
                "Won deals with it closed %(days)s days sooner after the first meeting than the same "
                "reps' other won deals (%(level)s%% interval %(low)s to %(high)s days, %(n)s won deals, "
                "within rep)."
            )
            % values
        )
    if effect.low > 0:
        return (
            _(
                "Won deals with it took %(days)s days longer from the first meeting to close than the same "
                "reps' other won deals (%(level)s%% interval %(low)s to %(high)s days, %(n)s won deals, "
                "within rep)."
            )
            % values
        )
    return (
        _(
            "No clear difference in days to close yet: %(diff)s days within rep (%(level)s%% interval "
            "%(low)s to %(high)s days, %(n)s won deals)."
        )
        % values
    )
