"""Check an upload before any work: a recording's extension, then its container and audio stream.

``probe`` reads headers with ffprobe (and measures the length when the container states none);
``validate`` applies the length limit. Anything that is not a usable recording raises AudioError.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from meetings.audio import ffmpeg
from meetings.audio.errors import AudioError, format_duration, user_message

SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(
    {"wav", "mp3", "m4a", "aac", "ogg", "oga", "opus", "flac", "webm", "mp4", "mov"}
)

# ffprobe only reads headers; a minute means it is stuck (a FIFO, a dead network mount).
PROBE_TIMEOUT_SECONDS = 60.0
# Measuring a file whose container has no duration (browser MediaRecorder webm) demuxes without
# decoding: hours of audio take seconds.
MEASURE_TIMEOUT_SECONDS = 300.0

# Demuxers that ffprobe happily opens but that hold no recording (an image or text file renamed).
_NOT_MEDIA_FORMATS = frozenset({"image2", "tty", "gif", "apng", "ico", "bmp_pipe", "svg_pipe", "pdf"})


@dataclass(frozen=True)
class ProbeInfo:
    duration: float  # seconds: audio stream's, else container's, else measured by demuxing
    channels: int
    sample_rate: int
    format_name: str  # ffprobe format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    codec: str  # codec of the first audio stream (the one decode_to_wav uses)
    has_video: bool  # a real video stream (cover art in an mp3/m4a does not count)


def check_extension(filename: str) -> None:
    """Reject a file name whose extension is not a recording format we accept (before any upload work)."""
    formats = ", ".join(sorted(ext.upper() for ext in SUPPORTED_EXTENSIONS))
    name = Path(filename).name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name.strip(".") else ""
    if not ext:
        raise AudioError(
            "unsupported", user_message("no_extension", formats=formats), f"filename={filename!r}"
        )
    if ext not in SUPPORTED_EXTENSIONS:
        raise AudioError(
            "unsupported",
            user_message("unsupported_extension", ext=ext, formats=formats),
            f"filename={filename!r}",
        )


def _float_or_none(value: Any) -> float | None:
    """A positive number from an ffprobe JSON value (text, a number, or missing), else None."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _is_not_media(fmt: dict[str, Any]) -> bool:
    names = set(str(fmt.get("format_name", "")).split(","))
    return bool(names & _NOT_MEDIA_FORMATS) or any(n.endswith("_pipe") for n in names)


def probe(path: str | Path) -> ProbeInfo:
    """Read the container and first audio stream; raise AudioError for anything that is not a recording.

    Codes: ``missing``, ``empty`` (0 bytes), ``not_media`` (ffprobe cannot open it, or it is an image /
    text file in disguise), ``truncated`` (an mp4/m4a/mov whose index was never written),
    ``no_audio`` (a video without sound), ``unsupported`` (an audio codec ffmpeg cannot decode),
    ``decode_failed`` (ffprobe hung).
    """
    p = Path(path)
    if not p.is_file():
        raise AudioError("missing", user_message("missing"), f"no such file: {p}")
    if p.stat().st_size == 0:
        raise AudioError("empty", user_message("empty"), f"0 bytes: {p}")
    cmd = [
        "ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
        ffmpeg.input_url(p),
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=PROBE_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AudioError("decode_failed", user_message("decode_failed"), f"ffprobe timed out: {p}") from exc
    except FileNotFoundError as exc:
        raise RuntimeError("ffprobe is not installed (apt-get install ffmpeg)") from exc
    stderr = ffmpeg.stderr_tail(proc.stderr)
    if proc.returncode != 0:
        if "moov atom not found" in stderr:
            raise AudioError("truncated", user_message("incomplete"), stderr)
        raise AudioError("not_media", user_message("not_media"), stderr or f"ffprobe exit {proc.returncode}")
    try:
        data = json.loads(proc.stdout or b"{}")
    except ValueError as exc:
        raise AudioError("not_media", user_message("not_media"), f"unreadable ffprobe output: {exc}") from exc
    fmt = data.get("format") or {}
    streams = data.get("streams") or []
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    video = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    format_name = str(fmt.get("format_name", ""))
    if not audio:
        if _is_not_media(fmt) or not video:
            raise AudioError(
                "not_media", user_message("not_media"), f"format={format_name} streams={len(streams)}"
            )
        raise AudioError(
            "no_audio", user_message("no_audio"), f"format={format_name} video streams={len(video)}"
        )
    stream = audio[0]
    codec = str(stream.get("codec_name") or "")
    if not codec or codec == "none":
        raise AudioError(
            "unsupported",
            user_message("unsupported_codec", codec=stream.get("codec_tag_string") or "?"),
            f"format={format_name} stream={stream}",
        )
    duration = _float_or_none(stream.get("duration")) or _float_or_none(fmt.get("duration"))
    if duration is None:
        duration = _measure_duration(p)
    return ProbeInfo(
        duration=duration,
        channels=int(stream.get("channels") or 0),
        sample_rate=int(stream.get("sample_rate") or 0),
        format_name=format_name,
        codec=codec,
        has_video=bool(video) and not _is_not_media(fmt),
    )


def _measure_duration(path: Path) -> float:
    """Length of a container that states none (MediaRecorder webm): demux the audio, keep the last time."""
    cmd = [
        "ffmpeg", "-nostdin", "-v", "error", "-i", ffmpeg.input_url(path), "-map", "0:a:0", "-c", "copy",
        "-f", "null", "-", "-progress", "pipe:1", "-nostats",
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=MEASURE_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AudioError(
            "decode_failed", user_message("decode_failed"), f"ffmpeg duration scan timed out: {path}"
        ) from exc
    micros = 0
    for line in proc.stdout.decode("ascii", "replace").splitlines():
        key, _, value = line.partition("=")
        if key == "out_time_us" and value.strip().lstrip("-").isdigit():
            micros = max(micros, int(value))
    if proc.returncode != 0 and micros == 0:
        raise AudioError("decode_failed", user_message("decode_failed"), ffmpeg.stderr_tail(proc.stderr))
    return micros / 1_000_000


def validate(info: ProbeInfo, *, max_duration_seconds: float) -> None:
    """Refuse a recording of no length (``empty``) or one longer than the limit (``too_long``)."""
    if info.duration <= 0:
        raise AudioError("empty", user_message("no_audio_data"), f"duration={info.duration}")
    if info.duration > max_duration_seconds:
        raise AudioError(
            "too_long",
            user_message(
                "too_long",
                length=format_duration(info.duration, round_up=True),
                limit=format_duration(max_duration_seconds),
            ),
            f"duration={info.duration:.1f}s limit={max_duration_seconds:.0f}s",
        )
