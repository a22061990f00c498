"""The two Whisper engines: load each model once per process, and decode one window greedily
without conditioning on earlier text. Heavy libraries are imported lazily."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from meetings import whisper_models
from meetings.transcription.config import (
    COMPRESSION_RATIO_CEILING,
    LOGPROB_FLOOR,
    NO_SPEECH_PROB,
    EngineConfig,
    TranscriptionError,
)
from meetings.transcription.segments import RawSegment

if TYPE_CHECKING:
    import numpy as np

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
) -> tuple[str, list[RawSegment]]:
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
            RawSegment(s.start, s.end, s.text, s.avg_logprob, s.no_speech_prob, s.compression_ratio, words)
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
) -> tuple[str, list[RawSegment]]:
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
        RawSegment(
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


def decoder_for(config: EngineConfig) -> Callable[..., tuple[str, list[RawSegment]]]:
    """The decode function of ``config.engine`` (load_model has already refused unknown ones)."""
    return _decode_faster_whisper if config.engine == "faster-whisper" else _decode_openai_whisper
