"""The decoded WAV every later step reads: its format, its length, a slice of samples, chunk cuts.

Reads only the part asked for, so a long recording never has to fit in memory; numpy is imported
lazily.
"""

from __future__ import annotations

import wave
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000  # what Whisper and the speaker models expect
SAMPLE_WIDTH = 2  # bytes: s16le

# Chunk cutting: the quietest 250 ms window (50 ms hop) is a pause between words, not a stop consonant.
CUT_WINDOW_SECONDS = 0.25
CUT_HOP_SECONDS = 0.05


def wav_duration(wav_path: str | Path) -> float:
    """Length in seconds from the WAV header (no samples read)."""
    with wave.open(str(wav_path), "rb") as reader:
        return reader.getnframes() / reader.getframerate()


def read_samples(
    wav_path: str | Path, start: float = 0.0, end: float | None = None, *, channel: int | None = None
) -> np.ndarray:
    """float32 samples in [-1, 1) for ``[start, end)`` seconds of a 16-bit WAV, reading only that slice.

    Bounds are rounded to the nearest sample and clipped to the file, so consecutive slices that
    share a boundary tile the file exactly. ``channel=None`` mixes all channels to mono.
    """
    import numpy as np

    if start < 0:
        raise ValueError("start must be >= 0")
    with wave.open(str(wav_path), "rb") as reader:
        if reader.getsampwidth() != SAMPLE_WIDTH:
            raise ValueError(f"expected 16-bit PCM, got {8 * reader.getsampwidth()}-bit")
        rate = reader.getframerate()
        n_channels = reader.getnchannels()
        if channel is not None and not 0 <= channel < n_channels:
            raise ValueError(f"channel {channel} out of range for {n_channels} channel(s)")
        total = reader.getnframes()
        first = min(round(start * rate), total)
        last = total if end is None else min(round(end * rate), total)
        if last <= first:
            return np.zeros(0, dtype=np.float32)
        reader.setpos(first)
        raw = reader.readframes(last - first)
    data = np.frombuffer(raw, dtype="<i2").reshape(-1, n_channels)
    if channel is not None:
        mono = data[:, channel].astype(np.float32)
    elif n_channels == 1:
        mono = data[:, 0].astype(np.float32)
    else:
        mono = data.mean(axis=1, dtype=np.float32)
    mono *= np.float32(1 / 32768)  # in place: a 10-minute mono slice is 38 MB as float32
    return mono


def plan_chunks(
    wav_path: str | Path, *, chunk_seconds: float, search_seconds: float = 30.0
) -> list[tuple[float, float]]:
    """Consecutive ``(start, end)`` pieces of at most ``chunk_seconds`` covering the whole WAV.

    Each cut is at the centre of the quietest ``CUT_WINDOW_SECONDS`` window (RMS, ``CUT_HOP_SECONDS``
    hop) within the last ``search_seconds`` before the limit, so a worker transcribing one piece
    does not start or end mid-word. Only those search windows are read. Cut times fall on sample
    boundaries; a file no longer than ``chunk_seconds`` is one piece.
    """
    import numpy as np

    if chunk_seconds <= 0:
        raise ValueError("chunk_seconds must be > 0")
    duration = wav_duration(wav_path)
    search = min(max(search_seconds, 0.0), chunk_seconds / 2)
    window = round(CUT_WINDOW_SECONDS * SAMPLE_RATE)
    hop = round(CUT_HOP_SECONDS * SAMPLE_RATE)
    chunks: list[tuple[float, float]] = []
    start = 0.0
    while duration - start > chunk_seconds:
        limit = start + chunk_seconds
        lo = limit - search
        x = read_samples(wav_path, lo, limit) if search > 0 else np.zeros(0, dtype=np.float32)
        if x.size >= window:
            cumulative = np.concatenate([[0.0], np.cumsum(np.square(x, dtype=np.float64))])
            starts = np.arange(0, x.size - window + 1, hop)
            energy = cumulative[starts + window] - cumulative[starts]
            # Latest minimum, then the middle of the run of equal windows around it, so a long
            # pause is cut in its middle rather than just before the next word.
            best = energy.size - 1 - int(np.argmin(energy[::-1]))
            first = best
            while first > 0 and energy[first - 1] <= energy[best]:
                first -= 1
            mid = (first + best) // 2
            cut = (round(lo * SAMPLE_RATE) + int(starts[mid]) + window // 2) / SAMPLE_RATE
        else:
            cut = round(limit * SAMPLE_RATE) / SAMPLE_RATE
        if cut <= start:  # cannot happen with search <= chunk/2, but never loop forever
            cut = limit
        chunks.append((start, cut))
        start = cut
    chunks.append((start, duration))
    return chunks


def write_slice(wav_path: str | Path, start: float, end: float, out_path: str | Path) -> Path:
    """Copy ``[start, end)`` seconds of a WAV into a WAV of its own, frames unchanged.

    Bounds round as in ``read_samples``, so ``read_samples(out)`` equals
    ``read_samples(wav_path, start, end)``. Copies a minute at a time: flat memory.
    """
    out = Path(out_path)
    with wave.open(str(wav_path), "rb") as reader:
        rate, total = reader.getframerate(), reader.getnframes()
        first = min(round(start * rate), total)
        last = max(first, min(round(end * rate), total))
        reader.setpos(first)
        with wave.open(str(out), "wb") as writer:
            writer.setnchannels(reader.getnchannels())
            writer.setsampwidth(reader.getsampwidth())
            writer.setframerate(rate)
            remaining = last - first
            while remaining > 0:
                frames = reader.readframes(min(remaining, 60 * rate))
                if not frames:
                    break
                writer.writeframesraw(frames)
                remaining -= len(frames) // (reader.getsampwidth() * reader.getnchannels())
    return out
