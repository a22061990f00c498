"""A trained detector: per language and behaviour, a linear head over the turn features, the
threshold it was tuned to, and the labelled turns it learned from (to show why it fired).

Stored as one .npz of plain arrays plus JSON metadata, read with allow_pickle=False: a model
file is data, never code, so loading one cannot run anything.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from coaching.engine.learned.features import FEATURES_VERSION, N_FEATURES, turn_features, vectoriser
from coaching.engine.types import AFFIRMATION, ASK, CASE_STUDY, PROPOSAL

# Who says each behaviour: the model is asked only about that speaker's turns.
SPEAKER_OF = {ASK: "customer", AFFIRMATION: "rep", CASE_STUDY: "rep", PROPOSAL: "rep"}
MODEL_FORMAT = 1


class ModelError(ValueError):
    """A model file that cannot be used (wrong format, damaged, other feature version)."""


@dataclass(frozen=True)
class Head:
    language: str
    behaviour: str
    weights: np.ndarray  # float32, 2 * N_FEATURES (turn block, previous-turn block)
    bias: float
    threshold: float
    examples: tuple[str, ...] = ()  # labelled turns that showed this behaviour

    @functools.cached_property
    def example_vectors(self) -> Any:
        """The examples' n-grams, built on first use (only explanations need them)."""
        return vectoriser(self.language).transform(list(self.examples))

    def probabilities(self, features: Any) -> np.ndarray:
        z = features @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype="float64")))


@dataclass(frozen=True)
class DetectorModel:
    name: str
    heads: Mapping[tuple[str, str], Head]
    meta: Mapping[str, Any] = field(default_factory=dict)
    digest: str = ""  # sha256 of the file it was read from: what cached scores are keyed by

    def behaviours(self, language: str) -> list[str]:
        return [b for (lang, b) in self.heads if lang == language]

    def score_turns(
        self, texts: Sequence[str], speakers: Sequence[str | None], language: str
    ) -> dict[str, list[float | None]]:
        """Per behaviour of this language, each turn's probability (None for the other speaker)."""
        heads = [h for (lang, _), h in self.heads.items() if lang == language]
        if not heads or not texts:
            return {}
        features = turn_features(texts, speakers, language)
        out: dict[str, list[float | None]] = {}
        for head in heads:
            p = head.probabilities(features)
            who = SPEAKER_OF.get(head.behaviour)
            out[head.behaviour] = [
                round(float(p[i]), 4) if who is None or speakers[i] == who else None
                for i in range(len(texts))
            ]
        return out

    def nearest_examples(self, language: str, behaviour: str, text: str, k: int = 3) -> list[dict[str, Any]]:
        """The labelled turns most like `text` (cosine of their n-grams): why the model fired."""
        head = self.heads.get((language, behaviour))
        if head is None or not head.examples:
            return []
        sims = (head.example_vectors @ vectoriser(language).transform([text]).T).toarray().ravel()
        order = np.argsort(-sims)[:k]
        return [
            {"text": head.examples[i], "similarity": round(float(sims[i]), 3)} for i in order if sims[i] > 0
        ]


def model_to_bytes(model: DetectorModel) -> bytes:
    arrays: dict[str, np.ndarray] = {}
    heads_meta = []
    for n, ((language, behaviour), head) in enumerate(sorted(model.heads.items())):
        nz = np.flatnonzero(head.weights)
        arrays[f"h{n}_index"] = nz.astype("int32")
        arrays[f"h{n}_value"] = head.weights[nz].astype("float32")
        heads_meta.append(
            {
                "language": language,
                "behaviour": behaviour,
                "bias": head.bias,
                "threshold": head.threshold,
                "examples": list(head.examples),
            }
        )
    meta = {
        "format": MODEL_FORMAT,
        "features": FEATURES_VERSION,
        "n_features": N_FEATURES,
        "name": model.name,
        "heads": heads_meta,
        "meta": dict(model.meta),
    }
    arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype="uint8")
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def model_from_bytes(data: bytes) -> DetectorModel:
    """The model in a file's bytes (ModelError if they are not one)."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            meta = json.loads(bytes(npz["meta"]).decode())
            if meta.get("format") != MODEL_FORMAT or meta.get("features") != FEATURES_VERSION:
                raise ModelError(f"model format {meta.get('format')}/{meta.get('features')} is not supported")
            if meta.get("n_features") != N_FEATURES:
                raise ModelError("model was trained with another feature size")
            heads = {}
            for n, h in enumerate(meta["heads"]):
                w = np.zeros(2 * N_FEATURES, dtype="float32")
                w[npz[f"h{n}_index"]] = npz[f"h{n}_value"]
                heads[(h["language"], h["behaviour"])] = Head(
                    h["language"],
                    h["behaviour"],
                    w,
                    float(h["bias"]),
                    float(h["threshold"]),
                    tuple(h["examples"]),
                )
    except (OSError, KeyError, ValueError, json.JSONDecodeError) as exc:
        if isinstance(exc, ModelError):
            raise
        raise ModelError(f"not a detector model: {exc}") from None
    return DetectorModel(meta["name"], heads, meta.get("meta") or {}, hashlib.sha256(data).hexdigest())


def save_model(model: DetectorModel, path: str | Path) -> str:
    """Write the model; returns its sha256 (the manifest records it)."""
    data = model_to_bytes(model)
    Path(path).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def load_model(path: str | Path, sha256: str | None = None) -> DetectorModel:
    data = Path(path).read_bytes()
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        raise ModelError(f"{path}: checksum does not match the manifest")
    return model_from_bytes(data)
