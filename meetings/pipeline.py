"""The processing pipeline, on one screen.

    upload ─► prepare audio ─► transcribe chunks (in parallel, with word timings)
           ─► assemble transcript ─► attribute speakers (split segments where the speaker
              changes mid-way) ─► detect moments and score (coaching)
    transcript import (.vtt/.srt/.txt) ─► user maps names to rep/customer ─► detect and score

Worker path: tasks.py runs prepare_audio, then one transcribe_chunk per chunk (any number of
transcription workers, GPU ones included, share a meeting), and the worker that finishes the
last chunk runs finish_meeting. Every step is idempotent: running it again replaces its rows.

In-process path: analyse_file runs the same seams for one file without a database (the
`analyze` command).
"""

import logging
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from meetings import audio, selectors, services, speakers, transcription
from meetings.models import Meeting, TranscriptChunk

logger = logging.getLogger(__name__)

Progress = Callable[[str, float], None]


# ── worker path ──────────────────────────────────────────────────────────────────────────────


def prepare_audio(meeting: Meeting) -> list[TranscriptChunk]:
    """Probe and decode the upload to 16 kHz PCM beside it, then split it into chunks."""
    services.meeting_set_status(meeting, Meeting.Status.DECODING)
    source = meeting.audio.path
    info = audio.probe(source)
    audio.validate(info, max_duration_seconds=settings.AIZUCHI_MAX_DURATION_SECONDS)
    decoded = audio.decode_to_wav(
        source,
        services.derived_audio_path(meeting),
        channels=min(info.channels, 2),
        # The length measured at upload counts too: a file damaged since then is caught.
        expected_duration=max(info.duration, meeting.duration_seconds or 0.0),
        on_progress=_throttled(lambda f: services.meeting_set_progress(meeting, f)),
    )
    meeting.duration_seconds = decoded.duration
    meeting.save(update_fields=["duration_seconds", "updated_at"])
    spans = audio.plan_chunks(decoded.path, chunk_seconds=settings.AIZUCHI_CHUNK_SECONDS)
    return services.chunks_replace(meeting=meeting, spans=spans)


def transcribe_chunk(chunk: TranscriptChunk) -> bool:
    """Transcribe one chunk; returns True when it was the meeting's last one."""
    if chunk.status == TranscriptChunk.Status.DONE:
        return False
    meeting = chunk.meeting
    samples = audio.read_samples(services.derived_audio_path(meeting), chunk.start, chunk.end)
    result = transcription.transcribe(
        samples,
        config=transcription.engine_config_from_settings(),
        language=_requested_language(meeting.language),
        offset=chunk.start,
        on_progress=_throttled(lambda f: services.chunk_set_progress(chunk, f)),
    )
    segments = [_segment_dict(s) for s in result.segments]
    return services.chunk_complete(chunk=chunk, language=result.language, segments=segments)


def finish_meeting(meeting: Meeting) -> None:
    """Assemble the chunks into the transcript, attribute speakers, detect moments, score.

    Runs again from the chunks after a worker died anywhere in it: they hold Whisper's segments
    until the meeting is done, and every write below replaces rows."""
    chunks = list(meeting.chunks.order_by("index"))
    if not chunks or any(c.status != TranscriptChunk.Status.DONE for c in chunks):
        return  # a late duplicate: the worker of the last chunk queues the finish
    segments = [segment for chunk in chunks for segment in chunk.segments]
    language = _majority_language(chunks)
    services.transcript_replace(meeting=meeting, segments=segments, language=language)

    services.meeting_set_status(meeting, Meeting.Status.ATTRIBUTING)
    attribution = speakers.attribute_segments(
        services.derived_audio_path(meeting), segments, enrolment=selectors.enrolment_embedding(meeting.owner)
    )
    services.speakers_store(
        meeting=meeting,
        segments=attribution.segments,
        method=attribution.method,
        confidence=attribution.confidence,
    )

    services.meeting_set_status(meeting, Meeting.Status.ANALYSING)
    _coaching().meeting_analyse(meeting=meeting)
    services.meeting_mark_done(meeting)  # removes the chunks too


def analyse_imported(meeting: Meeting) -> None:
    """An imported transcript (speakers mapped by the user): detect moments and score."""
    services.meeting_set_status(meeting, Meeting.Status.ANALYSING)
    _coaching().meeting_analyse(meeting=meeting)
    services.meeting_mark_done(meeting)


# ── in-process path (the analyze command) ────────────────────────────────────────────────────


