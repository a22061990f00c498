"""Won against lost: each behaviour KPI in the meetings of deals the team won and of those it
lost, with the 95% interval of the difference.

The product's bet is that behaviours (asks drawn out, listening first, no premature pitch) lead
to won deals, and that each company's winning pattern is its own. Reps and managers record each
meeting's outcome; this page lets a team see which behaviours go with its wins, and check an
experiment (half the team tries a behaviour for a month) with an interval, not a hunch.
"""

from __future__ import annotations

import datetime
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from coaching.models import Behaviour, Moment
from coaching.trends import KPIS
from meetings.models import Meeting
from meetings.selectors import meeting_list_for_user

MIN_PER_SIDE = 2  # meetings needed on each side for an interval


@dataclass(frozen=True)
class Comparison:
    key: str
    label: Any
    unit: str  # as trends.Kpi.unit; custom behaviours are "count"
    better: str
    won: float | None
    won_n: int
    lost: float | None
    lost_n: int
    low: float | None  # 95% interval of won − lost
    high: float | None

    @property
    def difference(self) -> float | None:
        return None if self.won is None or self.lost is None else self.won - self.lost

    @property
    def clear(self) -> bool:
        """The interval leaves out zero: on this data, won and lost meetings differ."""
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


def welch_interval(a: list[float], b: list[float], level: float = 0.95) -> tuple[float, float] | None:
    """Interval of mean(a) − mean(b) without assuming equal variances (Welch–Satterthwaite)."""
    if len(a) < MIN_PER_SIDE or len(b) < MIN_PER_SIDE:
        return None
    from scipy.stats import t

    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    diff = statistics.fmean(a) - statistics.fmean(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = float(t.ppf((1 + level) / 2, df)) * se
    return diff - half, diff + half


def _compare(key: str, label: Any, unit: str, better: str, won: list[float], lost: list[float]) -> Comparison:
    interval = welch_interval(won, lost)
    return Comparison(
        key,
        label,
        unit,
        better,
        statistics.fmean(won) if won else None,
        len(won),
        statistics.fmean(lost) if lost else None,
        len(lost),
        *(interval or (None, None)),
    )


def won_lost_comparison(
    *, viewer: Any, team: Any, start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    """Per KPI (and per custom behaviour, as moments per meeting) the won and lost means over
    the team's scored meetings held from start to end that the viewer may open."""
    meetings = meeting_list_for_user(viewer).filter(
        owner__profile__team=team,
        held_on__range=(start, end),
        score__isnull=False,
        outcome__in=(Meeting.Outcome.WON, Meeting.Outcome.LOST),
    )
    rows = list(meetings.values_list("pk", "outcome", *(f"score__{k.key}" for k in KPIS)))
    won = [r for r in rows if r[1] == Meeting.Outcome.WON]
    lost = [r for r in rows if r[1] == Meeting.Outcome.LOST]
    out = []
    for i, kpi in enumerate(KPIS, start=2):
        out.append(
            _compare(
                kpi.key,
                kpi.label,
                kpi.unit,
                kpi.better,
                [r[i] for r in won if r[i] is not None],
                [r[i] for r in lost if r[i] is not None],
            )
        )
    custom = list(Behaviour.objects.filter(is_builtin=False).order_by("id"))
    if custom and rows:
        counts: dict[tuple[int, str], int] = defaultdict(int)
        for mid, key, n in (
            Moment.objects.filter(
                meeting_id__in=[r[0] for r in rows], behaviour_key__in=[b.key for b in custom]
            )
            .values_list("meeting_id", "behaviour_key")
            .annotate(n=Count("id"))
        ):
            counts[(mid, key)] = n
        for b in custom:
            out.append(
                _compare(
                    b.key,
                    b.name,
                    "count",
                    "",
                    [float(counts[(r[0], b.key)]) for r in won],
                    [float(counts[(r[0], b.key)]) for r in lost],
                )
            )
    return {"rows": out, "won": len(won), "lost": len(lost), "start": start, "end": end}
