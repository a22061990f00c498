"""Labelled meetings (shared/eval/FORMAT.md) and the multiset precision/recall/F1 over them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coaching.engine.types import BEHAVIOURS, Moment, Turn


@dataclass(frozen=True)
class LabelledMeeting:
    id: str
    language: str
    turns: tuple[Turn, ...]
    labels: dict[str, list[int]]
    note: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)


def meeting_from_json(data: Mapping[str, Any]) -> LabelledMeeting:
    turns = tuple(
        Turn(i, t.get("speaker") or None, t.get("text", ""), t.get("start"), t.get("end"))
        for i, t in enumerate(data["turns"])
    )
    labels = {k: list(v) for k, v in (data.get("labels") or {}).items()}
    return LabelledMeeting(
        str(data.get("id", "")), data["language"], turns, labels, data.get("note", ""), data
    )


def load_labelled(path: str | Path) -> list[LabelledMeeting]:
    with open(path, encoding="utf-8") as fh:
        return [meeting_from_json(json.loads(line)) for line in fh if line.strip()]


def labels_from_moments(
    moments: Iterable[Moment], behaviours: Sequence[str] = BEHAVIOURS
) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {b: [] for b in behaviours}
    for m in moments:
        if m.behaviour in out:
            out[m.behaviour].append(m.turn)
    return {b: sorted(v) for b, v in out.items()}


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def as_dict(self) -> dict[str, float | int]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "support": self.tp + self.fn,
        }


@dataclass(frozen=True)
class Difference:
    meeting: str
    language: str
    behaviour: str
    turn: int
    expected: int
    got: int
    text: str


def compare(expected: Sequence[int], got: Sequence[int]) -> tuple[int, int, int, dict[int, tuple[int, int]]]:
    """tp, fp, fn over turn multisets, and {turn: (expected, got)} where they differ."""
    e, g = Counter(expected), Counter(got)
    tp = sum(min(e[t], g[t]) for t in e)
    diffs = {t: (e[t], g[t]) for t in set(e) | set(g) if e[t] != g[t]}
    return tp, sum(g.values()) - tp, sum(e.values()) - tp, diffs


def score(
    meetings: Sequence[LabelledMeeting],
    predictions: Mapping[str, Mapping[str, Sequence[int]]],
    behaviours: Sequence[str] = BEHAVIOURS,
) -> tuple[dict[str, dict[str, dict[str, float | int]]], list[Difference]]:
    """{language: {behaviour: {precision, recall, f1, support}}} and every differing turn."""
    tallies: dict[str, dict[str, Tally]] = {}
    diffs: list[Difference] = []
    for m in meetings:
        got = predictions.get(m.id, {})
        for b in behaviours:
            tp, fp, fn, d = compare(m.labels.get(b, []), got.get(b, []))
            t = tallies.setdefault(m.language, {}).setdefault(b, Tally())
            t.tp, t.fp, t.fn = t.tp + tp, t.fp + fp, t.fn + fn
            for turn, (ex, gt) in sorted(d.items()):
                text = m.turns[turn].text if 0 <= turn < len(m.turns) else ""
                diffs.append(Difference(m.id, m.language, b, turn, ex, gt, text))
    report = {lang: {b: t.as_dict() for b, t in bs.items()} for lang, bs in sorted(tallies.items())}
    return report, diffs
