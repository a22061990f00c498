"""Speaker attribution for one-channel recordings: voice activity, voice embeddings, clustering.

Engines, all offline with weights shipped in their wheels: silero-vad (MIT) finds speech inside
each segment, Resemblyzer's GE2E voice encoder (Apache-2.0) turns it into a 256-d voice
embedding, scikit-learn groups the segments by voice. Which group is the rep comes from the rep's
enrolment embedding when there is one; otherwise from a stated heuristic with low confidence.
Every heavy import happens on first use, and each model loads once per process.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RATE = 16_000
VAD_FRAME_S = 0.01
PARTIAL_S = 1.6  # the encoder's window; shorter speech is tiled up to it
MIN_SPEECH_S = 0.3
# Average-linkage cosine distance, between embeddings centred on the recording's mean, under which
# segment groups are one voice (Common Voice: one voice 0.3-0.6 apart, two voices 1.2-1.4).
CLUSTER_DISTANCE = 0.8
# A group with less speech than this is re-assigned to the nearest big group: short segments
# ("はい") give noisy embeddings that would otherwise form a "speaker" of their own.
MIN_CLUSTER_SHARE = 0.1
MIN_CLUSTER_SECONDS = 4.0
HEURISTIC_CONFIDENCE = 0.35
# Short turns (backchannels) are decided by a classifier trained on this recording's own voices
# (short_turns.py); False keeps the nearest centroid (for comparison).
REGROUP_SHORT_TURNS = True

_lock = threading.Lock()
_models: dict[str, object] = {}


def _encoder():
    with _lock:
        if "encoder" not in _models:
            from resemblyzer import VoiceEncoder

            _models["encoder"] = VoiceEncoder("cpu", verbose=False)
        return _models["encoder"]


def _vad():
    with _lock:
        if "vad" not in _models:
            from silero_vad import load_silero_vad

            _models["vad"] = load_silero_vad()
        return _models["vad"]


def speech_mask(samples: np.ndarray, *, min_silence_ms: int = 150, pad_ms: int = 30) -> np.ndarray:
    """One bool per VAD_FRAME_S of audio: True where silero-vad hears speech (pauses shorter than
    `min_silence_ms` are bridged)."""
    import torch
    from silero_vad import get_speech_timestamps

    frames = int(np.ceil(len(samples) / (VAD_FRAME_S * RATE)))
    mask = np.zeros(frames, dtype=bool)
    if len(samples) < 512:
        return mask
    with torch.no_grad():
        stamps = get_speech_timestamps(
            torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32)),
            _vad(),
            sampling_rate=RATE,
            min_silence_duration_ms=min_silence_ms,
            speech_pad_ms=pad_ms,
        )
    for stamp in stamps:
        mask[
            stamp["start"] // int(VAD_FRAME_S * RATE) : int(np.ceil(stamp["end"] / (VAD_FRAME_S * RATE)))
        ] = True
    return mask


def _embed(speech: np.ndarray) -> np.ndarray:
    """L2-normalised embedding; speech shorter than the encoder window is repeated to fill it."""
    need = int(PARTIAL_S * RATE)
    if len(speech) < need:
        speech = np.tile(speech, int(np.ceil(need / max(1, len(speech)))))[:need]
    embedding = _encoder().embed_utterance(speech.astype(np.float32))
    return embedding / (np.linalg.norm(embedding) + 1e-9)


def voice_embedding(samples: np.ndarray) -> np.ndarray:
    """Embedding of one voice from a clip (float32 mono 16 kHz), e.g. a rep's enrolment."""
    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim != 1 or len(samples) < MIN_SPEECH_S * RATE:
        raise ValueError("an enrolment clip must be mono and at least a few seconds long")
    mask = speech_mask(samples)
    speech = _speech_in(samples, mask, 0, len(samples))
    return _embed(speech if len(speech) >= MIN_SPEECH_S * RATE else samples)


def _speech_in(samples: np.ndarray, mask: np.ndarray, lo: int, hi: int) -> np.ndarray:
    step = int(VAD_FRAME_S * RATE)
    first = lo // step
    frames = mask[first : int(np.ceil(hi / step))]
    keep = np.zeros(hi - lo, dtype=bool)
    flags = np.repeat(frames, step)[lo - first * step :][: hi - lo]
    keep[: len(flags)] = flags
    return samples[lo:hi][keep]


@dataclass(frozen=True)
class MonoResult:
    labels: list[str]
    segment_confidence: list[float]
    confidence: float
    enrolled: bool
    clusters: list[int]


