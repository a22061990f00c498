"""The one seam for Whisper: faster-whisper (default) or openai-whisper behind ``transcribe``.

Both engines get exactly the same input: one voice-activity detector cuts the recording into
speech regions, the regions are packed into windows of at most 30 s of speech, and each
window is decoded greedily without conditioning on earlier text. Silence never reaches the
decoder, which is where Whisper invents 「ご視聴ありがとうございました」 and "Thanks for
watching". What still slips through is dropped by the engine's own confidence figures and
by a short list of known phrases. Heavy libraries are imported lazily; no ORM here.

config (EngineConfig, thresholds) → windows (VAD, packing) → engines (load, decode) →
cleanup (hallucination filter); ``transcribe`` below runs them in that order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from meetings.transcription.cleanup import clean_segments, collapse_repeats, is_hallucination, worth_keeping
from meetings.transcription.config import EngineConfig, TranscriptionError, engine_config_from_settings
from meetings.transcription.engines import decoder_for, load_model
from meetings.transcription.islands import decode_islands
from meetings.transcription.segments import TranscribedSegment, Transcript, Word
from meetings.transcription.windows import SAMPLE_RATE, Piece, pack_windows, speech_regions, to_recording_time

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "SAMPLE_RATE",
    "EngineConfig",
    "TranscribedSegment",
    "Transcript",
    "TranscriptionError",
    "Word",
    "clean_segments",
    "collapse_repeats",
    "engine_config_from_settings",
    "is_hallucination",
    "load_model",
    "pack_windows",
    "speech_regions",
    "transcribe",
]


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
        windows = [[Piece(start=0, end=total, window_start=0)]]

    if not windows:
        progress(1.0)
        return Transcript(language=language or "", segments=[])

    decode = decoder_for(config)
    found: list[TranscribedSegment] = []
    for pieces in windows:
        chunk = np.concatenate([audio[p.start : p.end] for p in pieces])

        def on_segment(t: float, pieces: Sequence[Piece] = pieces) -> None:
            progress(min(1.0, to_recording_time(t, pieces, is_end=True) * SAMPLE_RATE / total))

        detected, raw = decode(model, chunk, config=config, language=language, on_segment=on_segment)
        language = language or detected
        for seg in raw:
            if not worth_keeping(seg):
                continue
            start = to_recording_time(seg.start, pieces, is_end=False)
            end = to_recording_time(seg.end, pieces, is_end=True)
            words = tuple(
                Word(
                    start=offset + to_recording_time(ws, pieces, is_end=False),
                    end=offset + to_recording_time(max(we, ws), pieces, is_end=True),
                    text=wt,
                )
                for ws, we, wt in seg.words
            )
            found.append(
                TranscribedSegment(start=offset + start, end=offset + end, text=seg.text, words=words)
            )
        progress(min(1.0, pieces[-1].end / total))
    if config.vad and config.islands:
        found += decode_islands(
            audio, found, model=model, decode=decode, config=config, language=language, offset=offset
        )
    progress(1.0)
    return Transcript(language=language or "", segments=clean_segments(found))
