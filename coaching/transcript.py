"""Where each stored moment falls in the transcript lines, for highlighting and seeking.

Moments are anchored to turns (consecutive segments of one speaker joined, see
coaching.engine.turns_from_segments) by character offsets; the page shows segments. This maps
one onto the other with the same joining rule. Pure: plain data in, plain data out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


def _is_cjk(c: str) -> bool:
    """Same rule as coaching.engine.turns_from_segments (a test keeps the two in step)."""
    return bool(c) and ("\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef")


@dataclass
class Piece:
    text: str
    moment: Mapping[str, Any] | None = None


@dataclass
class Line:
    index: int
    start: float
    end: float
    speaker: str
    text: str
    pieces: list[Piece] = field(default_factory=list)
    moments: list[dict[str, Any]] = field(default_factory=list)
    comments: list[Any] = field(default_factory=list)  # reviews' comments on it (the meeting panel)


def _turn_layout(segments: Sequence[Mapping[str, Any]]) -> list[list[tuple[int, int]]]:
    """Per turn: (position of the segment in `segments`, char offset of its text in the turn)."""
    turns: list[list[tuple[int, int]]] = []
    texts: list[str] = []
    speakers: list[Any] = []
    for pos, seg in enumerate(segments):
        text = str(seg.get("text") or "").strip()
        speaker = seg.get("speaker") or None
        if not text:
            continue
        if turns and speakers[-1] == speaker and speaker is not None:
            prev = texts[-1]
            joiner = "" if _is_cjk(prev[-1:]) or _is_cjk(text[:1]) else " "
            turns[-1].append((pos, len(prev) + len(joiner)))
            texts[-1] = prev + joiner + text
        else:
            turns.append([(pos, 0)])
            texts.append(text)
            speakers.append(speaker)
    return turns


def transcript_lines(
    segments: Sequence[Mapping[str, Any]], moments: Iterable[Mapping[str, Any]]
) -> list[Line]:
    """Lines with their text split into plain and highlighted pieces, and each moment's seek time.

    A moment that spans two lines is highlighted in the line it starts in, up to that line's end.
    """
    lines = [
        Line(
            index=int(s["index"]),
            start=float(s["start"]),
            end=float(s["end"]),
            speaker=s.get("speaker") or "",
            text=str(s.get("text") or "").strip(),
        )
        for s in segments
    ]
    layout = _turn_layout(segments)
    spans: dict[int, list[tuple[int, int, dict[str, Any]]]] = {}
    for moment in moments:
        turn = int(moment["turn_index"])
        if turn >= len(layout):
            continue
        parts = layout[turn]
        char = int(moment["char_start"])
        pos, offset = parts[0]
        for p, o in parts:
            if o <= char:
                pos, offset = p, o
        line = lines[pos]
        a = max(char - offset, 0)
        b = min(int(moment["char_end"]) - offset, len(line.text))
        time = moment.get("time")
        time = line.start if time is None else min(max(float(time), line.start), line.end)
        item = {**moment, "time": round(time, 2), "line": line.index}
        line.moments.append(item)
        if b > a:
            spans.setdefault(pos, []).append((a, b, item))
    for pos, line in enumerate(lines):
        cursor = 0
        for a, b, item in sorted(spans.get(pos, []), key=lambda x: (x[0], -x[1])):
            if a < cursor:  # overlapping matches: the earlier one keeps the characters
                continue
            if a > cursor:
                line.pieces.append(Piece(line.text[cursor:a]))
            line.pieces.append(Piece(line.text[a:b], item))
            cursor = b
        if cursor < len(line.text) or not line.pieces:
            line.pieces.append(Piece(line.text[cursor:]))
    return lines
