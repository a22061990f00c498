"""Who said it: attribute each transcript segment to the rep or the customer.

Sources, best first: a stereo recording with one side per channel (the channel decides); a mono
recording (voice embeddings and clustering, the rep's group chosen by the rep's enrolment, else
by a heuristic with low confidence); an imported transcript with speaker names (imports.py).
Pure functions over file paths and plain data; heavy libraries load lazily (mono.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from meetings.speakers.imports import ImportedSegment, TranscriptImportError, parse_transcript
from meetings.speakers.metrics import role_confusion
from meetings.speakers.mono import voice_embedding

__all__ = [
    "AttributedTranscript",
    "ImportedSegment",
    "SpeakerAttribution",
    "TranscriptImportError",
    "attribute_segments",
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


@dataclass(frozen=True)
class AttributedTranscript:
    segments: list[dict[str, Any]]  # start, end, text, speaker; split where the speaker changes
    method: str
    confidence: float
    split: int  # how many input segments were split


def attribute_segments(
    wav_path: str | Path,
    segments: Sequence[Mapping[str, Any]],
    *,
    enrolment: np.ndarray | None = None,
    rep_channel: int = 0,
    split: bool = True,
) -> AttributedTranscript:
    """Attribute transcript segments (dicts with start, end, text and optional words) and split
    each where its words change speaker.

    Segments are first attributed whole (which also chooses the rep's voice); then, for segments
    with word timings, each word on its own: by channel for a separated stereo file, else by the
    nearer of the two voices. Without words (imports, older transcripts) a segment keeps its label.
    """
    from meetings.speakers import mono, stereo, words

    segments = list(segments)
    spans = [(float(s["start"]), float(s["end"])) for s in segments]
    samples, rate = stereo.read_wav(wav_path)
    if rate != mono.RATE:
        raise ValueError(f"{wav_path}: expected {mono.RATE} Hz audio, got {rate} Hz")
    levels = stereo.channel_levels(samples, rate) if samples.shape[1] == 2 else None
    whole = attribute_speakers(wav_path, spans, enrolment=enrolment, rep_channel=rep_channel)
    has_words = split and any(words.words_of(s) for s in segments)
    if not has_words:
        labelled = [{**_plain(s), "speaker": label} for s, label in zip(segments, whole.labels, strict=True)]
        return AttributedTranscript(labelled, whole.method, whole.confidence, 0)

    word_spans = [words.words_of(s) for s in segments]
    if whole.method == "stereo" and levels is not None:
        flat = [(w.start, max(w.end, w.start + stereo.FRAME_S)) for ws in word_spans for w in ws]
        flat_labels, flat_conf = stereo.attribute_by_channel(levels, flat, rep_channel)
        word_labels, word_conf = _regroup(flat_labels, word_spans), _regroup(flat_conf, word_spans)
    else:
        mixed = samples.mean(axis=1) if samples.shape[1] > 1 else samples[:, 0]
        word_labels, word_conf = words.mono_word_labels(
            mixed,
            segments,
            enrolment=enrolment,
            speech=mono.speech_mask(mixed, min_silence_ms=words.PHRASE_PAUSE_MS, pad_ms=10),
            frame_s=mono.VAD_FRAME_S,
        )
    result, count = words.split_by_words(segments, whole.labels, word_labels, word_conf)
    return AttributedTranscript(result, whole.method, whole.confidence, count)


def _plain(segment: Mapping[str, Any]) -> dict[str, Any]:
    return {"start": segment["start"], "end": segment["end"], "text": segment["text"]}


def _regroup(flat: Sequence, groups: Sequence[Sequence]) -> list[list]:
    out, i = [], 0
    for group in groups:
        out.append(list(flat[i : i + len(group)]))
        i += len(group)
    return out
