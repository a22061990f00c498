"""Celery tasks: each takes an id, loads the row and calls one pipeline step.

Tasks own only retries and failure. A failure leaves the meeting FAILED with a code and the key
and params of a sentence (audio errors say exactly what is wrong with the file), which each reader
sees in their own language (meetings.failures); it can be retried from the page.
"""

import logging

from celery import Task, shared_task
from django.db import transaction

from meetings import pipeline, services
from meetings.audio import AudioError
from meetings.models import Meeting, TranscriptChunk

logger = logging.getLogger(__name__)


class MeetingTask(Task):
    """Marks the meeting failed when the step raises, whatever the step. No language is needed
    here: what is stored is a code and params, made into a sentence by whoever reads it."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        meeting_id = self._meeting_id(*args, **kwargs)
        if meeting_id is None:
            return
        if isinstance(exc, AudioError):
            logger.info("meeting %s: %s (%s)", meeting_id, exc.code, exc.detail)
            services.meeting_fail(meeting_id=meeting_id, code=exc.code, key=exc.key, params=exc.params)
        else:
            logger.error("meeting %s failed in %s: %r", meeting_id, self.name, exc, exc_info=einfo.exc_info)
            services.meeting_fail(meeting_id=meeting_id, code=services.INTERNAL_ERROR_CODE)

    def _meeting_id(self, *args, **kwargs):
        return args[0] if args else kwargs.get("meeting_id")


class ChunkTask(MeetingTask):
    def _meeting_id(self, *args, **kwargs):
        chunk_id = args[0] if args else kwargs.get("chunk_id")
        return TranscriptChunk.objects.filter(pk=chunk_id).values_list("meeting_id", flat=True).first()


@shared_task(base=MeetingTask, acks_late=True)
def meeting_prepare_audio(meeting_id: int) -> None:
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:  # deleted while queued
        return
    chunks = pipeline.prepare_audio(meeting)
    transaction.on_commit(lambda: [meeting_transcribe_chunk.delay(c.pk) for c in chunks])


@shared_task(base=ChunkTask, acks_late=True)
def meeting_transcribe_chunk(chunk_id: int) -> None:
    chunk = TranscriptChunk.objects.select_related("meeting").filter(pk=chunk_id).first()
    if chunk is None or chunk.meeting.status == Meeting.Status.FAILED:
        return
    if pipeline.transcribe_chunk(chunk):
        meeting_finish.delay(chunk.meeting_id)


@shared_task(base=MeetingTask, acks_late=True)
def meeting_finish(meeting_id: int) -> None:
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        return
    pipeline.finish_meeting(meeting)


@shared_task(base=MeetingTask, acks_late=True)
def meeting_reanalyse(meeting_id: int) -> None:
    """Re-run behaviour detection only (after a rule change or a speaker fix)."""
    meeting = Meeting.objects.filter(pk=meeting_id, status=Meeting.Status.DONE).first()
    if meeting is None:
        return
    from coaching.services import meeting_analyse

    meeting_analyse(meeting=meeting)


@shared_task(base=MeetingTask, acks_late=True)
def meeting_analyse_transcript(meeting_id: int) -> None:
    """An imported transcript, its speakers mapped: detect moments and score (no audio, no Whisper)."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        return
    pipeline.analyse_imported(meeting)
