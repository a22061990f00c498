"""Files a probing user (or a broken phone app) sends instead of a recording, made in the test:
nothing large is committed, each takes well under two seconds to generate.

Each case names the file, how to make it, the code the product reports and a phrase of the
sentence a rep reads in English and in Japanese.
"""

from __future__ import annotations

import struct
import subprocess
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SR = 16_000
FOUR_HOURS = 4 * 3600


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def tone_wav(path: Path, seconds: float = 5.0, *, sr: int = SR) -> Path:
    t = np.arange(round(seconds * sr)) / sr
    x = (0.3 * np.sin(2 * np.pi * 300 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(x.tobytes())
    return path


def empty(folder: Path) -> Path:
    path = folder / "empty.m4a"
    path.write_bytes(b"")
    return path


def text_named_m4a(folder: Path) -> Path:
    path = folder / "minutes.m4a"
    path.write_text("議事録\n次回の提案書は来週までに送付します。\nNext step: send the proposal.\n" * 40)
    return path


def video_without_audio(folder: Path) -> Path:
    path = folder / "screen-share.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=2", "-c:v", "mpeg4", str(path))
    return path


def wav_data_size_past_the_end(folder: Path) -> Path:
    """A WAV header that claims 100 s of samples in a 5 s file (an upload that stopped early)."""
    path = tone_wav(folder / "lying-size.wav")
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, data.index(b"data") + 4, 100 * SR * 2)
    path.write_bytes(bytes(data))
    return path


def wav_sample_rate_zero(folder: Path) -> Path:
    path = tone_wav(folder / "zero-hertz.wav")
    data = bytearray(path.read_bytes())
    struct.pack_into("<II", data, 24, 0, 0)  # sample rate, byte rate
    path.write_bytes(bytes(data))
    return path


def wav_sample_rate_one_hertz(folder: Path) -> Path:
    """5 s of 16 kHz samples whose header says 1 Hz: 22 hours of 'recording'."""
    path = tone_wav(folder / "one-hertz.wav")
    data = bytearray(path.read_bytes())
    struct.pack_into("<II", data, 24, 1, 2)
    path.write_bytes(bytes(data))
    return path


def m4a_cut_before_its_index(folder: Path) -> Path:
    whole = folder / "whole.m4a"
    ffmpeg("-i", str(tone_wav(folder / "src.wav", 20)), "-c:a", "aac", "-b:a", "48k", str(whole))
    path = folder / "voice-memo.m4a"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return path


def mp3_cut_in_half(folder: Path) -> Path:
    whole = folder / "whole.mp3"
    ffmpeg("-i", str(tone_wav(folder / "src.wav", 20)), "-c:a", "libmp3lame", "-b:a", "32k", str(whole))
    path = folder / "cut-call.mp3"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return path


def four_hours_ten(folder: Path) -> Path:
    """A call 10 minutes over the 4-hour limit: silent FLAC at 1 kHz, about a megabyte."""
    path = folder / "all-day-call.flac"
    ffmpeg(
        "-f", "lavfi", "-i", "anullsrc=r=1000:cl=mono", "-t", str(FOUR_HOURS + 600), "-c:a", "flac", str(path)
    )
    return path


def flac_bomb(folder: Path) -> Path:
    """2.7 MB that decodes to ten hours (1.1 GB as the 16 kHz WAV), its header stating no length:
    the length must be measured (by demuxing, not decoding) and refused before any decode."""
    path = folder / "tiny.flac"
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=1000:cl=mono", "-t", "36000", "-c:a", "flac", str(path))
    data = bytearray(path.read_bytes())
    assert data[:4] == b"fLaC"
    fields = int.from_bytes(data[18:26], "big") & ~((1 << 36) - 1)  # STREAMINFO total samples := 0
    data[18:26] = fields.to_bytes(8, "big")
    path.write_bytes(bytes(data))
    return path


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[Path], Path]
    code: str
    en: str
    ja: str


# Refused before anything is stored: at upload (form and API) and by `manage.py analyze`.
REFUSED_AT_UPLOAD = [
    Case("zero-bytes", empty, "empty", "This file is empty (0 bytes)", "このファイルは空です（0 バイト）"),
    Case(
        "text-named-m4a",
        text_named_m4a,
        "not_media",
        "This is not an audio or video file (it looks like text)",
        "音声・動画ファイルではありません（テキストのようです）",
    ),
    Case(
        "video-without-audio",
        video_without_audio,
        "no_audio",
        "This file contains no audio track",
        "このファイルには音声トラックがない",
    ),
    Case(
        "wav-header-0-hz",
        wav_sample_rate_zero,
        "decode_failed",
        "This recording could not be decoded; the file may be damaged",
        "ファイルが破損している可能性があります",
    ),
    Case(
        "wav-header-1-hz",
        wav_sample_rate_one_hertz,
        "too_long",
        "This recording is 22 hours 14 minutes long, but recordings can be at most 4 hours",
        "この録音の長さは 22 時間 14 分 ですが、録音の上限は 4 時間 です",
    ),
    Case(
        "m4a-cut-before-index",
        m4a_cut_before_its_index,
        "truncated",
        "This file is incomplete (the end of the recording is missing)",
        "このファイルは不完全（録音の末尾が欠けている）",
    ),
    Case(
        "four-hours-ten",
        four_hours_ten,
        "too_long",
        "This recording is 4 hours 10 minutes long, but recordings can be at most 4 hours",
        "この録音の長さは 4 時間 10 分 ですが、録音の上限は 4 時間 です",
    ),
    Case(
        "flac-bomb",
        flac_bomb,
        "too_long",
        "This recording is 10 hours long, but recordings can be at most 4 hours",
        "この録音の長さは 10 時間 ですが、録音の上限は 4 時間 です",
    ),
]

# Accepted at upload (its header is plausible); decoding shows what is wrong.
TRUNCATED_MP3 = Case(
    "mp3-cut-in-half",
    mp3_cut_in_half,
    "truncated",
    "of this recording (20 seconds in total) could be read",
    "この録音（全体 20 秒）のうち、読み込めたのは最初の",
)
