"""Audio seam: probe, validate and decode uploads with ffmpeg, then read and split the decoded WAV.

Every recording goes through here once (``probe`` → ``validate`` → ``decode_to_wav``) and comes out as
one 16 kHz 16-bit PCM WAV that the transcription and speaker steps read slice by slice
(``read_samples``, ``plan_chunks``). Nothing here touches the ORM; failures a rep can fix are raised
as ``AudioError`` with a sentence they understand (``message``) and the ffmpeg output for the log
(``detail``). ffmpeg/ffprobe are Debian's binaries, run as subprocesses with timeouts; numpy is
imported lazily.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import tempfile
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

# trans_null's gettext_noop is the identity and needs no settings; makemessages still sees the calls.
from django.utils.translation.trans_null import gettext_noop

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000  # what Whisper and the speaker models expect
SAMPLE_WIDTH = 2  # bytes: s16le

SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(
    {"wav", "mp3", "m4a", "aac", "ogg", "oga", "opus", "flac", "webm", "mp4", "mov"}
)

# ffprobe only reads headers; a minute means it is stuck (a FIFO, a dead network mount).
PROBE_TIMEOUT_SECONDS = 60.0
# Measuring a file whose container has no duration (browser MediaRecorder webm) demuxes without
# decoding: hours of audio take seconds.
MEASURE_TIMEOUT_SECONDS = 300.0
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
# Chunk cutting: the quietest 250 ms window (50 ms hop) is a pause between words, not a stop consonant.
CUT_WINDOW_SECONDS = 0.25
CUT_HOP_SECONDS = 0.05

_READ_BLOCK_WINDOWS = 100  # 10 s of audio per pipe read: flat memory, few Python iterations
# Demuxers that ffprobe happily opens but that hold no recording (an image or text file renamed).
_NOT_MEDIA_FORMATS = frozenset({"image2", "tty", "gif", "apng", "ico", "bmp_pipe", "svg_pipe", "pdf"})
_STDERR_TAIL_CHARS = 2000

# User-facing messages, translated when raised (the worker's active language). Marked with
# gettext_noop so makemessages collects them.
_MESSAGES = {
    "missing": gettext_noop(
        "The uploaded file could not be found on the server. Please upload the recording again."
    ),
    "empty": gettext_noop(
        "This file is empty (0 bytes). Please upload the recording again, exporting it once more from "
        "the recording app if needed."
    ),
    "no_audio_data": gettext_noop(
        "This file contains no audio (its length is 0 seconds). Please upload the recording again."
    ),
    "not_media": gettext_noop(
        "This file is not an audio or video recording (it may be an image or a document with a "
        "recording's file name). Please upload the meeting's audio or video file."
    ),
    "no_audio": gettext_noop(
        "This file contains no audio track, so there is nothing to transcribe. Please upload the "
        "recording's audio or a video with sound."
    ),
    "unsupported_codec": gettext_noop(
        "The audio in this file is in a format that cannot be decoded (%(codec)s). Please convert it "
        "to MP3, M4A or WAV and upload it again."
    ),
    "unsupported_extension": gettext_noop(
        "Files of type “.%(ext)s” cannot be analysed. Please upload a recording in one of these "
        "formats: %(formats)s."
    ),
    "no_extension": gettext_noop(
        "This file has no extension, so its format cannot be recognised. Please upload a recording in "
        "one of these formats: %(formats)s."
    ),
    "too_long": gettext_noop(
        "This recording is %(length)s long, but recordings can be at most %(limit)s. Please split it "
        "into shorter parts and upload them separately."
    ),
    "incomplete": gettext_noop(
        "This file is incomplete (the end of the recording is missing), so it cannot be read. Please "
        "upload the complete file, exporting it once more from the recording app if needed."
    ),
    "truncated": gettext_noop(
        "Only the first %(read)s of this recording (%(total)s in total) could be read: the file seems to be cut "
        "off (for example by an upload or copy that stopped early). Please upload the complete file "
        "again."
    ),
    "silent": gettext_noop(
        "This recording is silent or almost silent, so there is no speech to analyse. Please check "
        "that the microphone was on and not muted, and upload a recording with sound."
    ),
    "decode_failed": gettext_noop(
        "This recording could not be decoded; the file may be damaged. Please export it again from "
        "the recording app, or convert it to MP3 or WAV, and upload it again."
    ),
}


class AudioError(Exception):
    """A recording we cannot use, with a sentence for the rep and ffmpeg's words for the log."""

    CODES = frozenset(
        {
            "empty",
            "not_media",
            "no_audio",
            "too_long",
            "unsupported",
            "truncated",
            "silent",
            "decode_failed",
            "missing",
        }
    )

    def __init__(self, code: str, message: str, detail: str = "") -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown AudioError code {code!r}")
        # Passing every field to Exception keeps the error picklable (Celery sends it between processes).
        super().__init__(code, message, detail)
        self.code = code
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


