"""find_moments: match compiled rules over one meeting and apply each rule's constraints
(engine.constraints).

All turns of a meeting go into one spaCy Doc (turns apart by a separator token no phrase can
contain), so the PhraseMatcher and Matcher run once per meeting rather than once per turn;
regexes likewise run once over the joined text.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from coaching.engine.constraints import FILLER, ConstraintMemo, passes_constraints, sentence_number
from coaching.engine.fast import unpack_turn
from coaching.engine.nlp import Token, pipeline, tokenise
from coaching.engine.respell import Respelling, lexicon, lexicon_strings, map_back, respell_turns
from coaching.engine.rules import alternatives, compile_regex, default_pack, rules_for
from coaching.engine.types import Moment, Rule, TokenisedTurns, Turn, in_order

if TYPE_CHECKING:
    from coaching.engine.fast import FastRules, PackedTurns

_SEP = "¶"
TOLERANT_BY_DEFAULT = True  # find_moments' `tolerant` when not given (the app sets it from settings)
_SAME_MENTION = 20  # characters: closer matches in one sentence are one mention ("a client, a bank, ...")


def tokenise_turns(turns: Sequence[Turn], language: str) -> TokenisedTurns:
    return TokenisedTurns(language, tuple(tuple(t) for t in tokenise([t.text for t in turns], language)))


def _doc(
    vocab: Any, turns_tokens: Sequence[Sequence[Token]], with_reading: bool, with_morph: bool = True
) -> tuple[Any, Any, list[int]]:
    """One Doc for all turns, a parallel Doc of readings, and each turn's first token index."""
    import numpy as np
    from spacy.attrs import NORM
    from spacy.tokens import Doc

    words: list[str] = []
    spaces: list[bool] = []
    norms: list[str] = []
    lemmas: list[str] = []
    pos: list[str] = []
    readings: list[str] = []
    starts: list[int] = []
    for toks in turns_tokens:
        starts.append(len(words))
        for t in toks:
            words.append(t[0])
            spaces.append(t[1])
            norms.append(t[2])
            lemmas.append(t[3])
            pos.append(t[4] or "X")
            readings.append(t[5])
        words.append(_SEP)
        spaces.append(False)
        norms.append(_SEP)
        lemmas.append(_SEP)
        pos.append("PUNCT")
        readings.append(_SEP)
    if not words:
        words, spaces, norms, lemmas, pos, readings = [_SEP], [False], [_SEP], [_SEP], ["PUNCT"], [_SEP]
    doc = (
        Doc(vocab, words=words, spaces=spaces, lemmas=lemmas, pos=pos)
        if with_morph
        else Doc(vocab, words=words, spaces=spaces)
    )
    add = vocab.strings.add
    # spaCy's stub asks for thinc's Ints2d; at runtime that is a numpy array like this one.
    doc.from_array([NORM], np.array([[add(n)] for n in norms], dtype="uint64"))  # type: ignore[arg-type]
    rdoc = Doc(vocab, words=readings) if with_reading else None
    return doc, rdoc, starts


