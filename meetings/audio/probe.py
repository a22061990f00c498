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
from meetings.audio.errors import AudioError

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
    name = Path(filename).name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name.strip(".") else ""
    if not ext:
        raise AudioError("unsupported", "no_extension", detail=f"filename={filename!r}")
    if ext not in SUPPORTED_EXTENSIONS:
        raise AudioError("unsupported", "unsupported_extension", {"ext": ext}, f"filename={filename!r}")


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
        raise AudioError("missing", "missing", detail=f"no such file: {p}")
    if p.stat().st_size == 0:
        raise AudioError("empty", "empty", detail=f"0 bytes: {p}")
    head = _read_head(p)
    looks_like = sniff_content(head)
    if looks_like:
        raise AudioError(
            "not_media", "not_media_kind", {"looks_like": looks_like}, f"content looks like {looks_like}"
        )
    cmd = [
        "ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
        ffmpeg.input_url(p),
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=PROBE_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AudioError("decode_failed", "decode_failed", detail=f"ffprobe timed out: {p}") from exc
    except FileNotFoundError as exc:
        raise RuntimeError("ffprobe is not installed (apt-get install ffmpeg)") from exc
    stderr = ffmpeg.stderr_tail(proc.stderr)
    if proc.returncode != 0:
        # Only a file that starts like an MP4 is an MP4 whose index is missing: ffprobe says
        # "moov atom not found" for anything named .m4a.
        if "moov atom not found" in stderr and _starts_like_mp4(head):
            raise AudioError("truncated", "incomplete", detail=stderr)
        if _starts_like_media(head):  # a WAV whose header says 0 Hz, a damaged FLAC: a broken recording
            raise AudioError(
                "decode_failed", "decode_failed", detail=stderr or f"ffprobe exit {proc.returncode}"
            )
        raise AudioError("not_media", "not_media", detail=stderr or f"ffprobe exit {proc.returncode}")
    try:
        data = json.loads(proc.stdout or b"{}")
    except ValueError as exc:
        raise AudioError("not_media", "not_media", detail=f"unreadable ffprobe output: {exc}") from exc
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
            raise AudioError("not_media", "not_media", detail=f"format={format_name} streams={len(streams)}")
        raise AudioError("no_audio", "no_audio", detail=f"format={format_name} video streams={len(video)}")
    stream = audio[0]
    codec = str(stream.get("codec_name") or "")
    if not codec or codec == "none":
        raise AudioError(
            "unsupported",
            "unsupported_codec",
            {"codec": str(stream.get("codec_tag_string") or "?")[:40]},
            f"format={format_name} stream={stream}",
        )
    if not int(stream.get("channels") or 0) or not int(stream.get("sample_rate") or 0):
        # ffprobe guessed a format from the name alone (probe score 1) and found no real stream.
        raise AudioError("not_media", "not_media", detail=f"format={format_name} stream={stream}")
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


_SNIFF_BYTES = 8192
# Signatures of files people upload by mistake under a recording's name.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "archive"),
    (b"PK\x05\x06", "archive"),
    (b"\x1f\x8b", "archive"),
    (b"7z\xbc\xaf\x27\x1c", "archive"),
    (b"Rar!\x1a\x07", "archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "archive"),  # old .doc/.xls
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
    (b"BM", "image"),
)
_TEXT_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1b")


def _read_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(_SNIFF_BYTES)


def _starts_like_mp4(head: bytes) -> bool:
    return head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip")


def _starts_like_media(head: bytes) -> bool:
    """The first bytes of a recording container (WAV, MP3, Ogg, FLAC, MP4, WebM/Matroska)."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return True
    if head.startswith((b"ID3", b"OggS", b"fLaC", b"\x1a\x45\xdf\xa3")) or _starts_like_mp4(head):
        return True
    return len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0  # MPEG audio / ADTS frame sync


def _decoded_text(head: bytes) -> str | None:
    """The start of the file as text, if it is text: UTF-8/16 (with a BOM) or Shift_JIS."""
    for bom, encoding in _TEXT_BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, "ignore")
    if b"\x00" in head:
        return None  # every recording container has NUL bytes in its first kilobytes
    for encoding in ("utf-8", "cp932"):
        try:
            # The head may cut a multi-byte character in two: drop up to 3 trailing bytes.
            for cut in range(4):
                try:
                    return head[: len(head) - cut].decode(encoding)
                except UnicodeDecodeError:
                    if cut == 3:
                        raise
        except UnicodeDecodeError:
            continue
    return None


def sniff_content(head: bytes) -> str | None:
    """What a file that is surely no recording looks like ("text", "html", "pdf", "archive",
    "image"), from its first bytes; None when it may be media (ffprobe decides then)."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            # "BM" is also how some text starts: a bitmap has its file size right after it.
            if kind == "image" and signature == b"BM" and (len(head) < 14 or b"\x00" not in head[:14]):
                continue
            return kind
    text = _decoded_text(head)
    if text is None:
        return None
    controls = sum(1 for c in text if c < " " and c not in _TEXT_CONTROLS)
    if controls > len(text) // 100:
        return None
    start = text.lstrip().lower()
    if start.startswith(("<!doctype html", "<html", "<?xml", "<svg")):
        return "html" if "html" in start[:20] else "text"
    return "text"


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
            "decode_failed", "decode_failed", detail=f"ffmpeg duration scan timed out: {path}"
        ) from exc
    micros = 0
    for line in proc.stdout.decode("ascii", "replace").splitlines():
        key, _, value = line.partition("=")
        if key == "out_time_us" and value.strip().lstrip("-").isdigit():
            micros = max(micros, int(value))
    if proc.returncode != 0 and micros == 0:
        raise AudioError("decode_failed", "decode_failed", detail=ffmpeg.stderr_tail(proc.stderr))
    return micros / 1_000_000


def validate(info: ProbeInfo, *, max_duration_seconds: float) -> None:
    """Refuse a recording of no length (``empty``) or one longer than the limit (``too_long``)."""
    if info.duration <= 0:
        raise AudioError("empty", "no_audio_data", detail=f"duration={info.duration}")
    if info.duration > max_duration_seconds:
        raise AudioError(
            "too_long",
            "too_long",
            {"length_seconds": info.duration, "limit_seconds": max_duration_seconds},
            f"duration={info.duration:.1f}s limit={max_duration_seconds:.0f}s",
        )
