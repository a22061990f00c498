"""Reading-tolerant matching: Whisper's respellings of the rules' own phrases, put back.

Whisper writes what it hears, not what the rule says: 「おっしゃる通りです」 comes out as
「オシャル通りです」, 「導入事例」 as 「同乳事例」. The rules match text, so those moments are lost
on the recording path. Here each Japanese phrase the active rules spell out (phrase rules and
the literal strings inside regexes) becomes a lexicon entry with its reading; a stretch of a
turn whose reading is the entry's, or within a small edit distance of it, is rewritten to the
entry's spelling before matching, and the moments are mapped back to the words as transcribed.

The lexicon comes from the rules, so a phrase an admin adds is tolerated too. Short phrases
must match their reading exactly (「そうですね」 and 「そうですか」 are one kana apart); only long
ones may differ by one kana, very long ones by two, and never in their first or last kana; a
stretch must be whole words (「委員会」 holds the reading of 「いいんか」 but is not it). Pure: plain data in and out.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

import regex

from coaching.engine.types import Rule, Token, Turn

# Minimum normalised reading length (kana) of an entry for each edit distance allowed.
EXACT_MIN, ONE_EDIT_MIN, TWO_EDITS_MIN = 4, 8, 13
_MAX_EXPANSIONS = 64  # alternatives enumerated per regex (beyond: the first ones)
_JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_NOT_WORD = re.compile(r"[^\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff\u3005]+")
# Kana Whisper drops or spells either way: the small tsu and the long-vowel mark go; ヲヂヅ as said.
_FOLD = str.maketrans(
    {
        **{chr(c): chr(c + 0x60) for c in range(0x3041, 0x3097)},  # hiragana as katakana
        **{
            "ッ": None,
            "っ": None,
            "ー": None,
            "ヲ": "オ",
            "を": "オ",
            "ヂ": "ジ",
            "ぢ": "ジ",
            "ヅ": "ズ",
            "づ": "ズ",
        },
    }
)
_NOT_KATAKANA = re.compile(r"[^\u30a1-\u30fa]+")


def fold(reading: str) -> str:
    """A reading as compared: katakana, no small tsu or long-vowel mark, no other script."""
    return _NOT_KATAKANA.sub("", reading.translate(_FOLD))


@dataclass(frozen=True)
class Entry:
    text: str  # as the rule spells it
    reading: str  # folded
    edits: int  # edit distance allowed


@dataclass(frozen=True)
class Respelling:
    """One turn's text as matched, and where each of its characters came from."""

    text: str
    spans: tuple[tuple[int, int], ...]  # per character of `text`: the original span it stands for


def lexicon_strings(rules: Sequence[Rule]) -> list[str]:
    """The Japanese phrases the rules spell out: phrase alternatives and regex literals."""
    from coaching.engine.rules import alternatives

    out: set[str] = set()
    for rule in rules:
        if rule.language != "ja" or rule.veto or not rule.enabled:
            continue
        if rule.kind == "phrase":
            out.update(alternatives(rule.pattern))
        elif rule.kind == "regex":
            out.update(regex_literals(rule.pattern))
    # Quotes and punctuation end a phrase: 「『プラン』にして」 gives プラン and にして.
    pieces = {p for s in out for p in _NOT_WORD.split(s)}
    return sorted(p for p in pieces if len(p) >= 3 and _JA.search(p))


@functools.lru_cache(maxsize=4096)
def regex_literals(pattern: str) -> frozenset[str]:
    """The literal strings a regex requires, its small alternations expanded: 「(?:どう|どの様に)
    したら」 gives どうしたら and どの様にしたら. Classes, wildcards and repeats end a literal."""
    try:
        parsed = re._parser.parse(pattern)  # type: ignore[attr-defined]
    except (re.error, RecursionError, OverflowError):
        return frozenset()
    return frozenset(s for alt in _expand(list(parsed)) for s in alt if s)


def _expand(items: list[Any]) -> list[list[str]]:
    """Each alternative as a list of literal runs (a break starts a new run)."""
    from re import _constants as c  # type: ignore[attr-defined]

    alts: list[list[str]] = [[""]]
    for op, arg in items:
        if op is c.LITERAL:
            options = [[chr(arg)]]
        elif op is c.SUBPATTERN:
            options = _expand(list(arg[-1]))
        elif op is c.BRANCH:
            options = [alt for branch in arg[1] for alt in _expand(list(branch))]
        elif op is c.IN and all(o is c.LITERAL for o, _ in arg) and len(arg) <= 3:
            options = [[chr(v)] for _, v in arg]
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and arg[1] == 1:
            inner = _expand(list(arg[2]))
            options = ([["", ""]] if arg[0] == 0 else []) + inner  # optional: with and without
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero width
        else:
            options = [["", ""]]  # anything else breaks the literal
        combined: list[list[str]] = []
        for head, tail in product(alts, options):
            if len(combined) >= _MAX_EXPANSIONS:
                break
            combined.append([*head[:-1], head[-1] + tail[0], *tail[1:]])
        alts = combined
    return alts


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[Entry, ...]  # longest reading first: a long phrase wins over one inside it
    by_pair: dict[str, tuple[int, ...]]  # reading bigram -> entries containing it