@dataclass
class FileAnalysis:
    language: str
    duration: float
    segments: list[dict[str, Any]]
    speaker_method: str = ""
    speaker_confidence: float | None = None
    moments: list[dict[str, Any]] = field(default_factory=list)
    kpis: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "duration": round(self.duration, 3),
            "speaker_method": self.speaker_method,
            "speaker_confidence": self.speaker_confidence,
            "segments": self.segments,
            "moments": self.moments,
            "kpis": self.kpis,
        }


def analyse_file(
    path: str | Path,
    *,
    language: str = "auto",
    on_progress: Progress | None = None,
    enrolment: Any = None,
    split_speakers: bool = True,
) -> FileAnalysis:
    """Run the whole pipeline on one file, in this process, with nothing stored.

    `enrolment` is the rep's voice embedding (speakers.voice_embedding) for mono recordings;
    `split_speakers=False` keeps Whisper's segments whole (for comparison).
    """
    report = on_progress or (lambda stage, fraction: None)
    audio.check_extension(str(path))
    info = audio.probe(path)
    audio.validate(info, max_duration_seconds=settings.AIZUCHI_MAX_DURATION_SECONDS)
    config = transcription.engine_config_from_settings()
    with tempfile.TemporaryDirectory(prefix="aizuchi-analyse-") as workdir:
        decoded = audio.decode_to_wav(
            path,
            Path(workdir) / "audio16k.wav",
            channels=min(info.channels, 2),
            expected_duration=info.duration,
            on_progress=lambda f: report("decoding", f),
        )
        spans = audio.plan_chunks(decoded.path, chunk_seconds=settings.AIZUCHI_CHUNK_SECONDS)
        segments: list[dict[str, Any]] = []
        languages: Counter[str] = Counter()
        for start, end in spans:

            def on_chunk_progress(f: float, s: float = start, e: float = end) -> None:
                report("transcribing", (s + f * (e - s)) / max(decoded.duration, 1e-6))

            result = transcription.transcribe(
                audio.read_samples(decoded.path, start, end),
                config=config,
                language=_requested_language(language),
                offset=start,
                on_progress=on_chunk_progress,
            )
            languages[result.language] += int(end - start) + 1
            segments += [_segment_dict(s) for s in result.segments]
        report("attributing", 0.0)
        attribution = speakers.attribute_segments(
            decoded.path, segments, enrolment=enrolment, split=split_speakers
        )
    segments = attribution.segments
    detected = languages.most_common(1)[0][0] if languages else (language if language != "auto" else "")
    analysis = FileAnalysis(
        language=detected,
        duration=decoded.duration,
        segments=[_rounded(s) for s in segments],
        speaker_method=attribution.method,
        speaker_confidence=attribution.confidence,
    )
    report("analysing", 0.0)
    result = _coaching().transcript_analyse(segments=segments, language=detected)
    analysis.moments, analysis.kpis = result["moments"], result["kpis"]
    report("done", 1.0)
    return analysis


# ── helpers ──────────────────────────────────────────────────────────────────────────────────


def _coaching():
    """The one place meetings reaches into coaching: behaviour detection and scoring."""
    from coaching import services as coaching_services

    return coaching_services


def _requested_language(language: str) -> str | None:
    return None if language in ("", Meeting.Language.AUTO) else language


def _majority_language(chunks: list[TranscriptChunk]) -> str:
    weights: dict[str, float] = {}  # seconds per language
    for chunk in chunks:
        if chunk.language:
            weights[chunk.language] = weights.get(chunk.language, 0.0) + chunk.end - chunk.start
    return max(weights, key=weights.__getitem__) if weights else ""


def _segment_dict(segment: transcription.TranscribedSegment) -> dict[str, Any]:
    """A transcribed segment as JSON-ready data (chunks store it), words as [start, end, text]."""
    data: dict[str, Any] = {"start": float(segment.start), "end": float(segment.end), "text": segment.text}
    if segment.words:
        data["words"] = [[round(float(w.start), 3), round(float(w.end), 3), w.text] for w in segment.words]
    return data


def _rounded(segment: dict[str, Any]) -> dict[str, Any]:
    return {
        "start": round(segment["start"], 2),
        "end": round(segment["end"], 2),
        "speaker": segment.get("speaker"),
        "text": segment["text"],
    }


def _throttled(callback: Callable[[float], None], interval: float = 1.0) -> Callable[[float], None]:
    """Progress callbacks fire often; write at most once per `interval` seconds (and at the end)."""
    last = 0.0

    def wrapper(fraction: float) -> None:
        nonlocal last
        now = time.monotonic()
        if fraction >= 1.0 or now - last >= interval:
            last = now
            callback(fraction)

    return wrapper
