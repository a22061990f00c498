"""The re-matching fast path: a compact cached form of a meeting's tokens and a matcher that
needs no spaCy at match time.

Rescoring and rule previews run every rule set over thousands of stored meetings. Rebuilding
spaCy Docs from stored tokens and running its Matcher cost ~100 ms per meeting, so here:

* PackedTurns keeps, per turn, each token field as one string (tokens joined by US, \\x1f).
  JSON of a few long strings loads far faster than lists of 7-tuples, and fields are split
  only for the turns a rule may match.
* FastRules compiles a rule set once: phrase and reading rules become lookup tables keyed by
  the first token, token patterns a small all-matches NFA (engine.patterns: the spaCy
  Matcher's semantics, "all matches" included) behind a literal prefilter, regexes one RE2
  set that says which ones can match before any finditer runs.

raw_matches returns exactly what CompiledRules.raw_matches (the spaCy reference) returns, so
find_moments applies the same constraints to both; tests compare them on the labelled sets.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from coaching.engine.nlp import Token, tokenise
from coaching.engine.patterns import TokenPattern
from coaching.engine.rules import alternatives, compile_regex, compile_regex_set
from coaching.engine.types import Rule, TokenisedTurns

US = "\x1f"  # between tokens
RS = "\x1e"  # between turns (meeting-wide streams)
PACK_FORMAT = 2
_FIELDS = ("orth", "norm", "lemma", "pos", "reading")
_FEW = 16  # up to this many distinct first tokens, finding each beats splitting the meeting


def _clean(value: str) -> str:
    return value.replace(US, "\ufffd").replace(RS, "\ufffd")


@dataclass(frozen=True)
class PackedTurns:
    """Per turn: each token field joined by US, offsets as "0,3,5", whitespace as "010"."""

    language: str
    orth: tuple[str, ...]
    norm: tuple[str, ...]
    lemma: tuple[str, ...]
    pos: tuple[str, ...]
    reading: tuple[str, ...]
    offsets: tuple[str, ...]
    ws: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.norm)

    def field(self, name: str, turn: int) -> list[str]:
        # An empty string is no tokens, unless the turn has tokens (English readings are "").
        return getattr(self, name)[turn].split(US) if self.offsets[turn] else []

    def offsets_of(self, turn: int) -> list[int]:
        s = self.offsets[turn]
        return [int(x) for x in s.split(",")] if s else []

    def as_json(self) -> dict[str, Any]:
        return {
            "format": PACK_FORMAT,
            "language": self.language,
            **{f: list(getattr(self, f)) for f in (*_FIELDS, "offsets", "ws")},
        }


def pack(tokens: Any) -> PackedTurns:
    """PackedTurns from TokenisedTurns (or return it if already packed)."""
    if isinstance(tokens, PackedTurns):
        return tokens
    cols: dict[str, list[str]] = {f: [] for f in (*_FIELDS, "offsets", "ws")}
    for toks in tokens.tokens:
        cols["orth"].append(US.join(_clean(t[0]) for t in toks))
        cols["norm"].append(US.join(_clean(t[2]) for t in toks))
        cols["lemma"].append(US.join(_clean(t[3]) for t in toks))
        cols["pos"].append(US.join(_clean(t[4]) for t in toks))
        cols["reading"].append(US.join(_clean(t[5]) for t in toks))
        cols["offsets"].append(",".join(str(t[6]) for t in toks))
        cols["ws"].append("".join("1" if t[1] else "0" for t in toks))
    return PackedTurns(tokens.language, **{k: tuple(v) for k, v in cols.items()})


def packed_from_json(data: dict[str, Any]) -> PackedTurns:
    if data.get("format") != PACK_FORMAT:
        raise ValueError("not a packed token cache")
    return PackedTurns(data["language"], *(tuple(data[f]) for f in (*_FIELDS, "offsets", "ws")))


def masked(pt: PackedTurns, turns: Collection[int]) -> PackedTurns:
    """The same meeting with every turn outside `turns` emptied (no tokens to match there)."""
    n = len(pt)
    wanted = [i for i in turns if 0 <= i < n]
    cols = []
    for f in (*_FIELDS, "offsets", "ws"):
        src = getattr(pt, f)
        col = [""] * n
        for i in wanted:
            col[i] = src[i]
        cols.append(tuple(col))
    return PackedTurns(pt.language, *cols)


def unpack(pt: PackedTurns) -> TokenisedTurns:
    """TokenisedTurns again (for the spaCy reference path and for tests)."""
    return TokenisedTurns(pt.language, tuple(unpack_turn(pt, i) for i in range(len(pt))))


def unpack_turn(pt: PackedTurns, i: int) -> tuple[Token, ...]:
    cols = [pt.field(f, i) for f in _FIELDS]
    offs = pt.offsets_of(i)
    ws = pt.ws[i]
    return tuple(
        (o, ws[k] == "1", n, lm, p, r, offs[k]) for k, (o, n, lm, p, r) in enumerate(zip(*cols, strict=True))
    )


def splice(pt: PackedTurns, turns: Sequence[int], new: PackedTurns) -> PackedTurns:
    """`pt` with the given turns replaced by the turns of `new`, in order."""
    cols = {f: list(getattr(pt, f)) for f in (*_FIELDS, "offsets", "ws")}
    for k, i in enumerate(turns):
        for f, values in cols.items():
            values[i] = getattr(new, f)[k]
    return PackedTurns(pt.language, **{f: tuple(v) for f, v in cols.items()})


# ---------------------------------------------------------------- compiled rule set
@dataclass
class _Meeting:
    """Lazily built views of one meeting for one match run."""

    pt: PackedTurns
    streams: dict[str, tuple[str, list[int]]]
    splits: dict[tuple[str, int], list[str]]
    anchors: dict[tuple[str, str], set[int]]

    def stream(self, field: str) -> tuple[str, list[int]]:
        """US-wrapped tokens of every turn joined by RS, and each turn's start in it."""
        if field not in self.streams:
            values = [s.lower() for s in self.pt.orth] if field == "lower" else list(getattr(self.pt, field))
            chunks = [US + v + US for v in values]
            starts: list[int] = []
            pos = 0
            for c in chunks:
                starts.append(pos)
                pos += len(c) + 1
            self.streams[field] = (RS.join(chunks), starts)
        return self.streams[field]

    def split(self, field: str, turn: int) -> list[str]:
        key = (field, turn)
        if key not in self.splits:
            if field == "lower":
                values = [x.lower() for x in self.split("orth", turn)]
            elif field == "pos":  # the spaCy reference gives untagged tokens POS "X"
                values = [x or "X" for x in self.pt.field("pos", turn)]
            else:
                values = self.pt.field(field, turn)
            self.splits[key] = values
        return self.splits[key]

    def turns_with(self, field: str, value: str) -> set[int]:
        key = (field, value)
        if key not in self.anchors:
            stream, starts = self.stream(field)
            turns: set[int] = set()
            needle = US + value + US
            p = stream.find(needle)
            while p >= 0:
                turns.add(bisect.bisect_right(starts, p) - 1)
                p = stream.find(needle, p + 1)
            self.anchors[key] = turns
        return self.anchors[key]