@dataclass(frozen=True)
class ProbeInfo:
    duration: float  # seconds: audio stream's, else container's, else measured by demuxing
    channels: int
    sample_rate: int
    format_name: str  # ffprobe format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    codec: str  # codec of the first audio stream (the one decode_to_wav uses)
    has_video: bool  # a real video stream (cover art in an mp3/m4a does not count)


@dataclass(frozen=True)
class DecodedAudio:
    path: Path
    duration: float
    channels: int
    sample_rate: int


# --- translation helpers ---------------------------------------------------------------------------


def _translation() -> Any:
    """Django's translation when settings are loaded; English otherwise (CLI, bench scripts)."""
    from django.core.exceptions import ImproperlyConfigured
    from django.utils import translation

    try:
        translation.get_language()  # reads settings.USE_I18N
    except ImproperlyConfigured:
        from django.utils.translation import trans_null as translation
    return translation


def _msg(key: str, **params: object) -> str:
    text = _translation().gettext(_MESSAGES[key])
    return text % params if params else text


def format_duration(seconds: float, *, round_up: bool = False) -> str:
    """Length in words a rep reads at a glance: "2 hours 5 minutes", "12 minutes", "9 seconds".

    From an hour on, seconds are dropped. ``round_up`` rounds up to the last unit shown, so a file
    just over a limit never reads as equal to it ("4 hours 1 minute", not "4 hours").
    """
    t = _translation()
    unit = 60 if seconds >= 3600 else 1
    rounded = math.ceil(seconds / unit) if round_up else round(seconds / unit)
    total = max(0, rounded * unit)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(t.ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes:
        parts.append(t.ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    if secs and not hours:
        parts.append(t.ngettext("%(n)d second", "%(n)d seconds", secs) % {"n": secs})
    if not parts:
        parts.append(t.ngettext("%(n)d second", "%(n)d seconds", 0) % {"n": 0})
    return " ".join(parts)


def _tail(text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return text.strip()[-_STDERR_TAIL_CHARS:]


def _ffmpeg_url(path: Path) -> str:
    # "file:" + absolute path: a name starting with "-" or holding ":" is never read as an option
    # or a protocol.
    return "file:" + str(path.resolve())


# --- extension, probe, validate --------------------------------------------------------------------


def check_extension(filename: str) -> None:
    """Reject a file name whose extension is not a recording format we accept (before any upload work)."""
    formats = ", ".join(sorted(ext.upper() for ext in SUPPORTED_EXTENSIONS))
    name = Path(filename).name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name.strip(".") else ""
    if not ext:
        raise AudioError("unsupported", _msg("no_extension", formats=formats), f"filename={filename!r}")
    if ext not in SUPPORTED_EXTENSIONS:
        raise AudioError(
            "unsupported", _msg("unsupported_extension", ext=ext, formats=formats), f"filename={filename!r}"
        )


def _float_or_none(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
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
        raise AudioError("missing", _msg("missing"), f"no such file: {p}")
    if p.stat().st_size == 0:
        raise AudioError("empty", _msg("empty"), f"0 bytes: {p}")
    cmd = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", _ffmpeg_url(p)]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=PROBE_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AudioError("decode_failed", _msg("decode_failed"), f"ffprobe timed out: {p}") from exc
    except FileNotFoundError as exc:
        raise RuntimeError("ffprobe is not installed (apt-get install ffmpeg)") from exc
    stderr = _tail(proc.stderr)
    if proc.returncode != 0:
        if "moov atom not found" in stderr:
            raise AudioError("truncated", _msg("incomplete"), stderr)
        raise AudioError("not_media", _msg("not_media"), stderr or f"ffprobe exit {proc.returncode}")
    try:
        data = json.loads(proc.stdout or b"{}")
    except ValueError as exc:
        raise AudioError("not_media", _msg("not_media"), f"unreadable ffprobe output: {exc}") from exc
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
            raise AudioError("not_media", _msg("not_media"), f"format={format_name} streams={len(streams)}")
        raise AudioError("no_audio", _msg("no_audio"), f"format={format_name} video streams={len(video)}")
    stream = audio[0]
    codec = str(stream.get("codec_name") or "")
    if not codec or codec == "none":
        raise AudioError(
            "unsupported",
            _msg("unsupported_codec", codec=stream.get("codec_tag_string") or "?"),
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
        "ffmpeg", "-nostdin", "-v", "error", "-i", _ffmpeg_url(path), "-map", "0:a:0", "-c", "copy",
        "-f", "null", "-", "-progress", "pipe:1", "-nostats",
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=MEASURE_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AudioError(
            "decode_failed", _msg("decode_failed"), f"ffmpeg duration scan timed out: {path}"
        ) from exc
    micros = 0
    for line in proc.stdout.decode("ascii", "replace").splitlines():
        key, _, value = line.partition("=")
        if key == "out_time_us" and value.strip().lstrip("-").isdigit():
            micros = max(micros, int(value))
    if proc.returncode != 0 and micros == 0:
        raise AudioError("decode_failed", _msg("decode_failed"), _tail(proc.stderr))
    return micros / 1_000_000


def validate(info: ProbeInfo, *, max_duration_seconds: float) -> None:
    """Refuse a recording of no length (``empty``) or one longer than the limit (``too_long``)."""
    if info.duration <= 0:
        raise AudioError("empty", _msg("no_audio_data"), f"duration={info.duration}")
    if info.duration > max_duration_seconds:
        raise AudioError(
            "too_long",
            _msg(
                "too_long",
                length=format_duration(info.duration, round_up=True),
                limit=format_duration(max_duration_seconds),
            ),
            f"duration={info.duration:.1f}s limit={max_duration_seconds:.0f}s",
        )


# --- decoding --------------------------------------------------------------------------------------


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
    ``silent`` (under ``MIN_SOUND_SECONDS`` of 100 ms windows above ``SILENCE_THRESHOLD_DBFS``).
    """
    if channels not in (1, 2):
        raise ValueError("channels must be 1 or 2")
    src = Path(path)
    out = Path(out_path)
    if not src.is_file():
        raise AudioError("missing", _msg("missing"), f"no such file: {src}")
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        "ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-i", _ffmpeg_url(src),
        "-map", "0:a:0", "-vn", "-sn", "-dn", "-ac", str(channels), "-ar", str(SAMPLE_RATE),
        "-c:a", "pcm_s16le", "-f", "s16le", "pipe:1",
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
            raise AudioError("decode_failed", _msg("decode_failed"), f"ffmpeg timed out after {timeout:.0f}s")
        if run.returncode != 0:
            raise AudioError(
                "decode_failed", _msg("decode_failed"), run.stderr or f"ffmpeg exit {run.returncode}"
            )
        duration = run.frames / SAMPLE_RATE
        if run.frames == 0:
            raise AudioError("empty", _msg("no_audio_data"), run.stderr or "ffmpeg produced no samples")
        if expected_duration and expected_duration > 0:
            missing = expected_duration - duration
            if missing > max(
                TRUNCATION_MIN_MISSING_SECONDS, TRUNCATION_MIN_MISSING_FRACTION * expected_duration
            ):
                read, total = format_duration(duration), format_duration(expected_duration)
                raise AudioError(
                    "truncated",
                    _msg("truncated", read=read, total=total),
                    f"decoded {duration:.2f}s of {expected_duration:.2f}s; {run.stderr}",
                )
        loud_seconds = run.loud_windows * SILENCE_WINDOW_SECONDS
        if loud_seconds < MIN_SOUND_SECONDS:
            detail = f"{loud_seconds:.1f}s above {SILENCE_THRESHOLD_DBFS} dBFS in {duration:.1f}s"
            raise AudioError("silent", _msg("silent"), detail)
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
        stderr = _tail(stderr_file.read())
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


# --- reading and chunking the decoded WAV ----------------------------------------------------------


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
