"""Turn features for the learned detector: hashed character n-grams of the turn and of the other
party's turn just before it. Hashing needs no vocabulary, so a model is only weights (no pickle)
and a turn never seen in training still gets features.

Character n-grams suit Japanese (no word boundaries, and Whisper's kana/kanji variants share most
of their characters) and English alike; the previous turn lets a model learn that a price right
after "what would it cost?" is a proposal and 「はい」 after the customer's sentence an affirmation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

N_FEATURES = 2**18  # per block; a row has two blocks
FEATURES_VERSION = 1
_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")


def normalise(text: str) -> str:
    """NFKC, lower case, digits as one symbol, ？ and ? alike: what varies without meaning."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _DIGITS.sub("0", text)
    return _SPACES.sub(" ", text).strip()


def _vectoriser(language: str) -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    ngram_range = (1, 4) if language == "ja" else (2, 5)
    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=ngram_range,
        n_features=N_FEATURES,
        alternate_sign=False,
        norm="l2",
        preprocessor=normalise,
        dtype="float32",
    )


_CACHE: dict[str, Any] = {}


def vectoriser(language: str) -> Any:
    if language not in _CACHE:
        _CACHE[language] = _vectoriser(language)
    return _CACHE[language]


def previous_other(texts: Sequence[str], speakers: Sequence[str | None]) -> list[str]:
    """For each turn, the text of the turn before it when another speaker said it, else ''."""
    out = [""] * len(texts)
    for i in range(1, len(texts)):
        if speakers[i - 1] != speakers[i]:
            out[i] = texts[i - 1]
    return out


def turn_features(texts: Sequence[str], speakers: Sequence[str | None], language: str) -> Any:
    """A sparse matrix, one row per turn: [turn n-grams | previous other turn's n-grams]."""
    import scipy.sparse as sp

    vec = vectoriser(language)
    own = vec.transform(list(texts))
    prev = vec.transform(previous_other(texts, speakers))
    return sp.hstack([own, prev * 0.5], format="csr", dtype="float32")