class FastRules:
    """A rule set compiled once; raw_matches mirrors CompiledRules.raw_matches."""

    def __init__(self, rules: Sequence[Rule], language: str) -> None:
        self.language = language
        self.rules = tuple(rules)
        # field -> first token -> [(rule index, token tuple)]
        self.tables: dict[str, dict[str, list[tuple[int, tuple[str, ...]]]]] = {}
        self.patterns: list[tuple[int, TokenPattern]] = []
        self.regexes: list[tuple[int, Any]] = []
        self.regex_set: Any = None
        self.norm_regexes = any(r.kind == "regex" and r.field == "norm" for r in self.rules)
        seqs: dict[str, set[tuple[int, tuple[str, ...]]]] = {"norm": set(), "reading": set()}
        for i, rule in enumerate(self.rules):
            if rule.kind in ("phrase", "reading"):
                alts = alternatives(rule.pattern)
                for toks in tokenise(alts, language):
                    if not toks:
                        continue
                    if rule.kind == "phrase":
                        seqs["norm"].add((i, tuple(_clean(t[2]) for t in toks)))
                    else:
                        seqs["reading"].add((i, tuple(_clean(t[5] or t[0]) for t in toks)))
            elif rule.kind == "pattern":
                self.patterns.append((i, TokenPattern(rule.pattern)))
            else:
                self.regexes.append((i, compile_regex("(?m)" + rule.pattern)))
        for field, entries in seqs.items():
            if entries:
                table: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
                for i, seq in sorted(entries):
                    table.setdefault(seq[0], []).append((i, seq))
                self.tables[field] = table
        if len(self.regexes) > 1:  # None (too large for RE2): each regex runs on its own
            self.regex_set = compile_regex_set([rx.pattern for _, rx in self.regexes])

    def raw_matches(
        self, tokens: Any, texts: Sequence[str], turns: Collection[int] | None = None
    ) -> list[tuple[int, int, int, int]]:
        """(rule index, turn, char start, char end) for every unconstrained match (in `turns`
        only, when given: the other turns' tokens are not even looked at)."""
        pt = pack(tokens)
        m = _Meeting(pt if turns is None else masked(pt, turns), {}, {}, {})
        out: list[tuple[int, int, int, int]] = []
        spans: list[tuple[int, int, int, int]] = []  # rule, turn, first token, end token
        for field, table in self.tables.items():
            stream, starts = m.stream(field)
            if len(table) <= _FEW:  # a few first tokens (a preview's changed rules): look them up
                present = {f for f in table if US + f + US in stream}
            else:
                present = table.keys() & set(stream.split(US))
            for first in present:
                needle = US + first + US
                p = stream.find(needle)
                while p >= 0:
                    ti = bisect.bisect_right(starts, p) - 1
                    k = stream.count(US, starts[ti], p)
                    values = m.split(field, ti)
                    for ri, seq in table[first]:
                        e = k + len(seq)
                        if e <= len(values) and (len(seq) == 1 or tuple(values[k:e]) == seq):
                            spans.append((ri, ti, k, e))
                    p = stream.find(needle, p + 1)
        for ri, tp in self.patterns:
            for ti in self._candidate_turns(m, tp):
                n = len(m.split("orth", ti))
                cols = {f: m.split(f, ti) for f in tp.fields}
                spans.extend((ri, ti, s, e) for s, e in tp.matches(cols, n))
        offsets: dict[int, list[int]] = {}
        orths: dict[int, list[str]] = {}
        for ri, ti, s, e in dict.fromkeys(spans):
            if ti not in offsets:
                offsets[ti] = pt.offsets_of(ti)
                orths[ti] = pt.field("orth", ti)
            out.append((ri, ti, offsets[ti][s], offsets[ti][e - 1] + len(orths[ti][e - 1])))
        if self.regexes and turns is None:
            out.extend(self._regex_matches(pt, texts))
        elif self.regexes and turns is not None:
            # Regexes also see the turn before each wanted one: a match running on from there
            # hides what it hides in a whole-meeting run.
            seen = set(turns) | {t - 1 for t in turns}
            blank = [t if i in seen else "" for i, t in enumerate(texts)]
            found = self._regex_matches(masked(pt, seen), blank)
            out.extend(x for x in found if x[1] in turns)
        return out

    def _candidate_turns(self, m: _Meeting, tp: TokenPattern) -> list[int]:
        if tp.anchor is None:
            return list(range(len(m.pt)))
        field, values = tp.anchor
        turns: set[int] = set()
        for v in values:
            turns |= m.turns_with(field, v)
        return sorted(turns)

    def _regex_matches(self, pt: PackedTurns, texts: Sequence[str]) -> list[tuple[int, int, int, int]]:
        out: list[tuple[int, int, int, int]] = []
        turn_bytes = [t.replace("\n", " ").encode() for t in texts]
        joined = b"\n".join(turn_bytes)
        norm_needed = self.norm_regexes
        norm_joined, norm_map = _norm_text(pt) if norm_needed else ("", [])
        live = set(range(len(self.regexes)))
        if self.regex_set is not None:
            live = set(self.regex_set.Match(joined) or [])
            if norm_needed:
                live |= set(self.regex_set.Match(norm_joined.encode()) or [])
        starts = [0]
        for b in turn_bytes:
            starts.append(starts[-1] + len(b) + 1)
        ascii_turn = [len(b) == len(t) for b, t in zip(turn_bytes, texts, strict=True)]
        bisect_right = bisect.bisect_right
        tok_cache: dict[int, tuple[list[int], list[str]]] = {}
        for j, (i, rx) in enumerate(self.regexes):
            if j not in live:
                continue
            if self.rules[i].field == "norm":
                for mt in rx.finditer(norm_joined):
                    if mt.end() <= mt.start():
                        continue
                    a, b = norm_map[mt.start()], norm_map[mt.end() - 1]
                    if a[0] != b[0] or a[0] < 0:
                        continue
                    if a[0] not in tok_cache:
                        tok_cache[a[0]] = (pt.offsets_of(a[0]), pt.field("orth", a[0]))
                    offs, orth = tok_cache[a[0]]
                    out.append((i, a[0], offs[a[1]], offs[b[1]] + len(orth[b[1]])))
            else:
                for bs, be in _byte_spans(rx, joined):
                    if be <= bs:
                        continue
                    turn = bisect_right(starts, bs) - 1
                    t0 = starts[turn]
                    tb = turn_bytes[turn]
                    if be > t0 + len(tb):
                        continue
                    if ascii_turn[turn]:  # bytes are characters: no decoding
                        out.append((i, turn, bs - t0, be - t0))
                    else:
                        s = len(tb[: bs - t0].decode())
                        out.append((i, turn, s, s + len(tb[bs - t0 : be - t0].decode())))
        return out


