"""Training a detector from labelled meetings (FORMAT.md), and the cross-validated figures that
say whether it helps.

The model is meant to add recall beside the rules, so its threshold is tuned for what the two
find together: out-of-fold probabilities (meetings never split across folds) are scored on the
turns the rules missed, and the threshold is the one that gives rules + model the best F1.
A head whose best threshold does not beat the rules alone is left out of the model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coaching.engine.learned.features import N_FEATURES, turn_features
from coaching.engine.learned.model import SPEAKER_OF, DetectorModel, Head
from coaching.engine.scoring import LabelledMeeting
from coaching.engine.types import BEHAVIOURS

MIN_POSITIVES = 20  # fewer labelled turns than this and a head is not trained
_MAX_EXAMPLES = 400
_THRESHOLDS = np.round(np.arange(0.30, 0.96, 0.025), 3)


@dataclass
class HeadData:
    """One behaviour's training rows in one language: features of that speaker's turns."""

    features: Any
    labels: np.ndarray  # how many times the behaviour happens in the turn (labels)
    rules: np.ndarray  # how many times the rules found it there
    groups: np.ndarray  # meeting number, so folds never split a meeting
    texts: list[str]


def head_data(
    meetings: Sequence[LabelledMeeting],
    language: str,
    behaviour: str,
    rule_labels: Mapping[str, Mapping[str, Sequence[int]]] | None = None,
    featurise: Callable[[Sequence[str], Sequence[str | None], str], Any] = turn_features,
    partial: Mapping[str, Mapping[str, Sequence[int]]] | None = None,
) -> HeadData:
    """`partial` ({meeting id: {behaviour: turns}}) marks meetings labelled only in some turns
    (a rep's "not right" on a moment says that turn lacks it, and nothing about the others):
    only those turns become rows, and only for those behaviours."""
    import scipy.sparse as sp

    who = SPEAKER_OF[behaviour]
    blocks: list[Any] = []
    labels: list[int] = []
    rules: list[int] = []
    groups: list[int] = []
    texts: list[str] = []
    for g, m in enumerate(meetings):
        if m.language != language:
            continue
        speakers = [t.speaker for t in m.turns]
        rows = [i for i, s in enumerate(speakers) if s == who]
        if partial is not None and m.id in partial:
            only = set(partial[m.id].get(behaviour, ()))
            rows = [i for i in rows if i in only]
        if not rows:
            continue
        x = featurise([t.text for t in m.turns], speakers, language)
        blocks.append(x[rows])
        wanted = m.labels.get(behaviour, [])
        found = (rule_labels or {}).get(m.id, {}).get(behaviour, [])
        labels.extend(wanted.count(i) for i in rows)
        rules.extend(found.count(i) for i in rows)
        groups.extend([g] * len(rows))
        texts.extend(m.turns[i].text for i in rows)
    features = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, 2 * N_FEATURES))
    return HeadData(features, np.array(labels), np.array(rules), np.array(groups), texts)


def fit_weights(features: Any, positive: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, solver="liblinear", class_weight="balanced", max_iter=200)
    clf.fit(features, positive)
    return clf.coef_.ravel().astype("float32"), float(clf.intercept_[0])


def out_of_fold(data: HeadData, c: float, folds: int, seed: int = 0) -> np.ndarray:
    """Each turn's probability from a model that never saw its meeting."""
    from sklearn.model_selection import GroupKFold

    probs = np.zeros(len(data.labels))
    positive = data.labels > 0
    splitter = GroupKFold(n_splits=min(folds, len(set(data.groups))), shuffle=True, random_state=seed)
    for train, test in splitter.split(data.features, positive, data.groups):
        if positive[train].sum() == 0 or positive[train].all():
            continue
        w, b = fit_weights(data.features[train], positive[train], c)
        z = data.features[test] @ w + b
        probs[test] = 1.0 / (1.0 + np.exp(-z))
    return probs


def combined_tally(labels: np.ndarray, rules: np.ndarray, model_hit: np.ndarray) -> tuple[int, int, int]:
    """tp, fp, fn when the model adds one moment to each turn where it fires and the rules found none."""
    got = np.where(rules > 0, rules, model_hit.astype(int))
    tp = int(np.minimum(labels, got).sum())
    return tp, int(got.sum()) - tp, int(labels.sum()) - tp


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(2 * p * r / (p + r) if p + r else 0.0, 3),
    }


def best_threshold(labels: np.ndarray, rules: np.ndarray, probs: np.ndarray) -> tuple[float, dict[str, Any]]:
    """The threshold that gives rules + model the best F1, with the figures before and after."""
    rules_only = prf(*combined_tally(labels, rules, np.zeros(len(labels), bool)))
    best_t, best = 1.0, rules_only
    for t in _THRESHOLDS:
        s = prf(*combined_tally(labels, rules, probs >= t))
        if s["f1"] > best["f1"] + 0.005:
            best_t, best = float(t), s
    model_only = prf(*combined_tally(labels, np.zeros(len(labels), int), probs >= min(best_t, 0.5)))
    return best_t, {"rules": rules_only, "model": model_only, "rules+model": best, "threshold": best_t}


def train_detector(
    meetings: Sequence[LabelledMeeting],
    *,
    name: str,
    rule_labels: Mapping[str, Mapping[str, Sequence[int]]] | None = None,
    c: float = 4.0,
    folds: int = 5,
    behaviours: Sequence[str] = BEHAVIOURS,
    progress: Callable[[float], None] | None = None,
    partial: Mapping[str, Mapping[str, Sequence[int]]] | None = None,
) -> tuple[DetectorModel, dict[str, Any]]:
    """A model from these meetings and its cross-validated report {language: {behaviour: ...}}.

    `rule_labels` ({meeting id: {behaviour: turns}}) are what the rules find in each meeting, so
    thresholds are tuned for rules + model; without them the model is tuned to work alone."""
    languages = sorted({m.language for m in meetings})
    jobs = [(lang, b) for lang in languages for b in behaviours]
    heads: dict[tuple[str, str], Head] = {}
    report: dict[str, Any] = {}
    for n, (language, behaviour) in enumerate(jobs):
        data = head_data(meetings, language, behaviour, rule_labels, partial=partial)
        positives = int((data.labels > 0).sum())
        entry: dict[str, Any] = {
            "turns": len(data.labels),
            "positives": positives,
            "meetings": len(set(data.groups)),
        }
        if positives < MIN_POSITIVES or len(set(data.groups)) < 2:
            entry["skipped"] = f"fewer than {MIN_POSITIVES} labelled turns"
        else:
            probs = out_of_fold(data, c, folds)
            threshold, figures = best_threshold(data.labels, data.rules, probs)
            entry.update(figures)
            if threshold < 1.0:
                w, b = fit_weights(data.features, data.labels > 0, c)
                examples = tuple(
                    dict.fromkeys(t for t, y in zip(data.texts, data.labels, strict=False) if y > 0)
                )
                heads[(language, behaviour)] = Head(
                    language, behaviour, w, b, threshold, examples[:_MAX_EXAMPLES]
                )
            else:
                entry["skipped"] = "does not beat the rules alone"
        report.setdefault(language, {})[behaviour] = entry
        if progress:
            progress((n + 1) / len(jobs))
    meta = {"report": report, "meetings": len(meetings), "c": c}
    return DetectorModel(name, heads, meta), report
