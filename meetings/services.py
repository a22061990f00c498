"""Writes to meetings and transcripts. Views and tasks call these; nothing else saves a Meeting."""

import logging
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from meetings import audio, filestore, signals
from meetings.failures import INTERNAL_ERROR_CODE as INTERNAL_ERROR_CODE  # callers name it here
from meetings.failures import INTERNAL_ERROR_MESSAGE as INTERNAL_ERROR_MESSAGE
from meetings.failures import failure_fields
from meetings.models import Meeting, Segment, TranscriptChunk

logger = logging.getLogger(__name__)


def _upload_name(uploaded_file: UploadedFile) -> str:
    """The client's file name (Django builds an UploadedFile only for a part that has one)."""
    assert uploaded_file.name is not None
    return uploaded_file.name


def _title_for(filename: str, title: str, file_count: int) -> str:
    stem = Path(filename).stem or filename
    if not title:
        return stem[:200]
    return title[:200] if file_count == 1 else f"{title} – {stem}"[:200]


def _meeting_new(
    *, owner, filename: str, title: str, held_on, customer_name: str, language: str, file_count: int, **fields
) -> Meeting:
    """An unsaved, validated Meeting for an uploaded file, on its owner's team."""
    profile = getattr(owner, "profile", None)
    meeting = Meeting(
        owner=owner,
        team_id=profile.team_id if profile is not None else None,
        title=_title_for(filename, title, file_count),
        held_on=held_on,
        customer_name=customer_name[:200],
        language=language,
        original_filename=Path(filename).name[:255],
        **fields,
    )
    meeting.full_clean(exclude=["audio"])
    return meeting


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
    name = _upload_name(uploaded_file)
    audio.check_extension(name)
    temporary_path = getattr(uploaded_file, "temporary_file_path", None)
    if temporary_path is not None:
        info = audio.probe(temporary_path())
        audio.validate(info, max_duration_seconds=settings.AIZUCHI_MAX_DURATION_SECONDS)
        duration = info.duration
    else:
        duration = None  # small in-memory uploads (tests, admin) are probed by the worker

    meeting = _meeting_new(
        owner=owner,
        filename=name,
        title=title,
        held_on=held_on,
        customer_name=customer_name,
        language=language,
        file_count=file_count,
        size_bytes=uploaded_file.size,
        duration_seconds=duration,
    )
    with transaction.atomic():
        meeting.audio.save(name, uploaded_file, save=False)
        meeting.save()
        transaction.on_commit(lambda: meeting_enqueue(meeting_id=meeting.pk))
    return meeting


def meeting_create_from_upload(*, uploaded_file: UploadedFile, **fields) -> Meeting:
    """An uploaded file becomes a meeting: a transcript export (.vtt, .srt, .txt) is imported
    without Whisper, anything else is a recording. Raises AudioError or TranscriptImportError."""
    from meetings.forms import TRANSCRIPT_EXTENSIONS

    name = _upload_name(uploaded_file)
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in TRANSCRIPT_EXTENSIONS:
        from meetings.transcript_import import meeting_import_transcript

        return meeting_import_transcript(uploaded_file=uploaded_file, **fields)
    return meeting_create(uploaded_file=uploaded_file, **fields)


def meeting_enqueue(*, meeting_id: int) -> None:
    from meetings.tasks import meeting_prepare_audio

    meeting_prepare_audio.delay(meeting_id)


def meeting_reanalyse_enqueue(*, meeting_id: int) -> None:
    from meetings.tasks import meeting_reanalyse

    meeting_reanalyse.delay(meeting_id)


def meeting_analyse_enqueue(*, meeting_id: int) -> None:
    from meetings.tasks import meeting_analyse_transcript

    meeting_analyse_transcript.delay(meeting_id)


def meeting_retry(*, meeting: Meeting) -> Meeting:
    """Start a failed meeting again from the beginning; what was stored before stays until replaced."""
    if meeting.status != Meeting.Status.FAILED:
        return meeting
    with transaction.atomic():
        meeting.chunks.all().delete()
        meeting.status = Meeting.Status.QUEUED
        meeting.progress = 0.0
        meeting.error = meeting.error_code = meeting.error_key = ""
        meeting.error_params = {}
        meeting.chunks_total = meeting.chunks_done = meeting.attempts = 0
        meeting.heartbeat_at = None
        meeting.save(
            update_fields=[
                "status",
                "progress",
                "error",
                "error_code",
                "error_key",
                "error_params",
                "chunks_total",
                "chunks_done",
                "attempts",
                "heartbeat_at",
                "updated_at",
            ]
        )
        if meeting.audio:
            transaction.on_commit(lambda: meeting_enqueue(meeting_id=meeting.pk))
        else:  # an imported transcript: only the analysis can have failed
            transaction.on_commit(lambda: meeting_analyse_enqueue(meeting_id=meeting.pk))
    return meeting


def meeting_delete(*, meeting: Meeting) -> None:
    """Delete the meeting and every stored file of it: the recording, its derived audio and
    waveform (an imported transcript has none)."""
    folder = meeting.audio_dir
    meeting.delete()
    filestore.delete_tree(folder)


