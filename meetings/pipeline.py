"""The processing pipeline, on one screen.

    upload ─► prepare audio ─► transcribe chunks (in parallel, with word timings)
           ─► assemble transcript ─► attribute speakers (split segments where the speaker
              changes mid-way) ─► detect moments and score (coaching)
    transcript import (.vtt/.srt/.txt) ─► user maps names to rep/customer ─► detect and score

Worker path: tasks.py runs prepare_audio, then one transcribe_chunk per chunk (any number of
transcription workers, GPU ones included, share a meeting), and the worker that finishes the
last chunk runs finish_meeting. Every step is idempotent: running it again replaces its rows.
Each step fetches what it reads from the storage (meetings.filestore: a local folder or a
bucket) and writes back through it, so workers on different machines share no disk.

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

from meetings import audio, filestore, selectors, services, speakers, transcription
from meetings.models import Meeting, TranscriptChunk

logger = logging.getLogger(__name__)

Progress = Callable[[str, float], None]


# ── worker path ──────────────────────────────────────────────────────────────────────────────


def prepare_audio(meeting: Meeting) -> list[TranscriptChunk]:
    """Probe and decode the upload to 16 kHz PCM beside it, then split it into chunks.

    Works on local copies (fetched from the storage, written back to it), so any worker can run
    it. On a bucket each chunk also gets a WAV of its own: a transcription worker then fetches
    its piece, not the whole recording. The waveform's peaks are stored while the WAV is here.
    """
    services.meeting_set_status(meeting, Meeting.Status.DECODING)
    with (
        filestore.fetched(meeting.audio.name or "") as source,
        filestore.writing(services.derived_audio_name(meeting)) as wav_path,
    ):
        info = audio.probe(source)
        audio.validate(info, max_duration_seconds=settings.AIZUCHI_MAX_DURATION_SECONDS)
        decoded = audio.decode_to_wav(
            source,
            wav_path,
            channels=min(info.channels, 2),
            # The length measured at upload counts too: a file damaged since then is caught.
            expected_duration=max(info.duration, meeting.duration_seconds or 0.0),
            max_duration=settings.AIZUCHI_MAX_DURATION_SECONDS,
            on_progress=_throttled(lambda f: services.meeting_set_progress(meeting, f)),
        )
        spans = audio.plan_chunks(decoded.path, chunk_seconds=settings.AIZUCHI_CHUNK_SECONDS)
        if len(spans) > 1 and not filestore.is_local():
            for index, (start, end) in enumerate(spans):
                with filestore.writing(services.chunk_audio_name(meeting, index)) as piece:
                    audio.write_slice(decoded.path, start, end, piece)
        _coaching().meeting_waveform_store(meeting=meeting, wav_path=decoded.path)
    if services.meeting_files_drop_if_deleted(meeting):
        return []
    meeting.duration_seconds = decoded.duration
    meeting.save(update_fields=["duration_seconds", "updated_at"])
    return services.chunks_replace(meeting=meeting, spans=spans)


def transcribe_chunk(chunk: TranscriptChunk) -> bool:
    """Transcribe one chunk; returns True when it was the meeting's last one."""
    if chunk.status == TranscriptChunk.Status.DONE:
        return False
    meeting = chunk.meeting
    result = transcription.transcribe(
        chunk_samples(chunk),
        config=transcription.engine_config_from_settings(),
        language=_requested_language(meeting.language),
        offset=chunk.start,
        on_progress=_throttled(lambda f: services.chunk_set_progress(chunk, f)),
    )
    segments = [_segment_dict(s) for s in result.segments]
    return services.chunk_complete(chunk=chunk, language=result.language, segments=segments)


