"""Writes to meetings and transcripts. Views and tasks call these; nothing else saves a Meeting."""

import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings import audio
from meetings.models import Meeting, Segment, TranscriptChunk

logger = logging.getLogger(__name__)

INTERNAL_ERROR_CODE = "internal"
INTERNAL_ERROR_MESSAGE = _(
    "Something went wrong while processing this recording. Try again; if it fails again, tell your admin."
)


def _title_for(filename: str, title: str, file_count: int) -> str:
    stem = Path(filename).stem or filename
    if not title:
        return stem[:200]
    return title[:200] if file_count == 1 else f"{title} – {stem}"[:200]


def meeting_create(
    *,
    owner,
    uploaded_file: UploadedFile,
    title: str = "",
    held_on,
    customer_name: str = "",
    language: str = Meeting.Language.AUTO,
    file_count: int = 1,
) -> Meeting:
    """Check a recording before accepting it, store it and queue it for processing.

    Raises audio.AudioError (with a sentence for the user) for an unsupported, empty, broken or
    too long file; in that case nothing is stored.
    """
    audio.check_extension(uploaded_file.name)
    temporary_path = getattr(uploaded_file, "temporary_file_path", None)
    if temporary_path is not None:
        info = audio.probe(temporary_path())
        audio.validate(info, max_duration_seconds=settings.AIZUCHI_MAX_DURATION_SECONDS)
        duration = info.duration
    else:
        duration = None  # small in-memory uploads (tests, admin) are probed by the worker

    profile = getattr(owner, "profile", None)
    meeting = Meeting(
        owner=owner,
        team_id=profile.team_id if profile is not None else None,
        title=_title_for(uploaded_file.name, title, file_count),
        held_on=held_on,
        customer_name=customer_name[:200],
        language=language,
        original_filename=Path(uploaded_file.name).name[:255],
        size_bytes=uploaded_file.size,
        duration_seconds=duration,
    )
    meeting.full_clean(exclude=["audio"])
    with transaction.atomic():
        meeting.audio.save(uploaded_file.name, uploaded_file, save=False)
        meeting.save()
        transaction.on_commit(lambda: meeting_enqueue(meeting_id=meeting.pk))
    return meeting


def meeting_enqueue(*, meeting_id: int) -> None:
    from meetings.tasks import meeting_prepare_audio

    meeting_prepare_audio.delay(meeting_id)


def meeting_retry(*, meeting: Meeting) -> Meeting:
    """Start a failed meeting again from the beginning; what was stored before stays until replaced."""
    if meeting.status != Meeting.Status.FAILED:
        return meeting
    with transaction.atomic():
        meeting.chunks.all().delete()
        meeting.status = Meeting.Status.QUEUED
        meeting.progress = 0.0
        meeting.error = meeting.error_code = ""
        meeting.chunks_total = meeting.chunks_done = 0
        meeting.save(
            update_fields=[
                "status",
                "progress",
                "error",
                "error_code",
                "chunks_total",
                "chunks_done",
                "updated_at",
            ]
        )
        transaction.on_commit(lambda: meeting_enqueue(meeting_id=meeting.pk))
    return meeting


def meeting_delete(*, meeting: Meeting) -> None:
    folder = Path(settings.MEDIA_ROOT) / meeting.audio_dir
    meeting.delete()
    shutil.rmtree(folder, ignore_errors=True)


def meeting_set_status(meeting: Meeting, status: str, *, progress: float = 0.0) -> None:
    meeting.status = status
    meeting.progress = progress
    meeting.save(update_fields=["status", "progress", "updated_at"])


def meeting_set_progress(meeting: Meeting, progress: float) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(
        progress=max(0.0, min(1.0, progress)), updated_at=timezone.now()
    )


