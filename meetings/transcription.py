"""The one seam for Whisper: faster-whisper (default) or openai-whisper behind ``transcribe``.

Both engines get exactly the same input: one voice-activity detector cuts the recording into
speech regions, the regions are packed into windows of at most 30 s of speech, and each
window is decoded greedily without conditioning on earlier text. Silence never reaches the
decoder, which is where Whisper invents 「ご視聴ありがとうございました」 and "Thanks for
watching". What still slips through is dropped by the engine's own confidence figures and
by a short list of known phrases. Heavy libraries are imported lazily; no ORM here.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from meetings import whisper_models

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000
WINDOW_SECONDS = 30.0

# VAD tuned to keep short backchannels (「はい」 is ~0.25 s): no minimum speech length to
# speak of, 0.4 s padding (less clips word onsets: CER 27% → 21% on Common Voice ja),
# and gaps shorter than 1 s kept inside a region.
VAD_THRESHOLD = 0.5
VAD_MIN_SPEECH_MS = 100
VAD_MIN_SILENCE_MS = 1000
VAD_SPEECH_PAD_MS = 400
VAD_MAX_SPEECH_S = WINDOW_SECONDS - 1.0

# Whisper's own thresholds, applied per segment as well as per window.
NO_SPEECH_PROB = 0.6
LOGPROB_FLOOR = -1.0
COMPRESSION_RATIO_CEILING = 2.4

# Phrases Whisper produces from silence or music (subtitle credits of its training data).
# Matched against the whole segment after normalisation, so real speech containing them
# inside a sentence survives.
HALLUCINATION_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"^(ご視聴|ご清聴)(いただき|頂き)?(本当に)?ありがとうございました$",
        r"^(最後まで)?(ご視聴|ご覧)(いただき|頂き)?ありがとうございました$",
        r"^(ぜひ|是非)?チャンネル登録.*$",
        r"^.*(高評価|グッドボタン).*(お願いします|よろしく).*$",
        r"^字幕.*$",
        r"^(作成|提供|翻訳|編集)(者)?[:：].*$",
        r"^おやすみなさい$",
        r"^(thanks|thank you)( so much| very much)? for watching.*$",
        r"^(please )?(like and )?subscribe.*$",
        r"^subtitles? by .*$",
        r"^(transcription|translated|subtitled|captions?) by .*$",
        r"^.*amara\.org.*$",
        r"^(you|\.+)$",
    )
)
_REPEATED_UNIT = re.compile(r"(.{2,}?)\1{3,}")


@dataclass(frozen=True)
class Word:
    """One word (in Japanese: one token, often one or two characters) with Whisper's timing.

    ``text`` keeps the engine's spacing (English words carry a leading space, Japanese ones
    none), so ``"".join(w.text for w in words).strip()`` gives the segment's text back.
    """

    start: float  # seconds, absolute within the recording
    end: float
    text: str


@dataclass(frozen=True)
class TranscribedSegment:
    start: float  # seconds, absolute within the recording (offset applied)
    end: float
    text: str
    # Word timings, when the engine produced them: speaker attribution splits a segment where
    # the speaker changes mid-way. Empty when unknown (older chunks, text rewritten by cleaning).
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Transcript:
    language: str  # detected or forced, e.g. "ja", "en"; "" when nothing was spoken
    segments: list[TranscribedSegment]


@dataclass(frozen=True)
class EngineConfig:
    engine: str  # "faster-whisper" | "openai-whisper"
    model: str  # "base" | "tiny.en" | path | hub name
    model_dir: str
    offline: bool
    device: str  # "cpu" | "cuda" | "auto"
    compute_type: str  # e.g. "int8" (faster-whisper); openai-whisper: fp32 on cpu, fp16 on cuda
    cpu_threads: int  # 0 = library default
    beam_size: int
    vad: bool
    # Word timings cost some decoding time (see bench/transcribe) and let speaker attribution
    # split a segment where the speaker changes; both engines honour it.
    word_timestamps: bool = True


class TranscriptionError(RuntimeError):
    """Transcription could not run; the message says what to change."""


def engine_config_from_settings() -> EngineConfig:
    from django.conf import settings

    return EngineConfig(
        engine=settings.AIZUCHI_WHISPER_ENGINE,
        model=settings.AIZUCHI_WHISPER_MODEL,
        model_dir=str(settings.AIZUCHI_WHISPER_MODEL_DIR),
        offline=settings.AIZUCHI_WHISPER_OFFLINE,
        device=settings.AIZUCHI_WHISPER_DEVICE,
        compute_type=settings.AIZUCHI_WHISPER_COMPUTE_TYPE,
        cpu_threads=settings.AIZUCHI_WHISPER_CPU_THREADS,
        beam_size=settings.AIZUCHI_WHISPER_BEAM_SIZE,
        vad=settings.AIZUCHI_VAD,
    )


# ---------------------------------------------------------------------------------------------
# Voice activity: one detector for both engines
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    """A stretch of the recording placed at ``window_start`` inside a decoding window."""

    start: int  # sample index in the recording
    end: int
    window_start: int  # sample index inside the window


def speech_regions(samples: np.ndarray) -> list[tuple[int, int]]:
    """Sample ranges that contain speech, by Silero VAD (the ONNX model bundled with faster-whisper)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        threshold=VAD_THRESHOLD,
        min_speech_duration_ms=VAD_MIN_SPEECH_MS,
        max_speech_duration_s=VAD_MAX_SPEECH_S,
        min_silence_duration_ms=VAD_MIN_SILENCE_MS,
        speech_pad_ms=VAD_SPEECH_PAD_MS,
    )
    stamps = get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)
    return [(int(s["start"]), int(s["end"])) for s in stamps if s["end"] > s["start"]]