def _byte_spans(rx: Any, data: bytes) -> Any:
    """(start, end) byte offsets of rx.finditer(data.decode()) without the wrapper's per-match
    re-decoding (the public API maps every match back to str offsets from the text start)."""
    import re2

    regexp = getattr(rx, "_regexp", None)
    if regexp is None:  # another re2 binding: take the slow, public road
        text = data.decode()
        for mt in rx.finditer(text):
            yield len(text[: mt.start()].encode()), len(text[: mt.end()].encode())
        return
    yield from _spans_of(regexp.Match, re2._Anchor.UNANCHORED, data)


def _spans_of(match: Any, unanchored: Any, data: bytes) -> list[tuple[int, int]]:
    """Every (start, end) of the wrapper's finditer, as byte offsets, in one list."""
    out: list[tuple[int, int]] = []
    append = out.append
    pos, end = 0, len(data)
    while True:
        s, e = match(unanchored, data, pos, end)[0]
        if s < 0:
            return out
        append((s, e))
        if pos == end:
            return out
        if e == pos:  # empty match: step one character, as the wrapper does
            pos += 1
            while pos < end and (data[pos] & 0xC0) == 0x80:
                pos += 1
        else:
            pos = e


def _norm_text(pt: PackedTurns) -> tuple[str, list[tuple[int, int]]]:
    """As matching._norm_text: normalised forms joined (spaces in English), char -> (turn, token)."""
    parts: list[str] = []
    cmap: list[tuple[int, int]] = []
    for ti in range(len(pt)):
        norms = pt.field("norm", ti)
        ws = pt.ws[ti]
        for k, n in enumerate(norms):
            parts.append(n)
            cmap.extend([(ti, k)] * len(n))
            if ws[k] == "1" and pt.language != "ja":
                parts.append(" ")
                cmap.append((ti, k))
        parts.append("\n")
        cmap.append((-1, -1))
    return "".join(parts), cmap


_CACHE: dict[str, FastRules] = {}


def fast_compiled(rules: Sequence[Rule], language: str, key: str) -> FastRules:
    """FastRules for a rule set, built once per process (key: the rules' content)."""
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) > 32:
            _CACHE.clear()
        found = _CACHE[key] = FastRules(rules, language)
    return found


def search_text(texts: Sequence[str], pt: PackedTurns) -> str:
    """One string previews prefilter with: turn texts, then US-wrapped normalised forms,
    readings and lemmas of every turn (what phrase, reading and pattern probes look for)."""
    parts = ["\n".join(t.replace("\n", " ") for t in texts)]
    for f in ("norm", "reading", "lemma"):
        parts.append(RS.join(US + v + US for v in getattr(pt, f)))
    return "\n".join(parts)
