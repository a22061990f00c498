"""The behaviour engine: pure functions over plain data (no Django, no ORM).

turns → detect_moments(turns, rules, model) → compute_kpis(turns, moments); analyse_turns does
both. find_moments is the rules' part alone; coaching.engine.learned trains and loads models.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from coaching.engine.detect import detect_moments, model_scores
from coaching.engine.kpis import compute_kpis, premature_proposals
from coaching.engine.learned.model import DetectorModel
from coaching.engine.matching import find_moments, tokenise_turns
from coaching.engine.nlp import detect_language
from coaching.engine.rules import default_pack, load_pack
from coaching.engine.types import (
    Analysis,
    Moment,
    Rule,
    RuleError,
    TokenisedTurns,
    Turn,
    in_order,
    moment_as_json,
)

__all__ = [
    "Analysis",
    "DetectorModel",
    "Moment",
    "Rule",
    "RuleError",
    "TokenisedTurns",
    "Turn",
    "analyse_turns",
    "compute_kpis",
    "default_pack",
    "detect_language",
    "detect_moments",
    "find_moments",
    "load_pack",
    "model_scores",
    "moment_as_json",
    "tokenise_turns",
    "turns_from_segments",
]


def turns_from_segments(segments: Iterable[Mapping[str, Any]]) -> list[Turn]:
    """Turns from timed segments, merging consecutive segments of the same speaker."""
    turns: list[Turn] = []
    for seg in segments:
        text = str(seg.get("text") or "").strip()
        speaker = seg.get("speaker") or None
        start, end = seg.get("start"), seg.get("end")
        if not text:
            continue
        if turns and turns[-1].speaker == speaker and speaker is not None:
            prev = turns[-1]
            joiner = "" if _is_cjk(prev.text[-1:]) or _is_cjk(text[:1]) else " "
            turns[-1] = Turn(
                prev.index,
                speaker,
                prev.text + joiner + text,
                prev.start,
                end if end is not None else prev.end,
            )
        else:
            turns.append(Turn(len(turns), speaker, text, start, end))
    return turns


def _is_cjk(c: str) -> bool:
    return bool(c) and ("\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef")


def analyse_turns(
    turns: Sequence[Turn],
    *,
    language: str,
    rules: Sequence[Rule] | None = None,
    model: DetectorModel | None = None,
    scores: Any = None,
    tokens: TokenisedTurns | None = None,
    per_turn: Any = None,
    per_sentence: Any = None,
    **kpi_options: Any,
) -> Analysis:
    """Moments (premature proposals included) and KPIs of one meeting. Without `rules`, the
    default pack's (the engine never reads the database: callers pass the active rules);
    `model` adds its moments beside the rules'."""
    if not language:
        language = detect_language(" ".join(t.text for t in turns[:200]))
    rules = [r for r in default_pack().rules if r.language == language] if rules is None else rules
    moments = detect_moments(
        turns,
        rules,
        language=language,
        model=model,
        scores=scores,
        tokens=tokens,
        per_turn=per_turn,
        per_sentence=per_sentence,
    )
    moments = in_order([*moments, *premature_proposals(moments)])
    return Analysis(language, moments, compute_kpis(turns, moments, language=language, **kpi_options))
