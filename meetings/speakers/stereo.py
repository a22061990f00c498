"""Speaker attribution from a two-channel recording where each side has its own channel.

Zoom, Teams and telephone systems can record the rep's microphone and the far side apart. Then
the louder channel says who speaks, but only by a margin: the rep's headset picks up the
customer's voice from the speaker (echo, crosstalk) some 15-30 dB down, so a frame counts for a
side only when its channel is at least MARGIN_DB louder. A stereo file whose channels carry the
same mix (mono duplicated, a room microphone in stereo) is not separated and goes to the mono path.
"""

from __future__ import annotations

import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

FRAME_S = 0.02
SMOOTH_FRAMES = 5  # 100 ms: a syllable, long enough to even out the pitch pulses
MARGIN_DB = 6.0
ACTIVE_ABOVE_FLOOR_DB = 15.0
SILENCE_DBFS = -60.0
# A separated recording has most active frames clearly on one side and each side leading sometimes.
MIN_SEPARATED_SHARE = 0.5
MIN_SIDE_SHARE = 0.03


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """Samples as float32 (frames, channels) and the rate, from a 16-bit PCM WAV."""
    with wave.open(str(path)) as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16-bit PCM WAV, got {8 * w.getsampwidth()}-bit")
        channels = w.getnchannels()
        rate = w.getframerate()
        raw = w.readframes(w.getnframes())
    data = np.frombuffer(raw, dtype="<i2").reshape(-1, channels)
    return data.astype(np.float32) / 32768.0, rate


def channel_levels(samples: np.ndarray, rate: int) -> np.ndarray:
    """Smoothed level in dBFS per FRAME_S frame and channel: shape (frames, channels)."""
    hop = round(FRAME_S * rate)
    frames = len(samples) // hop
    if frames == 0:
        return np.zeros((0, samples.shape[1]), dtype=np.float32)
    power = np.square(samples[: frames * hop].astype(np.float64)).reshape(frames, hop, -1).mean(axis=1)
    kernel = np.ones(SMOOTH_FRAMES) / SMOOTH_FRAMES
    smoothed = np.stack([np.convolve(power[:, c], kernel, mode="same") for c in range(power.shape[1])], 1)
    return (10 * np.log10(smoothed + 1e-12)).astype(np.float32)


def active_frames(levels: np.ndarray) -> np.ndarray:
    """Frames where someone speaks: the louder channel well above the recording's noise floor."""
    loudest = levels.max(axis=1)
    if len(loudest) == 0:
        return np.zeros(0, dtype=bool)
    floor = np.percentile(loudest, 10)
    return (loudest > floor + ACTIVE_ABOVE_FLOOR_DB) & (loudest > SILENCE_DBFS)


def separation_shares(levels: np.ndarray) -> tuple[float, float, float]:
    """Of the active frames: share clearly on one side, share led by channel 0, by channel 1."""
    if levels.shape[1] != 2:
        return 0.0, 0.0, 0.0
    active = active_frames(levels)
    if active.sum() == 0:
        return 0.0, 0.0, 0.0
    diff = levels[active, 0] - levels[active, 1]
    left = float(np.mean(diff >= MARGIN_DB))
    right = float(np.mean(diff <= -MARGIN_DB))
    return left + right, left, right


def channels_are_separated(levels: np.ndarray) -> bool:
    """True when the two channels carry different talkers, not one mix twice."""
    separated, left, right = separation_shares(levels)
    return separated >= MIN_SEPARATED_SHARE and min(left, right) >= MIN_SIDE_SHARE


def attribute_by_channel(
    levels: np.ndarray, segments: Sequence[tuple[float, float]], rep_channel: int = 0
) -> tuple[list[str], list[float]]:
    """Label each segment by the side whose channel leads by the margin in most of its speech."""
    other = 1 - rep_channel
    active = active_frames(levels)
    diff = levels[:, rep_channel] - levels[:, other]
    labels: list[str] = []
    confidence: list[float] = []
    for start, end in segments:
        lo = max(0, int(start / FRAME_S))
        hi = min(len(diff), max(lo + 1, int(np.ceil(end / FRAME_S))))
        seg_diff = diff[lo:hi][active[lo:hi]]
        if len(seg_diff) == 0:
            # Nothing above the floor: fall back on the mean difference, and say we are unsure.
            mean = float(diff[lo:hi].mean()) if hi > lo else 0.0
            labels.append("rep" if mean >= 0 else "customer")
            confidence.append(0.5)
            continue
        rep_votes = int(np.sum(seg_diff >= MARGIN_DB))
        customer_votes = int(np.sum(seg_diff <= -MARGIN_DB))
        rep = float(np.median(seg_diff)) >= 0 if rep_votes == customer_votes else rep_votes > customer_votes
        labels.append("rep" if rep else "customer")
        confidence.append(0.5 + 0.5 * abs(rep_votes - customer_votes) / len(seg_diff))
    return labels, confidence
