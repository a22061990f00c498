"""Meeting KPIs from turns and moments. Time-based figures are None when turns carry no times."""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Sequence
from typing import Any

from coaching.engine.constraints import is_question
from coaching.engine.types import AFFIRMATION, ASK, BEHAVIOURS, PREMATURE_PROPOSAL, PROPOSAL, Moment, Turn

KPI_VERSION = 1


def premature_proposals(moments: Sequence[Moment]) -> list[Moment]:
    """Proposals made before the customer's first ask (all of them if the customer never asked)."""
    first_ask = min(((m.turn, m.char_start) for m in moments if m.behaviour == ASK), default=None)
    return [
        dataclasses.replace(m, behaviour=PREMATURE_PROPOSAL)
        for m in moments
        if m.behaviour == PROPOSAL and (first_ask is None or (m.turn, m.char_start) < first_ask)
    ]


def _timed_spans(turns: Sequence[Turn]) -> list[tuple[str | None, float, float]] | None:
    """(speaker, start, end) of every turn, or None unless there are turns and all are timed."""
    spans = [(t.speaker, t.start, t.end) for t in turns if t.start is not None and t.end is not None]
    return spans if turns and len(spans) == len(turns) else None


def listening_window_seconds(
    duration: float, fraction: float, min_minutes: float, max_minutes: float
) -> float:
    """fraction of the meeting, clamped to [min, max] minutes, never longer than the meeting."""
    window = min(max(duration * fraction, min_minutes * 60), max_minutes * 60 if max_minutes else duration)
    return min(window, duration)


def turn_kpis(
    turns: Sequence[Turn],
    *,
    language: str = "ja",
    window_fraction: float = 0.4,
    window_min_minutes: float = 20.0,
    window_max_minutes: float = 30.0,
) -> dict[str, Any]:
    """The KPIs that depend on the turns alone, not on the rules (talk, listening window,
    questions, pace). Rescoring takes them from the token cache instead of computing them again.

    "customer_talk_raw" (unrounded) is for compute_kpis; it is not a KPI itself."""
    out: dict[str, Any] = {
        "rep_question_count": sum(1 for t in turns if t.speaker == "rep" and _questions_in(t.text, language)),
        "turn_count": len(turns),
        "duration_seconds": None,
        "rep_talk_seconds": None,
        "customer_talk_seconds": None,
        "rep_talk_share": None,
        "customer_talk_share": None,
        "listening_window_seconds": None,
        "listening_window_customer_share": None,
        "longest_rep_monologue_seconds": None,
        "turns_per_minute": None,
        "customer_talk_raw": None,
    }
    spans = _timed_spans(turns)
    if spans is None:
        return out
    t0 = min(start for _, start, _ in spans)
    t1 = max(end for _, _, end in spans)
    duration = max(t1 - t0, 0.0)
    talk = {"rep": 0.0, "customer": 0.0}
    for speaker, start, end in spans:
        if speaker in talk:
            talk[speaker] += max(end - start, 0.0)
    spoken = talk["rep"] + talk["customer"]
    window = listening_window_seconds(duration, window_fraction, window_min_minutes, window_max_minutes)
    in_window = {"rep": 0.0, "customer": 0.0}
    for speaker, start, end in spans:
        if speaker in in_window:
            a, b = max(start, t0), min(end, t0 + window)
            in_window[speaker] += max(b - a, 0.0)
    window_spoken = in_window["rep"] + in_window["customer"]
    out.update(
        duration_seconds=round(duration, 2),
        rep_talk_seconds=round(talk["rep"], 2),
        customer_talk_seconds=round(talk["customer"], 2),
        rep_talk_share=round(talk["rep"] / spoken, 4) if spoken else None,
        customer_talk_share=round(talk["customer"] / spoken, 4) if spoken else None,
        listening_window_seconds=round(window, 2),
        listening_window_customer_share=round(in_window["customer"] / window_spoken, 4)
        if window_spoken
        else None,
        longest_rep_monologue_seconds=round(_longest_rep_run(spans), 2),
        turns_per_minute=round(len(turns) / (duration / 60), 3) if duration else None,
        customer_talk_raw=talk["customer"],
    )
    return out


def compute_kpis(
    turns: Sequence[Turn],
    moments: Sequence[Moment],
    *,
    language: str = "ja",
    window_fraction: float = 0.4,
    window_min_minutes: float = 20.0,
    window_max_minutes: float = 30.0,
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Every KPI of a meeting; `base` is turn_kpis() of the same turns and options when the
    caller has it cached (then only the rule-dependent figures are computed)."""
    if base is None:
        base = turn_kpis(
            turns,
            language=language,
            window_fraction=window_fraction,
            window_min_minutes=window_min_minutes,
            window_max_minutes=window_max_minutes,
        )
    counts = {b: sum(1 for m in moments if m.behaviour == b) for b in BEHAVIOURS}
    premature = [m for m in moments if m.behaviour == PREMATURE_PROPOSAL] or premature_proposals(moments)
    timed = base["duration_seconds"] is not None
    customer_talk = base["customer_talk_raw"]
    latencies = _latencies(moments) if timed else None
    return {
        "version": KPI_VERSION,
        **{f"{b}_count": n for b, n in counts.items()},
        "premature_proposal_count": len(premature),
        "rep_question_count": base["rep_question_count"],
        "turn_count": base["turn_count"],
        "duration_seconds": base["duration_seconds"],
        "rep_talk_seconds": base["rep_talk_seconds"],
        "customer_talk_seconds": base["customer_talk_seconds"],
        "rep_talk_share": base["rep_talk_share"],
        "customer_talk_share": base["customer_talk_share"],
        "affirmations_per_customer_minute": (
            round(counts[AFFIRMATION] / (customer_talk / 60), 3) if timed and customer_talk else None
        ),
        "listening_window_seconds": base["listening_window_seconds"],
        "listening_window_customer_share": base["listening_window_customer_share"],
        "ask_to_proposal_latencies": latencies,
        "ask_to_proposal_latency_median": (round(statistics.median(latencies), 2) if latencies else None),
        "longest_rep_monologue_seconds": base["longest_rep_monologue_seconds"],
        "turns_per_minute": base["turns_per_minute"],
    }


def _questions_in(text: str, language: str) -> int:
    import re

    parts = [p for p in re.split(r"(?<=[。？?！!])\s*|(?<=\.)\s+", text) if p.strip()]
    return sum(1 for p in parts if is_question(p, language))


def _latencies(moments: Sequence[Moment]) -> list[float]:
    """Seconds from each ask to the rep's next proposal (asks never answered are left out)."""
    proposals = sorted(
        (m.turn, m.char_start, m.time) for m in moments if m.behaviour == PROPOSAL and m.time is not None
    )
    asks = sorted(
        ((m.turn, m.time) for m in moments if m.behaviour == ASK and m.time is not None), key=lambda a: a[0]
    )
    out: list[float] = []
    for ask_turn, ask_time in asks:
        nxt = next((p for p in proposals if p[0] > ask_turn), None)
        if nxt is not None:
            out.append(round(max(nxt[2] - ask_time, 0.0), 2))
    return out


def _longest_rep_run(spans: Sequence[tuple[str | None, float, float]]) -> float:
    best = 0.0
    run_start: float | None = None
    for speaker, start, end in spans:
        if speaker == "rep":
            run_start = start if run_start is None else run_start
            best = max(best, end - run_start)
        else:
            run_start = None
    return best