def meeting_fail(*, meeting_id: int, code: str, message: str) -> None:
    """Mark a meeting failed with a sentence for the rep. Its stored transcript, if any, is kept."""
    Meeting.objects.filter(pk=meeting_id).update(
        status=Meeting.Status.FAILED, error_code=code, error=str(message)[:2000], updated_at=timezone.now()
    )


def chunks_replace(*, meeting: Meeting, spans: list[tuple[float, float]]) -> list[TranscriptChunk]:
    with transaction.atomic():
        meeting.chunks.all().delete()
        chunks = TranscriptChunk.objects.bulk_create(
            TranscriptChunk(meeting=meeting, index=i, start=start, end=end)
            for i, (start, end) in enumerate(spans)
        )
        meeting.chunks_total = len(chunks)
        meeting.chunks_done = 0
        meeting.status = Meeting.Status.TRANSCRIBING
        meeting.progress = 0.0
        meeting.save(update_fields=["chunks_total", "chunks_done", "status", "progress", "updated_at"])
    return chunks


def chunk_set_progress(chunk: TranscriptChunk, fraction: float) -> None:
    """Record how far one chunk is, and the meeting's overall transcription progress with it."""
    TranscriptChunk.objects.filter(pk=chunk.pk).update(progress=fraction)
    meeting = chunk.meeting
    total = max(meeting.chunks_total, 1)
    done = sum(c.progress for c in TranscriptChunk.objects.filter(meeting_id=meeting.pk).only("progress"))
    meeting_set_progress(meeting, done / total)


def chunk_complete(*, chunk: TranscriptChunk, language: str, segments: list[dict]) -> bool:
    """Store a chunk's segments; return True when this was the meeting's last chunk to finish.

    Counting is done in the database, so two workers finishing at the same moment cannot both
    (or neither) see themselves as last. A chunk completed twice (a retried task) counts once.
    """
    with transaction.atomic():
        updated = TranscriptChunk.objects.filter(pk=chunk.pk, status=TranscriptChunk.Status.PENDING).update(
            status=TranscriptChunk.Status.DONE, language=language, segments=segments, progress=1.0
        )
        if not updated:
            return False
        Meeting.objects.filter(pk=chunk.meeting_id).update(chunks_done=F("chunks_done") + 1)
        meeting = Meeting.objects.select_for_update().get(pk=chunk.meeting_id)
        return meeting.chunks_done >= meeting.chunks_total


def transcript_replace(*, meeting: Meeting, segments: list[dict], language: str = "") -> None:
    """Replace the meeting's transcript with `segments` (dicts with start, end, text, speaker)."""
    with transaction.atomic():
        meeting.segments.all().delete()
        Segment.objects.bulk_create(
            Segment(
                meeting=meeting,
                index=i,
                start=s["start"],
                end=s["end"],
                text=s["text"],
                speaker=s.get("speaker") or "",
            )
            for i, s in enumerate(segments)
        )
        if language:
            meeting.detected_language = language
            meeting.save(update_fields=["detected_language", "updated_at"])


def speakers_store(*, meeting: Meeting, labels: list[str], method: str, confidence: float | None) -> None:
    with transaction.atomic():
        segments = list(meeting.segments.order_by("index"))
        for segment, label in zip(segments, labels, strict=True):
            segment.speaker = label
        Segment.objects.bulk_update(segments, ["speaker"])
        meeting.speaker_method = method
        meeting.speaker_confidence = confidence
        meeting.save(update_fields=["speaker_method", "speaker_confidence", "updated_at"])


def meeting_mark_done(meeting: Meeting) -> None:
    meeting.status = Meeting.Status.DONE
    meeting.progress = 1.0
    meeting.processed_at = timezone.now()
    meeting.error = meeting.error_code = ""
    meeting.save(update_fields=["status", "progress", "processed_at", "error", "error_code", "updated_at"])


def derived_audio_path(meeting: Meeting) -> Path:
    return Path(default_storage.path(f"{meeting.audio_dir}/audio16k.wav"))