def pack_windows(
    regions: Sequence[tuple[int, int]], *, window_seconds: float = WINDOW_SECONDS
) -> list[list[_Piece]]:
    """Group consecutive speech regions so each window holds at most ``window_seconds`` of speech."""
    limit = int(window_seconds * SAMPLE_RATE)
    windows: list[list[_Piece]] = []
    current: list[_Piece] = []
    filled = 0
    for start, end in regions:
        length = end - start
        if current and filled + length > limit:
            windows.append(current)
            current, filled = [], 0
        current.append(_Piece(start=start, end=end, window_start=filled))
        filled += length
    if current:
        windows.append(current)
    return windows


def _to_recording_time(t: float, pieces: Sequence[_Piece], *, is_end: bool) -> float:
    """Map a time inside a window back to the recording (sample-accurate, piecewise linear)."""
    pos = t * SAMPLE_RATE
    chosen = pieces[0]
    for piece in pieces:
        boundary = piece.window_start
        if pos > boundary or (not is_end and pos >= boundary):
            chosen = piece
    length = chosen.end - chosen.start
    inside = min(max(pos - chosen.window_start, 0.0), float(length))
    return (chosen.start + inside) / SAMPLE_RATE


# ---------------------------------------------------------------------------------------------
# Engines
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RawSegment:
    start: float
    end: float
    text: str
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    compression_ratio: float | None = None
    words: tuple[tuple[float, float, str], ...] = ()  # window time


_models: dict[tuple[Any, ...], Any] = {}
_models_lock = threading.Lock()


def _model_key(config: EngineConfig) -> tuple[Any, ...]:
    return (
        config.engine,
        config.model,
        config.model_dir,
        config.offline,
        config.device,
        config.compute_type,
        config.cpu_threads,
    )


def load_model(config: EngineConfig) -> Any:
    """The engine's model for ``config``, loaded once per process."""
    key = _model_key(config)
    with _models_lock:
        if key not in _models:
            if config.engine == "faster-whisper":
                _models[key] = _load_faster_whisper(config)
            elif config.engine == "openai-whisper":
                _models[key] = _load_openai_whisper(config)
            else:
                raise TranscriptionError(
                    f"Unknown Whisper engine {config.engine!r}: set AIZUCHI_WHISPER_ENGINE to "
                    "'faster-whisper' or 'openai-whisper'."
                )
        return _models[key]