def segment_embeddings(
    samples: np.ndarray, segments: Sequence[tuple[float, float]], mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per segment: voice embedding of its speech, and seconds of speech (its weight)."""
    mask = speech_mask(samples) if mask is None else mask
    embeddings = np.zeros((len(segments), 256), dtype=np.float32)
    weights = np.zeros(len(segments), dtype=np.float64)
    for i, segment in enumerate(segments):
        speech = _segment_speech(samples, mask, segment)
        if speech is None:
            continue
        embeddings[i] = _embed(speech)
        weights[i] = len(speech) / RATE
    return embeddings, weights


def _segment_speech(samples: np.ndarray, mask: np.ndarray, segment: tuple[float, float]) -> np.ndarray | None:
    lo, hi = max(0, int(segment[0] * RATE)), min(len(samples), int(segment[1] * RATE))
    if hi - lo < 160:
        return None
    speech = _speech_in(samples, mask, lo, hi)
    if len(speech) < MIN_SPEECH_S * RATE:
        speech = samples[lo:hi]  # VAD missed a short word; use the segment as it is
    return speech


def cluster_voices(embeddings: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Group segments by voice; tiny groups join the nearest big one. Returns a group per segment.

    Embeddings are centred on the recording's mean first: what all segments share (room, line,
    microphone) is removed, what tells the voices apart stays. A meeting has at least two voices.
    """
    n = len(embeddings)
    usable = weights > 0
    if usable.sum() < 2:
        return np.zeros(n, dtype=int)
    from sklearn.cluster import AgglomerativeClustering

    centred = embeddings - (embeddings[usable] * weights[usable, None]).sum(axis=0) / weights.sum()
    centred /= np.linalg.norm(centred, axis=1, keepdims=True) + 1e-9
    groups = np.full(n, -1)
    groups[usable] = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=CLUSTER_DISTANCE
    ).fit_predict(centred[usable])
    if len(np.unique(groups[usable])) < 2:
        groups[usable] = AgglomerativeClustering(
            n_clusters=2, metric="cosine", linkage="average"
        ).fit_predict(centred[usable])
    total = weights.sum()
    sizes = {g: weights[groups == g].sum() for g in np.unique(groups[usable])}
    big = [g for g, size in sizes.items() if size >= min(MIN_CLUSTER_SECONDS, MIN_CLUSTER_SHARE * total)]
    big = big if len(big) >= 2 else sorted(sizes, key=lambda g: sizes[g], reverse=True)[:2]
    centroids = _centroids(centred, weights, groups, big)
    # Re-assign every segment to the nearest big group (one k-means step from good centroids).
    result = np.array(big)[np.argmax(centred @ centroids.T, axis=1)]
    result[~usable] = -1
    # Number the groups 0..k-1 in order of first appearance.
    order = {g: i for i, g in enumerate(dict.fromkeys(result[result >= 0].tolist()))}
    return np.array([order.get(g, -1) for g in result.tolist()])


def _centroids(embeddings: np.ndarray, weights: np.ndarray, groups: np.ndarray, ids) -> np.ndarray:
    rows = []
    for g in ids:
        member = groups == g
        c = (embeddings[member] * weights[member, None]).sum(axis=0)
        rows.append(c / (np.linalg.norm(c) + 1e-9))
    return np.array(rows)


def attribute_mono(
    samples: np.ndarray, segments: Sequence[tuple[float, float]], enrolment: np.ndarray | None = None
) -> MonoResult:
    """Label segments of a one-channel recording "rep" or "customer"."""
    if not segments:
        return MonoResult([], [], 0.0, enrolment is not None, [])
    mask = speech_mask(samples)
    embeddings, weights = segment_embeddings(samples, segments, mask)
    groups = cluster_voices(embeddings, weights)
    short_probability = np.full(len(segments), np.nan)
    if REGROUP_SHORT_TURNS:
        from meetings.speakers.short_turns import regroup_short_turns

        groups, short_probability = regroup_short_turns(
            lambda i: _segment_speech(samples, mask, segments[i]), _embed, embeddings, weights, groups
        )
    # Segments without usable audio take the group of their nearest neighbour in time.
    for k in np.flatnonzero(groups < 0):
        known = np.flatnonzero(groups >= 0)
        if known.size:
            groups[k] = groups[known[np.argmin(np.abs(known - k))]]
        else:
            groups[k] = 0
    ids = sorted(set(groups.tolist()))
    centroids = _centroids(embeddings, weights, groups, ids)

    if enrolment is not None:
        enrol = np.asarray(enrolment, dtype=np.float32)
        enrol = enrol / (np.linalg.norm(enrol) + 1e-9)
        similarity = centroids @ enrol
        rep_group = ids[int(np.argmax(similarity))]
        ranked = np.sort(similarity)[::-1]
        gap = ranked[0] - ranked[1] if len(ranked) > 1 else ranked[0] - 0.5
        choice = float(np.clip(0.5 + 2.5 * gap, 0.0, 1.0))
        if len(ids) == 1 and ranked[0] < 0.6:
            rep_group = -99  # one voice, and not the rep's: everyone is a customer
    else:
        rep_group = _heuristic_rep_group(groups, weights)
        choice = HEURISTIC_CONFIDENCE

    labels = ["rep" if g == rep_group else "customer" for g in groups]
    seg_conf = []
    for i, g in enumerate(groups):
        if len(ids) == 1 or weights[i] == 0:
            seg_conf.append(0.5)
            continue
        if not np.isnan(short_probability[i]):
            seg_conf.append(float(short_probability[i]))
            continue
        sims = centroids @ embeddings[i]
        own = sims[ids.index(g)]
        other = np.max(np.delete(sims, ids.index(g)))
        seg_conf.append(float(np.clip(0.5 + 2.5 * (own - other), 0.0, 1.0)))
    seg_conf = [round(min(c, choice) if enrolment is None else c, 3) for c in seg_conf]
    total = weights.sum() or 1.0
    overall = float(np.dot(seg_conf, weights) / total) * choice if total else 0.0
    return MonoResult(labels, seg_conf, round(overall, 3), enrolment is not None, groups.tolist())


def _heuristic_rep_group(groups: np.ndarray, weights: np.ndarray) -> int:
    """Without enrolment the rep is taken to be who speaks first (at least a second of speech):
    in a sales meeting the rep usually opens with the greeting and the agenda."""
    for g, w in zip(groups, weights, strict=True):
        if w >= 1.0:
            return int(g)
    return int(groups[0])