class CompiledRules:
    """Matchers built once for a rule set (cached by the rules themselves)."""

    def __init__(self, rules: Sequence[Rule], language: str) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        self.language = language
        self.rules = tuple(rules)
        vocab = pipeline(language).vocab
        self.vocab = vocab
        self.phrases = PhraseMatcher(vocab, attr="NORM")
        self.readings = PhraseMatcher(vocab, attr="ORTH")
        self.tokens = Matcher(vocab, validate=True)
        self.regexes: list[tuple[int, Any]] = []
        self.has_reading = False
        for i, rule in enumerate(self.rules):
            key = f"r{i}"
            if rule.kind in ("phrase", "reading"):
                alts = alternatives(rule.pattern)
                toks = tokenise(alts, language)
                docs = [_doc(vocab, [t], False)[0][: len(t)].as_doc() for t in toks if t]
                if rule.kind == "phrase":
                    self.phrases.add(key, docs)
                else:
                    from spacy.tokens import Doc

                    self.has_reading = True
                    self.readings.add(key, [Doc(vocab, words=[x[5] or x[0] for x in t]) for t in toks if t])
            elif rule.kind == "pattern":
                self.tokens.add(key, [rule.pattern])
            else:
                # Turns are joined by newlines: multi-line mode keeps ^ and $ at turn edges.
                self.regexes.append((i, compile_regex("(?m)" + rule.pattern)))

    def raw_matches(
        self, tt: TokenisedTurns | PackedTurns, texts: Sequence[str]
    ) -> list[tuple[int, int, int, int]]:
        """(rule index, turn, char start, char end) for every unconstrained match."""
        from coaching.engine.fast import PackedTurns, unpack

        if isinstance(tt, PackedTurns):
            tt = unpack(tt)
        out: list[tuple[int, int, int, int]] = []
        doc, rdoc, starts = _doc(self.vocab, tt.tokens, self.has_reading, len(self.tokens) > 0)
        flat: list[tuple[int, Token]] = [(ti, tok) for ti, toks in enumerate(tt.tokens) for tok in toks]
        # flat index ignores separators: token i of the doc is flat[i - turn]
        spans: list[tuple[str, int, int]] = []
        strings = self.vocab.strings
        for matcher, d in ((self.phrases, doc), (self.tokens, doc), (self.readings, rdoc)):
            if d is None or len(matcher) == 0:
                continue
            spans.extend((strings[mid], s, e) for mid, s, e in matcher(d))
        for key, s, e in spans:
            turn = bisect.bisect_right(starts, s) - 1
            if e - 1 >= starts[turn] + len(tt.tokens[turn]):
                continue  # crosses into the separator
            first = flat[s - turn][1]
            last = flat[e - 1 - turn][1]
            out.append((int(key[1:]), turn, first[6], last[6] + len(last[0])))
        if self.regexes:
            joined = "\n".join(t.replace("\n", " ") for t in texts)
            offsets = [0]
            for t in texts:
                offsets.append(offsets[-1] + len(t) + 1)
            norm_joined, norm_map = _norm_text(tt)
            for i, rx in self.regexes:
                if self.rules[i].field == "norm":
                    for m in rx.finditer(norm_joined):
                        if m.end() <= m.start():
                            continue
                        a = norm_map[m.start()]
                        b = norm_map[m.end() - 1]
                        if a[0] != b[0] or a[0] < 0:
                            continue
                        ta = tt.tokens[a[0]][a[1]]
                        tb = tt.tokens[b[0]][b[1]]
                        out.append((i, a[0], ta[6], tb[6] + len(tb[0])))
                else:
                    for m in rx.finditer(joined):
                        if m.end() <= m.start():
                            continue
                        turn = bisect.bisect_right(offsets, m.start()) - 1
                        if m.end() > offsets[turn] + len(texts[turn]):
                            continue
                        out.append((i, turn, m.start() - offsets[turn], m.end() - offsets[turn]))
        return out


def _norm_text(tt: TokenisedTurns) -> tuple[str, list[tuple[int, int]]]:
    """Normalised forms joined (with spaces in English) and, per character, its (turn, token)."""
    parts: list[str] = []
    cmap: list[tuple[int, int]] = []
    for ti, toks in enumerate(tt.tokens):
        for k, t in enumerate(toks):
            parts.append(t[2])
            cmap.extend([(ti, k)] * len(t[2]))
            if t[1] and tt.language != "ja":
                parts.append(" ")
                cmap.append((ti, k))
        parts.append("\n")
        cmap.append((-1, -1))
    return "".join(parts), cmap


_COMPILED: dict[str, CompiledRules] = {}
_BY_IDENTITY: dict[tuple[str, bool, tuple[int, ...]], tuple[tuple[Rule, ...], Any]] = {}