def chunk_samples(chunk: TranscriptChunk):
    """The chunk's samples: from its own WAV when prepare_audio stored one, else a slice of the
    meeting's WAV (local storage, a one-chunk meeting)."""
    piece = services.chunk_audio_name(chunk.meeting, chunk.index)
    if not filestore.is_local() and filestore.exists(piece):
        with filestore.fetched(piece) as path:
            return audio.read_samples(path)
    with filestore.fetched(services.derived_audio_name(chunk.meeting)) as path:
        return audio.read_samples(path, chunk.start, chunk.end)


def finish_meeting(meeting: Meeting) -> None:
    """Assemble the chunks into the transcript, attribute speakers, detect moments, score.

    Runs again from the chunks after a worker died anywhere in it: they hold Whisper's segments
    until the meeting is done, and every write below replaces rows."""
    chunks = list(meeting.chunks.order_by("index"))
    if not chunks or any(c.status != TranscriptChunk.Status.DONE for c in chunks):
        return  # a late duplicate: the worker of the last chunk queues the finish
    segments = [segment for chunk in chunks for segment in chunk.segments]
    _require_speech(segments)
    language = _majority_language(chunks)
    services.transcript_replace(meeting=meeting, segments=segments, language=language)

    services.meeting_set_status(meeting, Meeting.Status.ATTRIBUTING)
    with filestore.fetched(services.derived_audio_name(meeting)) as wav_path:
        attribution = speakers.attribute_segments(
            wav_path, segments, enrolment=selectors.enrolment_embedding(meeting.owner)
        )
    services.speakers_store(
        meeting=meeting,
        segments=attribution.segments,
        method=attribution.method,
        confidence=attribution.confidence,
    )

    services.meeting_set_status(meeting, Meeting.Status.ANALYSING)
    _coaching().meeting_analyse(meeting=meeting)
    services.meeting_mark_done(meeting)  # removes the chunk rows too
    filestore.delete_tree(f"{meeting.audio_dir}/chunks")


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
    # Whisper's segments before speakers were attributed (see analyse_file's `transcribed`).
    transcribed: list[dict[str, Any]] = field(default_factory=list)
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
    transcribed: list[dict[str, Any]] | None = None,
) -> FileAnalysis:
    """Run the whole pipeline on one file, in this process, with nothing stored.

    `enrolment` is the rep's voice embedding (speakers.voice_embedding) for mono recordings;
    `split_speakers=False` keeps Whisper's segments whole (for comparison); `transcribed` is
    this file's FileAnalysis.transcribed from an earlier run, so that a benchmark measures a
    change in speakers or detection without running Whisper again.
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
            max_duration=settings.AIZUCHI_MAX_DURATION_SECONDS,
            on_progress=lambda f: report("decoding", f),
        )
        spans = audio.plan_chunks(decoded.path, chunk_seconds=settings.AIZUCHI_CHUNK_SECONDS)
        segments: list[dict[str, Any]] = list(transcribed or [])
        languages: Counter[str] = Counter()
        if transcribed is not None:
            spans, languages[_requested_language(language) or ""] = [], 1
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
        raw = [dict(s) for s in segments]
        _require_speech(segments)
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
        transcribed=raw,
    )
    report("analysing", 0.0)
    result = _coaching().transcript_analyse(segments=segments, language=detected)
    analysis.moments, analysis.kpis = result["moments"], result["kpis"]
    report("done", 1.0)
    return analysis


# ── helpers ──────────────────────────────────────────────────────────────────────────────────


def _coaching():
    """The one place meetings reaches into coaching: behaviour detection, scoring, waveform peaks."""
    from coaching import services as coaching_services

    return coaching_services


def _require_speech(segments: list[dict[str, Any]]) -> None:
    """A recording the recogniser found no words in (a tone, hold music, noise) ends as silence
    does: failed with "no speech found", not done with an empty transcript that would count in
    the rep's KPIs and trends as a meeting where nobody spoke."""
    if not any(str(s.get("text", "")).strip() for s in segments):
        raise audio.AudioError("no_speech", "no_speech", detail="the recogniser found no words")


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