def _load_faster_whisper(config: EngineConfig) -> Any:
    from faster_whisper import WhisperModel

    source = whisper_models.resolve_ct2_model(
        config.model, model_dir=config.model_dir, offline=config.offline
    )
    return WhisperModel(
        source,
        device=config.device,
        compute_type=config.compute_type,
        cpu_threads=config.cpu_threads,
        download_root=None if config.offline else config.model_dir,
        local_files_only=config.offline,
    )


def _openai_device(config: EngineConfig) -> str:
    if config.device != "auto":
        return config.device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _load_openai_whisper(config: EngineConfig) -> Any:
    import torch

    if config.cpu_threads:
        torch.set_num_threads(config.cpu_threads)
    source = whisper_models.resolve_openai_checkpoint(
        config.model, model_dir=config.model_dir, offline=config.offline
    )
    return whisper_models.load_openai_model(
        source, device=_openai_device(config), download_root=config.model_dir
    )


def _decode_faster_whisper(
    model: Any,
    audio: np.ndarray,
    *,
    config: EngineConfig,
    language: str | None,
    on_segment: Callable[[float], None],
) -> tuple[str, list[_RawSegment]]:
    segments, info = model.transcribe(
        audio,
        language=language,
        task="transcribe",
        beam_size=config.beam_size,
        best_of=1,
        temperature=0.0,
        condition_on_previous_text=False,
        vad_filter=False,
        without_timestamps=False,
        word_timestamps=config.word_timestamps,
        compression_ratio_threshold=COMPRESSION_RATIO_CEILING,
        log_prob_threshold=LOGPROB_FLOOR,
        no_speech_threshold=NO_SPEECH_PROB,
    )
    raw = []
    for s in segments:
        words = tuple((w.start, w.end, w.word) for w in (s.words or ()))
        raw.append(
            _RawSegment(s.start, s.end, s.text, s.avg_logprob, s.no_speech_prob, s.compression_ratio, words)
        )
        on_segment(s.end)
    return info.language, raw


def _decode_openai_whisper(
    model: Any,
    audio: np.ndarray,
    *,
    config: EngineConfig,
    language: str | None,
    on_segment: Callable[[float], None],
) -> tuple[str, list[_RawSegment]]:
    result = model.transcribe(
        audio,
        language=language,
        task="transcribe",
        beam_size=config.beam_size if config.beam_size > 1 else None,
        best_of=None,
        temperature=0.0,
        condition_on_previous_text=False,
        word_timestamps=config.word_timestamps,
        compression_ratio_threshold=COMPRESSION_RATIO_CEILING,
        logprob_threshold=LOGPROB_FLOOR,
        no_speech_threshold=NO_SPEECH_PROB,
        fp16=_openai_device(config) == "cuda",
        verbose=None,
    )
    raw = [
        _RawSegment(
            s["start"],
            s["end"],
            s["text"],
            s.get("avg_logprob"),
            s.get("no_speech_prob"),
            s.get("compression_ratio"),
            tuple((w["start"], w["end"], w["word"]) for w in s.get("words") or ()),
        )
        for s in result["segments"]
    ]
    if raw:
        on_segment(raw[-1].end)
    return result["language"], raw


# ---------------------------------------------------------------------------------------------
# Cleaning
# ---------------------------------------------------------------------------------------------