def meeting_files_drop_if_deleted(meeting: Meeting) -> bool:
    """True when the meeting was deleted while a worker wrote its derived files; those files
    are removed then, so a deletion leaves nothing in the storage."""
    if Meeting.objects.filter(pk=meeting.pk).exists():
        return False
    filestore.delete_tree(meeting.audio_dir)
    return True


def meeting_set_status(meeting: Meeting, status: str, *, progress: float = 0.0) -> None:
    meeting.status = status
    meeting.progress = progress
    meeting.save(update_fields=["status", "progress", "updated_at"])


def meeting_set_progress(meeting: Meeting, progress: float) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(
        progress=max(0.0, min(1.0, progress)), updated_at=timezone.now()
    )


def meeting_fail(
    *, meeting_id: int, code: str, key: str = "", params: dict | None = None, message: str = ""
) -> None:
    """Mark a meeting failed. ``key`` and ``params`` make the sentence each reader sees in their own
    language (meetings.failures); ``message`` is for a failure that has no key. Its stored
    transcript, if any, is kept.

    Several chunk tasks may fail the same meeting: `meeting_failed` is sent only by the first."""
    fields = {
        "updated_at": timezone.now(),
        **failure_fields(code=code, key=key, params=params, message=message),
    }
    newly = (
        Meeting.objects.filter(pk=meeting_id)
        .exclude(status=Meeting.Status.FAILED)
        .update(status=Meeting.Status.FAILED, **fields)
    )
    if not newly:
        Meeting.objects.filter(pk=meeting_id).update(**fields)
        return
    transaction.on_commit(
        lambda: signals.meeting_failed.send(
            sender=Meeting, meeting_id=meeting_id, code=code, message=fields.get("error", message)
        ),
        robust=True,  # a listener's error is logged; it never fails the meeting's task
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
        meeting.attempts = 0  # decoding is done: the next meeting-wide step counts its own starts
        meeting.save(
            update_fields=["chunks_total", "chunks_done", "status", "progress", "attempts", "updated_at"]
        )
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
        updated = TranscriptChunk.objects.filter(
            pk=chunk.pk, status__in=(TranscriptChunk.Status.PENDING, TranscriptChunk.Status.RUNNING)
        ).update(status=TranscriptChunk.Status.DONE, language=language, segments=segments, progress=1.0)
        if not updated:
            return False
        # The meeting beats for the finish from here (meetings.recovery): should this worker die
        # before queuing it, the reaper does.
        Meeting.objects.filter(pk=chunk.meeting_id).update(
            chunks_done=F("chunks_done") + 1, heartbeat_at=timezone.now()
        )
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


def speakers_store(*, meeting: Meeting, segments: list[dict], method: str, confidence: float | None) -> None:
    """Replace the transcript with its attributed segments (split where the speaker changes).
    A fresh attribution has not been checked by anyone yet."""
    with transaction.atomic():
        transcript_replace(meeting=meeting, segments=segments)
        meeting.speaker_method = method
        meeting.speaker_confidence = confidence
        meeting.speakers_checked = False
        meeting.save(update_fields=["speaker_method", "speaker_confidence", "speakers_checked", "updated_at"])


def meeting_mark_done(meeting: Meeting) -> None:
    """Done, and its work rows (chunks) gone with it, in one transaction: a worker killed in
    between leaves a meeting that can still be finished from its chunks."""
    with transaction.atomic():
        meeting.chunks.all().delete()
        meeting.status = Meeting.Status.DONE
        meeting.progress = 1.0
        meeting.processed_at = timezone.now()
        meeting.error = meeting.error_code = meeting.error_key = ""
        meeting.error_params = {}
        meeting.attempts = 0
        meeting.save(
            update_fields=[
                "status", "progress", "processed_at", "error", "error_code", "error_key", "error_params",
                "attempts", "updated_at",
            ]
        )  # fmt: skip
    transaction.on_commit(
        lambda: signals.meeting_analysed.send(sender=Meeting, meeting_id=meeting.pk),
        robust=True,  # a listener's error is logged; it never fails the meeting
    )


def derived_audio_name(meeting: Meeting) -> str:
    """Storage name of the 16 kHz WAV that prepare_audio leaves for every later step."""
    return f"{meeting.audio_dir}/audio16k.wav"


def chunk_audio_name(meeting: Meeting, index: int) -> str:
    """Storage name of one chunk's own WAV, so a worker fetches only its piece from a bucket."""
    return f"{meeting.audio_dir}/chunks/{index:04d}.wav"


def meeting_outcome_set(*, meeting: Meeting, outcome: str) -> Meeting:
    """Record how the deal went ("" clears it); only the outcome changes, no re-analysis."""
    if outcome not in {"", *Meeting.Outcome.values}:
        raise ValueError(f"unknown outcome {outcome!r}")
    meeting.outcome = outcome
    meeting.outcome_updated_at = timezone.now()
    meeting.save(update_fields=["outcome", "outcome_updated_at", "updated_at"])
    return meeting
