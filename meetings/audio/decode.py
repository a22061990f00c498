"""Decode a recording once into the 16 kHz 16-bit WAV every later step reads, rejecting bad ones.

One streaming pass through ffmpeg gives the WAV, progress, the exact decoded length (to catch a
file cut off early) and loudness (to catch a muted microphone); memory stays flat whatever the
length. ffmpeg runs as a subprocess under a watchdog; numpy is imported lazily.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from meetings.audio import ffmpeg
from meetings.audio.errors import AudioError
from meetings.audio.wav import SAMPLE_RATE, SAMPLE_WIDTH

if TYPE_CHECKING:
    import numpy as np

# Decoding runs 100x+ real time; a decode slower than 2x real time (plus start-up slack) is hung.
DECODE_TIMEOUT_BASE_SECONDS = 120.0
DECODE_TIMEOUT_PER_AUDIO_SECOND = 0.5
DECODE_TIMEOUT_UNKNOWN_SECONDS = 3600.0
# Truncation: a decode that ends more than max(2 s, 2 %) before the container's stated length.
# Encoder delay and padding differ by well under a second, so this never fires on a whole file.
TRUNCATION_MIN_MISSING_SECONDS = 2.0
TRUNCATION_MIN_MISSING_FRACTION = 0.02
# Silence: 100 ms windows louder than -55 dBFS RMS count as sound; a recording needs at least 0.5 s
# of them. Speech sits around -35..-15 dBFS and a live microphone's noise floor around -70..-50, so a
# muted or unplugged microphone (digital zero or a -70 dBFS hiss) is rejected while a quiet meeting
# with a few seconds of speech in an hour of silence still passes.
SILENCE_WINDOW_SECONDS = 0.1
SILENCE_THRESHOLD_DBFS = -55.0
MIN_SOUND_SECONDS = 0.5

_READ_BLOCK_WINDOWS = 100  # 10 s of audio per pipe read: flat memory, few Python iterations


@dataclass(frozen=True)
class DecodedAudio:
    path: Path
    duration: float
    channels: int
    sample_rate: int


def decode_timeout(expected_duration: float | None) -> float:
    """Wall-clock limit for one decode: generous for slow disks, finite for a hung ffmpeg."""
    if not expected_duration or expected_duration <= 0:
        return DECODE_TIMEOUT_UNKNOWN_SECONDS
    return DECODE_TIMEOUT_BASE_SECONDS + DECODE_TIMEOUT_PER_AUDIO_SECOND * expected_duration


def decode_to_wav(
    path: str | Path,
    out_path: str | Path,
    *,
    channels: int = 1,
    expected_duration: float | None = None,
    max_duration: float | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> DecodedAudio:
    """Decode the first audio stream to a 16 kHz s16le WAV at ``out_path``, streaming.

    ffmpeg writes raw PCM to a pipe; we read 10 s at a time, write it to a temporary WAV next to
    ``out_path`` and measure loudness on the way, so memory stays flat whatever the length and one
    pass gives progress, the exact decoded length and the silence check (ffmpeg's ``-progress`` would
    need a second reader and still not give loudness). ``on_progress(fraction)`` is called about every
    1 % when ``expected_duration`` is known, and with 1.0 at the end. The WAV is renamed into place
    only when every check passed.

    ``channels``: 1 mixes down to mono; 2 keeps stereo (a mono source is duplicated, so pass
    ``min(info.channels, 2)``). A 16-bit WAV caps at 4 GiB: ~37 h mono, ~18 h stereo.

    Raises AudioError ``decode_failed`` (ffmpeg error or timeout), ``empty`` (nothing decoded),
    ``truncated`` (decoded length short of ``expected_duration`` by more than max(2 s, 2 %)),
    ``no_speech`` (under ``MIN_SOUND_SECONDS`` of 100 ms windows above ``SILENCE_THRESHOLD_DBFS``),
    ``too_long`` (``max_duration`` given and the audio goes on past it: a container that states a
    shorter length than it holds; ffmpeg stops one second past the limit, so a small file that
    decodes to days costs at most the limit's worth of decoding and disk).
    """
    if channels not in (1, 2):
        raise ValueError("channels must be 1 or 2")
    src = Path(path)
    out = Path(out_path)
    if not src.is_file():
        raise AudioError("missing", "missing", detail=f"no such file: {src}")
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        "ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-i", ffmpeg.input_url(src),
        "-map", "0:a:0", "-vn", "-sn", "-dn", "-ac", str(channels), "-ar", str(SAMPLE_RATE),
        "-c:a", "pcm_s16le",
        *(["-t", f"{max_duration + 1:.3f}"] if max_duration else []),
        "-f", "s16le", "pipe:1",
    ]  # fmt: skip
    timeout = decode_timeout(expected_duration)

    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    last_reported = -1.0

    def report(frames: int) -> None:
        nonlocal last_reported
        if on_progress and expected_duration and expected_duration > 0:
            fraction = min(1.0, frames / SAMPLE_RATE / expected_duration)
            if fraction - last_reported >= 0.01:
                on_progress(fraction)
                last_reported = fraction

    try:
        run = _ffmpeg_to_wav(cmd, tmp, channels=channels, timeout=timeout, on_block=report)
        if run.timed_out:
            raise AudioError(
                "decode_failed", "decode_failed", detail=f"ffmpeg timed out after {timeout:.0f}s"
            )
        if run.returncode != 0:
            raise AudioError(
                "decode_failed", "decode_failed", detail=run.stderr or f"ffmpeg exit {run.returncode}"
            )
        duration = run.frames / SAMPLE_RATE
        if run.frames == 0:
            raise AudioError("empty", "no_audio_data", detail=run.stderr or "ffmpeg produced no samples")
        if max_duration and duration > max_duration:
            raise AudioError(
                "too_long",
                "too_long_unstated",
                {"limit_seconds": max_duration},
                f"decoded past {max_duration:.0f}s; the container stated {expected_duration}",
            )
        if expected_duration and expected_duration > 0:
            missing = expected_duration - duration
            if missing > max(
                TRUNCATION_MIN_MISSING_SECONDS, TRUNCATION_MIN_MISSING_FRACTION * expected_duration
            ):
                raise AudioError(
                    "truncated",
                    "truncated",
                    {"read_seconds": duration, "total_seconds": expected_duration},
                    f"decoded {duration:.2f}s of {expected_duration:.2f}s; {run.stderr}",
                )
        loud_seconds = run.loud_windows * SILENCE_WINDOW_SECONDS
        if loud_seconds < MIN_SOUND_SECONDS:
            detail = f"{loud_seconds:.1f}s above {SILENCE_THRESHOLD_DBFS} dBFS in {duration:.1f}s"
            raise AudioError("no_speech", "no_speech", detail=detail)
        os.chmod(tmp, 0o640)  # mkstemp makes 0600; match FILE_UPLOAD_PERMISSIONS of the original
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if on_progress:
        on_progress(1.0)
    return DecodedAudio(path=out, duration=duration, channels=channels, sample_rate=SAMPLE_RATE)


@dataclass(frozen=True)
class _FfmpegRun:
    frames: int
    loud_windows: int
    returncode: int
    stderr: str
    timed_out: bool


def _ffmpeg_to_wav(
    cmd: list[str], wav_path: Path, *, channels: int, timeout: float, on_block: Callable[[int], None]
) -> _FfmpegRun:
    """Run ``cmd`` (raw s16le on stdout) into a WAV, 10 s at a time, counting loud windows on the way.

    A watchdog kills ffmpeg after ``timeout`` seconds; stderr goes to a temporary file so a chatty
    ffmpeg can never block on a full pipe.
    """
    import numpy as np

    window_frames = round(SILENCE_WINDOW_SECONDS * SAMPLE_RATE)
    frame_bytes = SAMPLE_WIDTH * channels
    block_bytes = window_frames * frame_bytes * _READ_BLOCK_WINDOWS
    threshold = 32768.0 * 10 ** (SILENCE_THRESHOLD_DBFS / 20)
    frames = loud_windows = 0
    timed_out = threading.Event()
    with tempfile.TemporaryFile() as stderr_file:
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr_file)
        except FileNotFoundError as exc:
            raise RuntimeError("ffmpeg is not installed (apt-get install ffmpeg)") from exc

        def kill() -> None:
            timed_out.set()
            proc.kill()

        watchdog = threading.Timer(timeout, kill)
        watchdog.daemon = True
        watchdog.start()
        try:
            assert proc.stdout is not None
            with wave.open(str(wav_path), "wb") as writer:
                writer.setnchannels(channels)
                writer.setsampwidth(SAMPLE_WIDTH)
                writer.setframerate(SAMPLE_RATE)
                while block := proc.stdout.read(block_bytes):
                    block = block[: len(block) - len(block) % frame_bytes]
                    writer.writeframesraw(block)
                    frames += len(block) // frame_bytes
                    samples = np.frombuffer(block, dtype="<i2")
                    loud_windows += _count_loud_windows(samples, window_frames * channels, threshold)
                    on_block(frames)
            returncode = proc.wait()
        finally:
            watchdog.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if proc.stdout:
                proc.stdout.close()
        stderr_file.seek(0)
        stderr = ffmpeg.stderr_tail(stderr_file.read())
    return _FfmpegRun(frames, loud_windows, returncode, stderr, timed_out.is_set())


def _count_loud_windows(samples: np.ndarray, window_samples: int, threshold: float) -> int:
    """Number of whole windows (a trailing partial one counts too) whose RMS exceeds ``threshold``."""
    import numpy as np

    if samples.size == 0:
        return 0
    pad = (-samples.size) % window_samples
    x = samples.astype(np.float32)
    if pad:
        x = np.concatenate([x, np.zeros(pad, dtype=np.float32)])
    power = np.mean(np.square(x.reshape(-1, window_samples)), axis=1)
    return int(np.count_nonzero(power > threshold * threshold))
