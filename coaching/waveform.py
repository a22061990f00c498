"""Waveform peaks for the player, computed on the server from the 16 kHz WAV the pipeline keeps.

The browser never decodes a long recording to draw it: it gets ~4,000 peak values and the
duration. Peaks are stored as a JSON file beside the audio (local folder or bucket, through
meetings.filestore). No ORM here: paths and storage names in, data out.
"""

from __future__ import annotations

import json
import logging
import math
import wave
from pathlib import Path
from typing import Any

from meetings import filestore

logger = logging.getLogger(__name__)

PEAKS_VERSION = 1
DEFAULT_BUCKETS = 4000
_BLOCK_SECONDS = 60.0  # one minute of samples per read: flat memory for any length


def compute_peaks(wav_path: str | Path, *, buckets: int = DEFAULT_BUCKETS) -> dict[str, Any]:
    """{duration, peaks}: the largest absolute sample in each of `buckets` equal slices, 0..1."""
    import numpy as np

    from meetings.audio import read_samples

    with wave.open(str(wav_path), "rb") as reader:
        rate, frames = reader.getframerate(), reader.getnframes()
    duration = frames / rate if rate else 0.0
    if frames == 0:
        return {"version": PEAKS_VERSION, "duration": 0.0, "peaks": []}
    buckets = max(1, min(buckets, frames))
    per_bucket = frames / buckets
    peaks = np.zeros(buckets, dtype=np.float32)
    block = max(int(_BLOCK_SECONDS * rate), 1)
    for first in range(0, frames, block):
        samples = np.abs(read_samples(wav_path, first / rate, min(first + block, frames) / rate))
        if samples.size == 0:
            continue
        index = ((np.arange(samples.size) + first) / per_bucket).astype(np.int64)
        np.maximum.at(peaks, np.minimum(index, buckets - 1), samples)
    return {
        "version": PEAKS_VERSION,
        "duration": round(duration, 3),
        "peaks": [round(float(p), 3) for p in peaks],
    }


def peaks_name(audio_dir: str) -> str:
    """Storage name of a meeting's cached peaks, beside its audio (deleted with it)."""
    return f"{audio_dir}/peaks.json"


def peaks_store(wav_path: str | Path, cache_name: str) -> dict[str, Any] | None:
    """Compute the peaks of a local WAV and store them as `cache_name`; None if unreadable."""
    try:
        data = compute_peaks(wav_path)
    except (OSError, ValueError, wave.Error, EOFError) as error:
        logger.warning("no waveform for %s: %s", wav_path, error)
        return None
    if not all(math.isfinite(p) for p in data["peaks"]):
        return None
    filestore.write_bytes(cache_name, json.dumps(data, separators=(",", ":")).encode())
    return data


def peaks_cached(wav_name: str, cache_name: str) -> dict[str, Any] | None:
    """Peaks from the stored cache, else computed from the stored WAV (fetched once, then
    cached); None without a WAV. The worker stores them when it decodes, so the web side
    normally only reads the small JSON."""
    raw = filestore.read_bytes(cache_name)
    if raw:
        try:
            data = json.loads(raw)
            if data.get("version") == PEAKS_VERSION:
                return data
        except ValueError:
            pass
    try:
        with filestore.fetched(wav_name) as wav_path:
            return peaks_store(wav_path, cache_name)
    except FileNotFoundError:
        return None