def compiled(rules: Sequence[Rule], language: str, *, reference: bool = False) -> Any:
    """Matchers for a rule set, built once per process and rule set (rules are data, so the
    cache key is their content): the fast matcher (engine.fast), or spaCy's as the reference."""
    from coaching.engine.fast import fast_compiled

    ident = (language, reference, tuple(map(id, rules)))
    hit = _BY_IDENTITY.get(ident)
    if hit is not None and hit[0] == tuple(rules):
        return hit[1]
    key = language + json.dumps([dataclasses.astuple(r) for r in rules], ensure_ascii=False, default=str)
    found: CompiledRules | FastRules | None
    if reference:
        found = _COMPILED.get(key)
        if found is None:
            if len(_COMPILED) > 32:
                _COMPILED.clear()
            found = _COMPILED[key] = CompiledRules(rules, language)
    else:
        found = fast_compiled(rules, language, key)
    if len(_BY_IDENTITY) > 64:
        _BY_IDENTITY.clear()
    _BY_IDENTITY[ident] = (tuple(rules), found)  # keeps the rules alive, so their ids stay theirs
    return found


def time_at(turn: Turn, char: int) -> float | None:
    """When the character at `char` of the turn was said (spread evenly over the turn)."""
    if turn.start is None:
        return None
    if turn.end is None or not turn.text:
        return round(turn.start, 2)
    return round(turn.start + (turn.end - turn.start) * char / len(turn.text), 2)


def find_moments(
    turns: Sequence[Turn],
    rules: Sequence[Rule],
    *,
    language: str,
    tokens: TokenisedTurns | PackedTurns | None = None,
    per_turn: Collection[str] | None = None,
    per_sentence: Collection[str] | None = None,
    reference: bool = False,
    only_turns: Collection[int] | None = None,
    tolerant: bool | None = None,
) -> list[Moment]:
    """Moments of each behaviour, ordered by turn and position. Pure: same input, same output.

    `tolerant` (Japanese): stretches whose reading is close to a phrase the rules spell out are
    matched as that phrase (engine.respell: Whisper's 「オシャル通り」 counts as 「おっしゃる通り」);
    the moments keep the words as transcribed.

    `tokens` (from tokenise_turns or engine.fast.pack, possibly cached) skips tokenisation;
    `per_turn` names the behaviours counted at most once per turn (default: as the default pack
    says); `reference` matches with spaCy's matchers instead of the fast path (same results).
    `only_turns` gives the moments of those turns alone, exactly as a whole run finds them there
    (each turn's moments depend on its own matches; constraints still read the turn before):
    previews re-match only the turns a changed rule touches.
    """
    active = rules_for(rules, language)
    if not turns or not active:
        return []
    modes = (
        {k: v.get("count") for k, v in default_pack().behaviours.items()}
        if per_turn is None or per_sentence is None
        else {}
    )
    if per_turn is None:
        per_turn = {k for k, v in modes.items() if v == "per_turn"}
    if per_sentence is None:
        per_sentence = {k for k, v in modes.items() if v == "per_sentence"}
    tt = tokens if tokens is not None and tokens.language == language else tokenise_turns(turns, language)
    fixes: dict[int, Respelling] = {}
    if (TOLERANT_BY_DEFAULT if tolerant is None else tolerant) and language == "ja":
        original = turns
        turns, tt, fixes = _respelled(turns, tt, active)
    cr = compiled(active, language, reference=reference)
    texts = [t.text for t in turns]
    by_turn: dict[tuple[int, str], list[tuple[int, int, Rule]]] = {}
    vetoes: dict[tuple[int, str], list[tuple[int, int]]] = {}
    memo = ConstraintMemo(language)
    if only_turns is None:
        raw = cr.raw_matches(tt, texts)
    elif reference:
        raw = [x for x in cr.raw_matches(tt, texts) if x[1] in only_turns]
    else:
        raw = cr.raw_matches(tt, texts, turns=only_turns)
    for ri, ti, s, e in raw:
        rule = cr.rules[ri]
        if rule.speaker and turns[ti].speaker != rule.speaker:  # passes_constraints' first test, inlined
            continue
        if not passes_constraints(rule, turns, ti, s, e, language, memo):
            continue
        if rule.veto:
            vetoes.setdefault((ti, rule.behaviour), []).append((s, e))
        else:
            by_turn.setdefault((ti, rule.behaviour), []).append((s, e, rule))
    moments: list[Moment] = []
    for (ti, behaviour), cands in by_turn.items():
        vs = vetoes.get((ti, behaviour), [])
        cands = [c for c in cands if not any(c[0] < ve and vs_ < c[1] for vs_, ve in vs)]
        # Longest first at each start; drop matches overlapping one already kept.
        cands.sort(key=lambda c: (c[0], -(c[1] - c[0]), c[2].key))
        kept: list[tuple[int, int, Rule]] = []
        for c in cands:
            if all(c[1] <= k[0] or c[0] >= k[1] for k in kept):
                kept.append(c)
        kept.sort(key=lambda c: c[0])
        text = turns[ti].text
        chain_end: int | None = 0  # end of the opening run of this behaviour; None once broken
        accepted: list[tuple[int, int, Rule]] = []
        for s, e, rule in kept:
            in_chain = chain_end is not None and bool(FILLER.match(text[chain_end:s]))
            if rule.position == "opening" and not in_chain:
                chain_end = None
                continue
            accepted.append((s, e, rule))
            chain_end = e if in_chain else None
        if behaviour in per_turn:
            accepted = accepted[:1]
        elif behaviour in per_sentence:
            # One per sentence; without punctuation (Whisper), mentions far apart still count apart.
            kept_s: list[tuple[int, int, Rule]] = []
            for a in accepted:
                if not kept_s or (
                    sentence_number(text, a[0]) != sentence_number(text, kept_s[-1][0])
                    or a[0] - kept_s[-1][1] >= _SAME_MENTION
                ):
                    kept_s.append(a)
            accepted = kept_s
        turn = turns[ti]
        fix = fixes.get(ti)
        for s, e, rule in accepted:
            if fix is not None:  # back to the words as transcribed
                turn = original[ti]
                s, e = map_back(fix, s, e)
                text = turn.text
            moments.append(Moment(behaviour, turn.index, s, e, text[s:e], rule.key, time_at(turn, s)))
    return in_order(moments)


