"""Measuring speaker attribution: role confusion, and meetings constructed from real speech.

The constructed meetings are real recorded voices with artificial turn-taking (pieces of read
sentences placed one after another); they test whether voices are told apart, not how people
interrupt each other. Say so wherever their figures are reported.
"""

from __future__ import annotations

import random
import wave
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


def role_confusion(
    reference: Sequence[tuple[float, float, str]], hypothesis: Sequence[tuple[float, float, str]]
) -> float:
    """Share of reference speech time not attributed to its own role.

    Reference time that no hypothesis segment of the same role covers counts as wrong, so
    leaving speech unattributed cannot improve the figure. Where the reference overlaps itself
    (both talk at once), each talker's time is scored on its own.
    """
    total = 0.0
    wrong = 0.0
    for start, end, role in reference:
        if end <= start:
            continue
        total += end - start
        covered = _union_length(
            [(max(start, s), min(end, e)) for s, e, r in hypothesis if r == role and s < end and e > start]
        )
        wrong += (end - start) - covered
    return wrong / total if total else 0.0


def wrong_role_share(
    reference: Sequence[tuple[float, float, str]],
    hypothesis: Sequence[tuple[float, float, str]],
    *,
    step: float = 0.01,
) -> tuple[float, float]:
    """(share of reference speech given only the other role, share covered by no segment).

    role_confusion adds the two; apart, they tell attribution errors from segment times that
    leave speech out (word-level times are tighter than Whisper's segment times).
    """
    end = max([e for _, e, _ in (*reference, *hypothesis)], default=0.0)
    n = int(np.ceil(end / step)) + 1
    said = {role: np.zeros(n, dtype=bool) for role in ("rep", "customer")}
    heard = {role: np.zeros(n, dtype=bool) for role in ("rep", "customer")}
    for source, target in ((reference, said), (hypothesis, heard)):
        for start, stop, role in source:
            if role in target:
                target[role][round(start / step) : round(stop / step)] = True
    total = wrong = uncovered = 0
    for role, other in (("rep", "customer"), ("customer", "rep")):
        total += int(said[role].sum())
        wrong += int((said[role] & heard[other] & ~heard[role]).sum())
        uncovered += int((said[role] & ~heard[other] & ~heard[role]).sum())
    return (wrong / total, uncovered / total) if total else (0.0, 0.0)


def _union_length(intervals: list[tuple[float, float]]) -> float:
    length = 0.0
    current: tuple[float, float] | None = None  # (start, end) of the run being merged
    for s, e in sorted(intervals):
        if current is None or s > current[1]:
            if current is not None:
                length += current[1] - current[0]
            current = (s, e)
        else:
            current = (current[0], max(current[1], e))
    if current is not None:
        length += current[1] - current[0]
    return length


def read_rttm(path: str | Path, uri: str) -> list[tuple[float, float, str]]:
    """Speaker turns of one recording from a NIST RTTM file."""
    turns = []
    for line in Path(path).read_text().splitlines():
        fields = line.split()
        if len(fields) >= 8 and fields[0] == "SPEAKER" and fields[1] == uri:
            start, duration = float(fields[3]), float(fields[4])
            turns.append((start, start + duration, fields[7]))
    return turns


def read_mono(path: str | Path) -> np.ndarray:
    """A 16-bit PCM WAV as float32 mono (channels averaged)."""
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, w.getnchannels())
    return (data.astype(np.float32) / 32768.0).mean(axis=1)


