"""Short turns that survive: speech the window decode left without a word, decoded again alone.

A backchannel (「はい」「ええ」「なるほど」) between two of the customer's sentences sits inside
one long VAD region, and Whisper, decoding 30 s at a time, often writes the sentences and skips
it: the affirmation KPI counts exactly what is lost. Here a finer voice-activity pass finds
islands of speech that no decoded word covers; they are decoded again in windows of their own
(each island padded with silence, so Whisper hears a short utterance as one), and what comes
back is kept when the engine's own figures trust it and it is as short as the island.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from meetings.transcription.cleanup import worth_keeping
from meetings.transcription.segments import TranscribedSegment, Word
from meetings.transcription.windows import SAMPLE_RATE, Piece, to_recording_time

if TYPE_CHECKING:
    import numpy as np

ISLAND_MIN_S = 0.18  # shorter uncovered speech is a breath or a click
ISLAND_MAX_S = 8.0  # longer: not a short turn (the window decode had its reasons)
ISLAND_PAD_S = 0.25  # audio kept around an island
ISLAND_GAP_S = 1.0  # silence between islands inside one decoding window
COVER_SLACK_S = 0.12  # a word covers this much around its timing (word times are approximate)
CHARS_PER_SECOND = 12  # what a short utterance can hold; more is the decoder inventing


def fine_regions(samples: np.ndarray) -> list[tuple[int, int]]:
    """Speech regions split at short pauses (the window VAD keeps pauses under 1 s inside)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        threshold=0.5, min_speech_duration_ms=120, min_silence_duration_ms=150, speech_pad_ms=30
    )
    stamps = get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)
    return [(int(s["start"]), int(s["end"])) for s in stamps if s["end"] > s["start"]]


def uncovered(
    regions: Sequence[tuple[int, int]], segments: Sequence[TranscribedSegment], offset: float
) -> list[tuple[int, int]]:
    """The regions (samples) that no decoded word, or wordless segment, touches at all.

    Only whole regions: Whisper's word timings end early, so the tail of a word it did write
    (「なるほど」's 「ほど」) looks uncovered inside the same region, and decoding it again would
    write it twice. A backchannel has a pause of its own on either side."""
    covered: list[tuple[float, float]] = []
    for seg in segments:
        spans = [(w.start, w.end) for w in seg.words] or [(seg.start, seg.end)]
        covered.extend((s - offset - COVER_SLACK_S, e - offset + COVER_SLACK_S) for s, e in spans)
    covered.sort()
    starts = [c[0] for c in covered]
    reach = list(itertools.accumulate((c[1] for c in covered), max))  # latest end so far
    out: list[tuple[int, int]] = []
    for start, end in regions:
        t, stop = start / SAMPLE_RATE, end / SAMPLE_RATE
        if not ISLAND_MIN_S <= stop - t <= ISLAND_MAX_S:
            continue
        k = bisect.bisect_left(starts, stop)  # the spans that start before the region ends
        if k == 0 or reach[k - 1] <= t:
            out.append((start, end))
    return out


def island_windows(
    islands: Sequence[tuple[int, int]], total: int, window_s: float = 28.0
) -> list[list[Piece]]:
    """Islands (padded) packed into windows, each after a second of silence."""
    pad, gap, limit = (
        int(ISLAND_PAD_S * SAMPLE_RATE),
        int(ISLAND_GAP_S * SAMPLE_RATE),
        int(window_s * SAMPLE_RATE),
    )
    windows: list[list[Piece]] = []
    current: list[Piece] = []
    filled = gap
    for s, e in islands:
        start, end = max(0, s - pad), min(total, e + pad)
        if current and filled + (end - start) + gap > limit:
            windows.append(current)
            current, filled = [], gap
        current.append(Piece(start=start, end=end, window_start=filled))
        filled += (end - start) + gap
    if current:
        windows.append(current)
    return windows


def decode_islands(
    audio: np.ndarray,
    segments: Sequence[TranscribedSegment],
    *,
    model: Any,
    decode: Any,
    config: Any,
    language: str | None,
    offset: float,
) -> list[TranscribedSegment]:
    """Segments for the islands of speech `segments` left without words (times as theirs)."""
    import numpy as np

    islands = uncovered(fine_regions(audio), segments, offset)
    found: list[TranscribedSegment] = []
    for pieces in island_windows(islands, len(audio)):
        size = pieces[-1].window_start + (pieces[-1].end - pieces[-1].start) + int(ISLAND_GAP_S * SAMPLE_RATE)
        chunk = np.zeros(size, dtype=np.float32)
        for p in pieces:
            chunk[p.window_start : p.window_start + (p.end - p.start)] = audio[p.start : p.end]
        _, raw = decode(model, chunk, config=config, language=language, on_segment=lambda t: None)
        for seg in raw:
            if not worth_keeping(seg) or not seg.text.strip():
                continue
            found.extend(_per_island(seg, pieces, offset))
    return found


def _per_island(seg: Any, pieces: Sequence[Piece], offset: float) -> list[TranscribedSegment]:
    """A decoded segment cut at the islands it spans (Whisper runs 「はい。」 and 「ええ。」 of two
    islands together), each part within its island; words in the silence between are dropped."""
    by_piece: dict[int, list[Word]] = {}
    for ws, we, wt in seg.words:
        mid = (ws + max(we, ws)) / 2 * SAMPLE_RATE
        k = next(
            (i for i, p in enumerate(pieces) if p.window_start <= mid < p.window_start + p.end - p.start),
            None,
        )
        if k is not None:
            p = pieces[k]
            start = (p.start + max(0.0, ws * SAMPLE_RATE - p.window_start)) / SAMPLE_RATE
            end = (p.start + min(p.end - p.start, max(we, ws) * SAMPLE_RATE - p.window_start)) / SAMPLE_RATE
            by_piece.setdefault(k, []).append(
                Word(start=offset + start, end=offset + max(end, start), text=wt)
            )
    if not seg.words:  # no word timings: kept only when it sits inside one island
        first = to_recording_time(seg.start, pieces, is_end=False)
        last = to_recording_time(seg.end, pieces, is_end=True)
        one = sum(p.start / SAMPLE_RATE <= first and last <= p.end / SAMPLE_RATE for p in pieces) == 1
        fits = len(seg.text.strip()) <= CHARS_PER_SECOND * max(last - first, 0.5)
        return [TranscribedSegment(offset + first, offset + last, seg.text.strip())] if one and fits else []
    out = []
    for k in sorted(by_piece):
        words = tuple(by_piece[k])
        text = "".join(w.text for w in words).strip()
        heard = words[-1].end - words[0].start
        if text and len(text) <= CHARS_PER_SECOND * max(heard, 0.5):
            out.append(TranscribedSegment(start=words[0].start, end=words[-1].end, text=text, words=words))
    return out
