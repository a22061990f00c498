"""Who said it: attribute each transcript segment to the rep or the customer.

Sources, best first: a stereo recording with one side per channel (the channel decides); a mono
recording (voice embeddings and clustering, the rep's group chosen by the rep's enrolment, else
by a heuristic with low confidence); an imported transcript with speaker names (imports.py).
Pure functions over file paths and plain data; heavy libraries load lazily (mono.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from meetings.speakers.imports import ImportedSegment, TranscriptImportError, parse_transcript
from meetings.speakers.metrics import role_confusion
from meetings.speakers.mono import voice_embedding

__all__ = [
    "ImportedSegment",
    "SpeakerAttribution",
    "TranscriptImportError",
    "attribute_speakers",
    "parse_transcript",
    "role_confusion",
    "voice_embedding",
]

REP = "rep"
CUSTOMER = "customer"


@dataclass(frozen=True)
class SpeakerAttribution:
    labels: list[str]  # one per input segment: "rep" | "customer"
    method: str  # "stereo" | "mono-enrolled" | "mono-heuristic" | "import"
    confidence: float  # 0..1 overall
    segment_confidence: list[float]


def attribute_speakers(
    wav_path: str | Path,
    segments: Sequence[tuple[float, float]],
    *,
    enrolment: np.ndarray | None = None,
    rep_channel: int = 0,
) -> SpeakerAttribution:
    """Label each (start, end) segment of a 16 kHz 16-bit WAV "rep" or "customer".

    A two-channel file whose channels carry different talkers is decided by channel (the rep on
    `rep_channel`); anything else is mixed to mono and decided by voice.
    """
    from meetings.speakers import mono, stereo

    samples, rate = stereo.read_wav(wav_path)
    if rate != mono.RATE:
        raise ValueError(f"{wav_path}: expected {mono.RATE} Hz audio, got {rate} Hz")
    segments = [(float(s), float(e)) for s, e in segments]
    if samples.shape[1] == 2:
        levels = stereo.channel_levels(samples, rate)
        if stereo.channels_are_separated(levels):
            labels, seg_conf = stereo.attribute_by_channel(levels, segments, rep_channel)
            return SpeakerAttribution(labels, "stereo", _weighted_mean(seg_conf, segments), seg_conf)
    mixed = samples.mean(axis=1) if samples.shape[1] > 1 else samples[:, 0]
    result = mono.attribute_mono(mixed, segments, enrolment)
    method = "mono-enrolled" if result.enrolled else "mono-heuristic"
    return SpeakerAttribution(result.labels, method, result.confidence, result.segment_confidence)


def _weighted_mean(values: Sequence[float], segments: Sequence[tuple[float, float]]) -> float:
    weights = np.array([max(0.0, e - s) for s, e in segments])
    if not len(values) or weights.sum() == 0:
        return 0.0
    return round(float(np.dot(values, weights) / weights.sum()), 3)