def write_wav(path: str | Path, channels: np.ndarray, rate: int = 16_000) -> None:
    """Float samples (frames,) or (frames, channels) to a 16-bit PCM WAV."""
    data = channels if channels.ndim == 2 else channels[:, None]
    pcm = np.clip(np.round(data * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(data.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def split_at_pauses(samples: np.ndarray, rate: int = 16_000, min_piece_s: float = 0.6) -> list[np.ndarray]:
    """Cut a read sentence at its pauses (>= 120 ms, 35 dB under its peak) into phrases."""
    hop = int(0.02 * rate)
    frames = len(samples) // hop
    level = 10 * np.log10(np.square(samples[: frames * hop]).reshape(frames, hop).mean(axis=1) + 1e-12)
    loud = level > level.max() - 35
    pieces: list[tuple[int, int]] = []
    start = None
    quiet_run = 0
    for i, is_loud in enumerate(loud):
        if is_loud:
            if start is None:
                start = i
            quiet_run = 0
            end = i + 1
        elif start is not None:
            quiet_run += 1
            if quiet_run >= 6:
                pieces.append((start, end))
                start = None
    if start is not None:
        pieces.append((start, end))
    merged: list[list[int]] = []
    for s, e in pieces:
        if merged and (merged[-1][1] - merged[-1][0]) * hop < min_piece_s * rate:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    if len(merged) > 1 and (merged[-1][1] - merged[-1][0]) * hop < min_piece_s * rate:
        merged[-2][1] = merged.pop()[1]
    return [samples[s * hop : e * hop] for s, e in merged]


@dataclass(frozen=True)
class ConstructedMeeting:
    tracks: dict[str, np.ndarray]  # speaker -> float32 track, all the same length
    turns: list[tuple[float, float, str]]  # (start, end, speaker), no overlap

    def mono(self) -> np.ndarray:
        mix = sum(self.tracks.values())
        return (mix / max(1.0, np.abs(mix).max() / 0.9)).astype(np.float32)

    def stereo(self, roles: Mapping[str, str], bleed_db: float = -20.0, delay_s: float = 0.01) -> np.ndarray:
        """Rep on the left, customers on the right, each channel with the other side bleeding in."""
        n = len(next(iter(self.tracks.values())))
        rep = np.zeros(n, np.float32)
        customer = np.zeros(n, np.float32)
        for speaker, track in self.tracks.items():
            if roles[speaker] == "rep":
                rep += track
            else:
                customer += track
        delay = int(delay_s * 16_000)
        bleed = 10 ** (bleed_db / 20)
        left = rep + bleed * np.roll(customer, delay)
        right = customer + bleed * np.roll(rep, delay)
        both = np.stack([left, right], axis=1)
        return (both / max(1.0, np.abs(both).max() / 0.9)).astype(np.float32)


def construct_meeting(
    voices: Mapping[str, Sequence[np.ndarray]], *, seed: int = 0, rate: int = 16_000, first: str | None = None
) -> ConstructedMeeting:
    """Alternate phrases of each speaker's clips into one conversation with short gaps.

    Each turn is one or two phrases of a speaker; the next turn goes to another speaker.
    """
    rng = random.Random(seed)
    queues = {
        name: [p for clip in clips for p in split_at_pauses(clip, rate)] for name, clips in voices.items()
    }
    speaker = first or next(iter(voices))
    placed: list[tuple[int, np.ndarray, str]] = []
    cursor = int(0.5 * rate)
    while any(queues.values()):
        if not queues[speaker]:
            speaker = rng.choice([s for s, q in queues.items() if q])
        take = min(len(queues[speaker]), rng.choice([1, 1, 2]))
        audio = np.concatenate([queues[speaker].pop(0) for _ in range(take)])
        placed.append((cursor, audio, speaker))
        cursor += len(audio) + int(rng.uniform(0.2, 0.7) * rate)
        others = [s for s, q in queues.items() if q and s != speaker]
        if others:
            speaker = rng.choice(others)
    total = cursor + int(0.5 * rate)
    tracks = {name: np.zeros(total, np.float32) for name in voices}
    turns = []
    for start, audio, name in placed:
        tracks[name][start : start + len(audio)] += audio
        turns.append((start / rate, (start + len(audio)) / rate, name))
    return ConstructedMeeting(tracks, turns)


def frame_reference(
    turns: Sequence[tuple[float, float, str]], step: float = 0.5
) -> list[tuple[float, float]]:
    """Fixed-length windows over each reference turn: a frame-level view of the same speech."""
    windows = []
    for start, end, _ in turns:
        t = start
        while t < end - 1e-6:
            windows.append((t, min(end, t + step)))
            t += step
    return windows