def _respelled(
    turns: Sequence[Turn], tt: TokenisedTurns | PackedTurns, rules: Sequence[Rule]
) -> tuple[Sequence[Turn], TokenisedTurns | PackedTurns, dict[int, Respelling]]:
    """The turns and tokens as matched when some stretches are respelled (engine.respell)."""
    from coaching.engine.fast import PackedTurns, pack, splice

    lex = lexicon(tuple(lexicon_strings(rules)))
    if isinstance(tt, PackedTurns):
        packed = tt
        readings: Sequence[str] = packed.reading

        def tokens_of(i: int) -> Sequence[Token]:
            return unpack_turn(packed, i)
    else:
        plain = tt
        readings = ["".join(t[5] for t in toks) for toks in plain.tokens]

        def tokens_of(i: int) -> Sequence[Token]:
            return plain.tokens[i]

    fixes = respell_turns(turns, readings, tokens_of, lex)
    if not fixes:
        return turns, tt, fixes
    new_turns = list(turns)
    for i, fix in fixes.items():
        new_turns[i] = dataclasses.replace(turns[i], text=fix.text)
    changed = sorted(fixes)
    new_tokens = tokenise([fixes[i].text for i in changed], "ja")
    if isinstance(tt, PackedTurns):
        return (
            new_turns,
            splice(tt, changed, pack(TokenisedTurns("ja", tuple(map(tuple, new_tokens))))),
            fixes,
        )
    all_tokens = list(tt.tokens)
    for i, toks in zip(changed, new_tokens, strict=True):
        all_tokens[i] = tuple(toks)
    return new_turns, TokenisedTurns(tt.language, tuple(all_tokens)), fixes