def _normalise_for_match(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().strip()
    return re.sub(r"[\s。、．，,.!！?？♪「」『』()（）~〜ー-]+$", "", re.sub(r"^[\s♪「『(（-]+", "", text))


def is_hallucination(text: str) -> bool:
    """True for text Whisper is known to invent on silence (whole-segment match)."""
    norm = _normalise_for_match(text)
    return not norm or any(p.match(norm) for p in HALLUCINATION_PATTERNS)


def _compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / max(1, len(zlib.compress(data)))


def collapse_repeats(text: str) -> str:
    """「はいはいはいはいはい…」 loops → one unit; up to three genuine repeats are kept."""
    return _REPEATED_UNIT.sub(r"\1", text)


def _keep(seg: _RawSegment) -> bool:
    silent = seg.no_speech_prob is not None and seg.no_speech_prob > NO_SPEECH_PROB
    unsure = seg.avg_logprob is not None and seg.avg_logprob < LOGPROB_FLOOR
    if silent and unsure:
        return False
    ratio = seg.compression_ratio if seg.compression_ratio is not None else _compression_ratio(seg.text)
    if ratio > COMPRESSION_RATIO_CEILING:
        return False
    return not is_hallucination(seg.text)


def clean_segments(segments: Iterable[TranscribedSegment]) -> list[TranscribedSegment]:
    """Sort, strip, collapse loops, drop empties, and drop runs of 3+ identical lines to one."""
    out: list[TranscribedSegment] = []
    run = 0
    for seg in sorted(segments, key=lambda s: (s.start, s.end)):
        text = collapse_repeats(seg.text.strip())
        if not text or is_hallucination(text):
            continue
        if out and out[-1].text == text:
            run += 1
            if run >= 2:
                continue
        else:
            run = 0
        # Words stay only while they still spell the segment's text (a collapsed loop does not).
        words = seg.words if "".join(w.text for w in seg.words).strip() == text else ()
        out.append(TranscribedSegment(start=seg.start, end=max(seg.end, seg.start), text=text, words=words))
    return out


# ---------------------------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------------------------


def transcribe(
    samples: np.ndarray,
    *,
    config: EngineConfig,
    language: str | None = None,
    offset: float = 0.0,
    on_progress: Callable[[float], None] | None = None,
) -> Transcript:
    """Transcribe float32 mono 16 kHz ``samples``; times are ``offset`` + seconds into them.

    ``language=None`` detects the language once, on the first window of speech, and keeps it
    for the rest so one recording never switches language mid-way.
    """
    import numpy as np

    audio = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
    total = len(audio)
    progress = on_progress or (lambda _fraction: None)
    model = load_model(config)  # first, so a wrong model setting fails even on a silent chunk
    if total == 0:
        progress(1.0)
        return Transcript(language=language or "", segments=[])

    if config.vad:
        regions = speech_regions(audio)
        windows = pack_windows(regions)
    else:
        windows = [[_Piece(start=0, end=total, window_start=0)]]

    if not windows:
        progress(1.0)
        return Transcript(language=language or "", segments=[])

    decode = _decode_faster_whisper if config.engine == "faster-whisper" else _decode_openai_whisper
    found: list[TranscribedSegment] = []
    for pieces in windows:
        chunk = np.concatenate([audio[p.start : p.end] for p in pieces])

        def on_segment(t: float, pieces: Sequence[_Piece] = pieces) -> None:
            progress(min(1.0, _to_recording_time(t, pieces, is_end=True) * SAMPLE_RATE / total))

        detected, raw = decode(model, chunk, config=config, language=language, on_segment=on_segment)
        language = language or detected
        for seg in raw:
            if not _keep(seg):
                continue
            start = _to_recording_time(seg.start, pieces, is_end=False)
            end = _to_recording_time(seg.end, pieces, is_end=True)
            words = tuple(
                Word(
                    start=offset + _to_recording_time(ws, pieces, is_end=False),
                    end=offset + _to_recording_time(max(we, ws), pieces, is_end=True),
                    text=wt,
                )
                for ws, we, wt in seg.words
            )
            found.append(
                TranscribedSegment(start=offset + start, end=offset + end, text=seg.text, words=words)
            )
        progress(min(1.0, pieces[-1].end / total))
    progress(1.0)
    return Transcript(language=language or "", segments=clean_segments(found))
