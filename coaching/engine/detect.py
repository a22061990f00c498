"""Rules and model together: the moments of one meeting.

The rules stay the precise, explainable part; the model adds recall on paraphrase. A model
moment is added in a turn where the model clears the behaviour's threshold, the turn is that
behaviour's speaker's, and no rule found the behaviour there (so a turn is never counted twice,
and the rules' counts inside a turn, 「はいはい」 = 2, stand).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from coaching.engine.matching import find_moments, time_at
from coaching.engine.types import Moment, Rule, Turn, in_order

if TYPE_CHECKING:
    from coaching.engine.learned.model import DetectorModel

Scores = Mapping[str, Sequence[float | None]]  # behaviour → each turn's probability


def model_scores(
    model: DetectorModel | None, turns: Sequence[Turn], language: str
) -> dict[str, list[float | None]]:
    """The model's probability per behaviour and turn ({} without a model for this language)."""
    if model is None:
        return {}
    return model.score_turns([t.text for t in turns], [t.speaker for t in turns], language)


def model_moments(
    turns: Sequence[Turn],
    model: DetectorModel,
    scores: Scores,
    found: Sequence[Moment],
    *,
    language: str,
    only_turns: Collection[int] | None = None,
) -> list[Moment]:
    """Moments the model adds where the rules found nothing of that behaviour."""
    taken = {(m.behaviour, m.turn) for m in found}
    out: list[Moment] = []
    for behaviour in model.behaviours(language):
        head = model.heads[(language, behaviour)]
        probs = scores.get(behaviour) or []
        for i, p in enumerate(probs):
            if p is None or p < head.threshold or i >= len(turns):
                continue
            if only_turns is not None and i not in only_turns:
                continue
            turn = turns[i]
            if (behaviour, turn.index) in taken:
                continue
            out.append(
                Moment(
                    behaviour, turn.index, 0, len(turn.text), turn.text, "model", time_at(turn, 0), "model", p
                )
            )
    return out


def detect_moments(
    turns: Sequence[Turn],
    rules: Sequence[Rule],
    *,
    language: str,
    model: DetectorModel | None = None,
    scores: Scores | None = None,
    tokens: Any = None,
    per_turn: Collection[str] | None = None,
    per_sentence: Collection[str] | None = None,
    only_turns: Collection[int] | None = None,
    reference: bool = False,
) -> list[Moment]:
    """find_moments' rule moments plus the model's (see the module docstring). `scores` are
    the model's cached probabilities for these turns; without them the model scores the turns."""
    found = find_moments(
        turns,
        rules,
        language=language,
        tokens=tokens,
        per_turn=per_turn,
        per_sentence=per_sentence,
        only_turns=only_turns,
        reference=reference,
    )
    return with_model_moments(turns, found, model, scores, language=language, only_turns=only_turns)


def with_model_moments(
    turns: Sequence[Turn],
    found: Sequence[Moment],
    model: DetectorModel | None,
    scores: Scores | None,
    *,
    language: str,
    only_turns: Collection[int] | None = None,
) -> list[Moment]:
    """The rules' moments `found` plus what the model adds to them, in order."""
    if model is None or not model.behaviours(language):
        return list(found)
    if scores is None:
        scores = model_scores(model, turns, language)
    added = model_moments(turns, model, scores, found, language=language, only_turns=only_turns)
    return in_order([*found, *added])
