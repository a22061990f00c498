"""The spaCy seam: loads each pipeline once per process and returns tokens as plain tuples.

A token is (text, whitespace, norm, lemma, pos, reading, char_offset). The tuples are cheap
to store as JSON, so a meeting is tokenised once and rescoring only re-matches.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from coaching.engine.types import Token

__all__ = ["TOKENISER_VERSION", "Token", "detect_language", "pipeline", "tokenise"]

TOKENISER_VERSION = "ja-sudachi-A-core/en-lookup-1"
_SUDACHI_MAX_CHARS = 12000  # Sudachi refuses inputs over ~49 kB (3 bytes per kana/kanji)
_SPLIT_AT = re.compile(r"(?<=[。！？!?\n])")


@functools.cache
def pipeline(language: str) -> Any:
    import spacy

    if language == "ja":
        return spacy.blank("ja", config={"nlp": {"tokenizer": {"split_mode": "A"}}})
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def _chunks(text: str) -> list[tuple[int, str]]:
    if len(text) <= _SUDACHI_MAX_CHARS:
        return [(0, text)]
    out: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + _SUDACHI_MAX_CHARS)
        if end < len(text):
            cut = max(text.rfind(p, start, end) for p in "。！？!?\n 、")
            end = cut + 1 if cut > start else end
        out.append((start, text[start:end]))
        start = end
    return out


def tokenise(texts: Sequence[str], language: str) -> list[list[Token]]:
    """Tokens of each text, with Sudachi normalised forms and readings for Japanese."""
    nlp = pipeline(language)
    if language == "ja":
        return [_tokenise_ja(nlp, text) for text in texts]
    out: list[list[Token]] = []
    for text in texts:
        toks: list[Token] = []
        for offset, chunk in _chunks(text):
            doc = nlp.make_doc(chunk) if language == "ja" else nlp(chunk)
            for t in doc:
                if t.is_space:
                    continue
                reading = ""
                if language == "ja":
                    r = t.morph.get("Reading")
                    reading = r[0] if r else t.text
                norm = t.norm_ if language == "ja" else t.norm_.lower()
                lemma = t.lemma_ if language == "ja" else (t.lemma_ or t.text).lower()
                toks.append((t.text, bool(t.whitespace_), norm, lemma, t.pos_, reading, offset + t.idx))
        out.append(toks)
    return out


def _tokenise_ja(nlp: Any, text: str) -> list[Token]:
    """Sudachi through the spaCy pipeline's own tokenizer object, without building a spaCy Doc
    per turn (that wrapper costs more than Sudachi itself). Same forms and POS mapping as spaCy."""
    from spacy.lang.ja import resolve_pos
    from spacy.parts_of_speech import NAMES

    sudachi = nlp.tokenizer.tokenizer
    toks: list[Token] = []
    for offset, chunk in _chunks(text):
        morphs = [m for m in sudachi.tokenize(chunk) if not m.surface().isspace()]
        tags = ["-".join(x for x in m.part_of_speech()[:4] if x != "*") for m in morphs]
        next_pos = None
        for i, m in enumerate(morphs):
            surface = m.surface()
            if next_pos:
                pos, next_pos = next_pos, None
            else:
                pos, next_pos = resolve_pos(surface, tags[i], tags[i + 1] if i + 1 < len(tags) else None)
            end = m.end()
            ws = end < len(chunk) and chunk[end].isspace()
            toks.append(
                (
                    surface,
                    ws,
                    m.normalized_form(),
                    m.dictionary_form() or surface,
                    NAMES.get(pos, "X") if pos else "X",
                    m.reading_form() or surface,
                    offset + m.begin(),
                )
            )
    return toks


def detect_language(text: str) -> str:
    """ "ja" when kana/kanji make up a real share of the letters, else "en"."""
    cjk = sum(1 for c in text if "\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return "ja" if cjk and cjk * 3 >= latin else "en"
