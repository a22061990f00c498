"""How Whisper runs: the engine settings (from Django settings), and the confidence thresholds
that the engines and the cleanup share."""

from __future__ import annotations

from dataclasses import dataclass

# Whisper's own thresholds, applied per segment as well as per window.
NO_SPEECH_PROB = 0.6
LOGPROB_FLOOR = -1.0
COMPRESSION_RATIO_CEILING = 2.4


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
    # Speech the window decode left without a word is decoded again on its own
    # (transcription.islands): the backchannels Whisper skips between the other's sentences.
    islands: bool = True


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
        islands=settings.AIZUCHI_VAD and settings.AIZUCHI_ASR_ISLANDS,
    )
