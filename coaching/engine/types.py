"""Plain data passed through the detection engine: no Django, no spaCy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# (text, whitespace after, norm, lemma, pos, reading, char offset): see coaching.engine.nlp.
Token = tuple[str, bool, str, str, str, str, int]

SPEAKERS = ("rep", "customer")
RULE_KINDS = ("phrase", "pattern", "reading", "regex")
POSITIONS = ("any", "initial", "opening", "whole")
# Behaviours the default pack detects; derived ones (premature_proposal) are added after matching.
ASK = "customer_asks_for_proposal"
AFFIRMATION = "rep_affirmation"
CASE_STUDY = "rep_case_study"
PROPOSAL = "rep_proposal"
PREMATURE_PROPOSAL = "premature_proposal"
BEHAVIOURS = (ASK, AFFIRMATION, CASE_STUDY, PROPOSAL)


@dataclass(frozen=True)
class Turn:
    index: int
    speaker: str | None  # "rep" | "customer" | None
    text: str
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class Rule:
    """One editable detection rule. `pattern` is a phrase, a regex, or a JSON token pattern.

    Constraints (all optional) narrow where a match counts:
    speaker, position ("any", "initial": at the turn start, "opening": preceded only by other
    opening words such as 「ああ」 or other affirmations, "whole": the turn is nothing else),
    not_question / only_question (the rest of the sentence after the match is, or is not, a
    question; tolerant of a missing ？), after_other_speaker (the
    previous turn is the other party's), not_after_question (at the turn start, the previous
    turn is not a question: 「そうですね」 there opens an answer), unless_followed_by / unless_preceded_by (regex on the text just around the
    match), requires_in_turn / unless_in_turn (regex on the whole turn text), requires_after (regex
    on the text from the match to the end of the next sentence), requires_before (regex on the
    other party's turn just before: "I'll have it to you by Friday" is a quote only after the
    customer asked for one). A `veto` rule
    removes moments of its behaviour that overlap its match.
    """

    key: str
    behaviour: str
    language: str
    kind: str
    pattern: Any
    enabled: bool = True
    veto: bool = False
    speaker: str | None = None
    position: str = "any"
    field: str = "text"  # regex only: "text" (as written) or "norm" (Sudachi normalised forms)
    not_question: bool = False
    only_question: bool = False
    after_other_speaker: bool = False
    not_after_question: bool = False
    unless_followed_by: str | None = None
    unless_preceded_by: str | None = None
    requires_in_turn: str | None = None
    requires_after: str | None = None
    requires_before: str | None = None
    unless_in_turn: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Moment:
    behaviour: str
    turn: int
    char_start: int
    char_end: int
    text: str
    rule: str
    time: float | None = None
    source: str = "rule"  # "rule" or "model": which found it
    score: float | None = None  # the model's probability, for moments the model found


@dataclass
class Analysis:
    language: str
    moments: list[Moment] = field(default_factory=list)
    kpis: dict[str, Any] = field(default_factory=dict)


def in_order(moments: Iterable[Moment]) -> list[Moment]:
    """Moments as every caller shows and stores them: by turn, position, behaviour."""
    return sorted(moments, key=lambda m: (m.turn, m.char_start, m.behaviour))


def moment_as_json(m: Moment) -> dict[str, Any]:
    """The stable shape the CLI prints for one moment."""
    return {
        "behaviour": m.behaviour,
        "turn": m.turn,
        "start": m.time,
        "text": m.text,
        "source": m.source,
        "score": m.score,
    }


class RuleError(ValueError):
    """A rule an admin wrote cannot be used; the message says why in plain words."""


@dataclass(frozen=True)
class TokenisedTurns:
    """Tokens of each turn: the cacheable result of the expensive step."""

    language: str
    tokens: tuple[tuple[Token, ...], ...]