@functools.lru_cache(maxsize=16)
def lexicon(strings: tuple[str, ...]) -> Lexicon:
    """Entries with their readings, and the bigram index that says which can match a turn."""
    from coaching.engine.nlp import tokenise

    entries = []
    for text, toks in zip(strings, tokenise(list(strings), "ja"), strict=True):
        reading = fold("".join(t[5] for t in toks))
        n = len(reading)
        if n < EXACT_MIN:
            continue
        edits = 2 if n >= TWO_EDITS_MIN else 1 if n >= ONE_EDIT_MIN else 0
        entries.append(Entry(text, reading, edits))
    entries.sort(key=lambda e: (-len(e.reading), e.text))
    by_pair: dict[str, list[int]] = {}
    for i, e in enumerate(entries):
        for pair in {e.reading[k : k + 2] for k in range(len(e.reading) - 1)}:
            by_pair.setdefault(pair, []).append(i)
    return Lexicon(tuple(entries), {k: tuple(v) for k, v in by_pair.items()})


def respell_turn(text: str, tokens: Sequence[Token], lex: Lexicon) -> Respelling | None:
    """The turn with each close-reading stretch rewritten as its entry; None when nothing is."""
    chars: list[str] = []
    owner: list[int] = []  # token index of each folded reading character
    for k, tok in enumerate(tokens):
        r = fold(tok[5] or tok[0])
        chars.append(r)
        owner.extend([k] * len(r))
    reading = "".join(chars)
    if len(reading) < EXACT_MIN:
        return None
    shared: Counter[int] = Counter()
    for pair in {reading[i : i + 2] for i in range(len(reading) - 1)}:
        shared.update(lex.by_pair.get(pair, ()))
    candidates = sorted(
        i for i, n in shared.items() if n >= len(lex.entries[i].reading) - 1 - 2 * lex.entries[i].edits
    )
    if not candidates:
        return None
    # Stretches already spelled as some entry stay as they are (the rules match them as written).
    taken: list[tuple[int, int]] = []  # token spans kept or rewritten
    for i in candidates:
        entry = lex.entries[i]
        at = text.find(entry.text)
        while at >= 0:
            taken.append(_token_span(tokens, at, at + len(entry.text)))
            at = text.find(entry.text, at + len(entry.text))
    edits: list[tuple[int, int, str]] = []  # (char start, char end, new text) in the original
    for i in candidates:
        entry = lex.entries[i]
        for a, b in _occurrences(entry, reading):
            first, last = owner[a], owner[b - 1]
            if any(first <= y and x <= last for x, y in taken):
                continue
            span_len = sum(len(chars[k]) for k in range(first, last + 1))
            if span_len - (b - a) > min(entry.edits, 1):
                continue  # the stretch is part of a longer word (委員会 is not いいんか)
            if reading[a] != entry.reading[0] or reading[b - 1] != entry.reading[-1]:
                continue  # the edges carry the meaning: 「の方がいい」 is not 「た方がいい」
            start = tokens[first][6]
            end = tokens[last][6] + len(tokens[last][0])
            taken.append((first, last))
            edits.append((start, end, entry.text))
    if not edits:
        return None
    edits.sort()
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for start, end, new in edits:
        out.append(text[pos:start])
        spans.extend((i, i + 1) for i in range(pos, start))
        out.append(new)
        spans.extend([(start, end)] * len(new))  # each new character stands for the whole stretch
        pos = end
    out.append(text[pos:])
    spans.extend((i, i + 1) for i in range(pos, len(text)))
    return Respelling("".join(out), tuple(spans))


def _token_span(tokens: Sequence[Token], start: int, end: int) -> tuple[int, int]:
    """First and last token overlapping characters [start, end)."""
    inside = [k for k, t in enumerate(tokens) if t[6] < end and start < t[6] + len(t[0])]
    return (inside[0], inside[-1]) if inside else (-1, -2)


def _occurrences(entry: Entry, reading: str) -> list[tuple[int, int]]:
    if entry.edits == 0:
        found, i = [], reading.find(entry.reading)
        while i >= 0:
            found.append((i, i + len(entry.reading)))
            i = reading.find(entry.reading, i + len(entry.reading))
        return found
    rx = _fuzzy(entry.reading, entry.edits)
    return [m.span() for m in rx.finditer(reading)]


@functools.lru_cache(maxsize=4096)
def _fuzzy(reading: str, edits: int) -> Any:
    # BESTMATCH: the closest stretch, not the first one within the distance.
    return regex.compile(f"(?b)(?:{regex.escape(reading)}){{e<={edits}}}")


def respell_turns(
    turns: Sequence[Turn],
    readings: Sequence[str],
    tokens_of: Callable[[int], Sequence[Token]],
    lex: Lexicon,
) -> dict[int, Respelling]:
    """Each respelled turn (by position) with its map back. `readings` are the turns' readings
    run together (a cheap first test); `tokens_of(i)` gives turn i's tokens when it is worth it."""
    fixes: dict[int, Respelling] = {}
    for i, turn in enumerate(turns):
        if not _may_match(fold(readings[i]), lex):
            continue
        fix = respell_turn(turn.text, tokens_of(i), lex)
        if fix is not None:
            fixes[i] = fix
    return fixes


def _may_match(reading: str, lex: Lexicon) -> bool:
    """Whether some entry shares enough reading bigrams with the turn to be within its edits."""
    if len(reading) < EXACT_MIN:
        return False
    shared: Counter[int] = Counter()
    for pair in {reading[i : i + 2] for i in range(len(reading) - 1)}:
        shared.update(lex.by_pair.get(pair, ()))
    entries = lex.entries
    return any(n >= len(entries[i].reading) - 1 - 2 * entries[i].edits for i, n in shared.items())


def map_back(fix: Respelling, start: int, end: int) -> tuple[int, int]:
    """A match's span in the respelled text as a span of the words as transcribed."""
    return fix.spans[start][0], fix.spans[end - 1][1]
