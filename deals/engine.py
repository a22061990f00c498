"""Deal-level KPIs: pure functions over plain data (no ORM), so the pages, the simulation and the
tests compute them the same way.

The lead-time view of a deal: how many meetings (and days) until the customer first asked for a
proposal, how soon the rep proposed after that ask, how many meetings had a premature proposal,
and how long the deal took to close from its first meeting.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from coaching.engine.types import ASK, CASE_STUDY, PREMATURE_PROPOSAL, PROPOSAL


@dataclass(frozen=True)
class MeetingFacts:
    """One meeting of a deal: its date and its moments as (behaviour, turn index, seconds)."""

    held_on: datetime.date
    moments: tuple[tuple[str, int, float | None], ...] = ()
    listening_share: float | None = None  # MeetingScore.listening_window_customer_share
    affirmations_per_minute: float | None = None


@dataclass(frozen=True)
class DealFacts:
    deal_id: int
    rep_id: int
    opened_on: datetime.date
    closed_on: datetime.date | None
    outcome: str  # "open" | "won" | "lost"
    meetings: tuple[MeetingFacts, ...] = field(default=())  # in the order they were held


@dataclass(frozen=True)
class DealKpis:
    meetings: int
    meetings_until_ask: int | None  # 1 = the customer asked in the first meeting; None: never
    days_until_ask: int | None  # from the deal's start (opened, or its first meeting if earlier)
    ask_to_proposal_seconds: float | None  # first ask → the rep's next proposal, same meeting
    ask_to_proposal_meetings: int | None  # 0 = proposed in the meeting of the first ask
    premature_share: float | None  # share of meetings with a premature proposal
    case_study_meetings: int
    days_to_close: int | None  # first meeting → close (won or lost deals only)
    listening_share: float | None  # mean over the meetings that have one
    affirmations_per_minute: float | None


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _first(meeting: MeetingFacts, behaviour: str, after: tuple[int, float] | None = None):
    for key, turn, time in meeting.moments:
        if key == behaviour and (after is None or (turn, time or 0.0) >= after):
            return turn, time
    return None


def deal_kpis(deal: DealFacts) -> DealKpis:
    meetings = sorted(deal.meetings, key=lambda m: m.held_on)
    ask_at = None
    for i, m in enumerate(meetings):
        found = _first(m, ASK)
        if found is not None:
            ask_at = (i, found)
            break
    start = min([deal.opened_on, *(m.held_on for m in meetings[:1])])
    latency_s, latency_m = None, None
    if ask_at is not None:
        i, (turn, time) = ask_at
        for j in range(i, len(meetings)):
            proposal = _first(meetings[j], PROPOSAL, after=(turn, time or 0.0) if j == i else None)
            if proposal is not None:
                latency_m = j - i
                if j == i and time is not None and proposal[1] is not None:
                    latency_s = max(0.0, proposal[1] - time)
                break
    closed = deal.outcome in ("won", "lost") and deal.closed_on is not None
    return DealKpis(
        meetings=len(meetings),
        meetings_until_ask=ask_at[0] + 1 if ask_at else None,
        days_until_ask=(meetings[ask_at[0]].held_on - start).days if ask_at else None,
        ask_to_proposal_seconds=latency_s,
        ask_to_proposal_meetings=latency_m,
        premature_share=(
            sum(any(k == PREMATURE_PROPOSAL for k, _t, _s in m.moments) for m in meetings) / len(meetings)
            if meetings
            else None
        ),
        case_study_meetings=sum(any(k == CASE_STUDY for k, _t, _s in m.moments) for m in meetings),
        days_to_close=(
            (deal.closed_on - (meetings[0].held_on if meetings else start)).days
            if closed and deal.closed_on
            else None
        ),
        listening_share=_mean([m.listening_share for m in meetings]),
        affirmations_per_minute=_mean([m.affirmations_per_minute for m in meetings]),
    )
