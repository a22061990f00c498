"""What transcription hands on: timed segments with their words, as plain data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    """One word (in Japanese: one token, often one or two characters) with Whisper's timing.

    ``text`` keeps the engine's spacing (English words carry a leading space, Japanese ones
    none), so ``"".join(w.text for w in words).strip()`` gives the segment's text back.
    """

    start: float  # seconds, absolute within the recording
    end: float
    text: str


@dataclass(frozen=True)
class TranscribedSegment:
    start: float  # seconds, absolute within the recording (offset applied)
    end: float
    text: str
    # Word timings, when the engine produced them: speaker attribution splits a segment where
    # the speaker changes mid-way. Empty when unknown (older chunks, text rewritten by cleaning).
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Transcript:
    language: str  # detected or forced, e.g. "ja", "en"; "" when nothing was spoken
    segments: list[TranscribedSegment]


@dataclass(frozen=True)
class RawSegment:
    """One segment as an engine decoded it: window times and the confidence figures cleanup reads."""

    start: float
    end: float
    text: str
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    compression_ratio: float | None = None
    words: tuple[tuple[float, float, str], ...] = ()  # window time
