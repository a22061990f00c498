"""Celery tasks: each takes an id, loads the row and calls one pipeline step.

Tasks own only retries and failure. A failure leaves the meeting FAILED with a code and the key
and params of a sentence (audio errors say exactly what is wrong with the file), which each reader
sees in their own language (meetings.failures); it can be retried from the page. A worker
killed mid-step is covered by meetings.recovery: each step claims its row, beats on it while it
runs, and the reaper (Celery beat, and every worker once when it starts) queues again what
stopped beating.
"""

import logging

from celery import Task, shared_task
from celery.signals import worker_ready
from django.db import transaction

from aizuchi.heartbeat import beating
from meetings import pipeline, recovery, services
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


# Late acknowledgement and requeue when the pool process dies are safe for these steps: each
# counts its starts (recovery.*_begin), so a recording that kills its worker every time fails
# after AIZUCHI_WORKER_MAX_ATTEMPTS starts instead of being redelivered for ever.
@shared_task(base=MeetingTask, acks_late=True, reject_on_worker_lost=True)
def meeting_prepare_audio(meeting_id: int) -> None:
    meeting = recovery.meeting_step_begin(meeting_id=meeting_id, statuses=recovery.PREPARE_FROM)
    if meeting is None:  # deleted while queued, past this step, or started too often
        return
    with beating(Meeting, meeting.pk):
        chunks = pipeline.prepare_audio(meeting)
    transaction.on_commit(lambda: [meeting_transcribe_chunk.delay(c.pk) for c in chunks])


@shared_task(base=ChunkTask, acks_late=True, reject_on_worker_lost=True)
def meeting_transcribe_chunk(chunk_id: int) -> None:
    chunk = recovery.chunk_begin(chunk_id=chunk_id)
    if chunk is None:  # done already, its meeting failed or gone, or started too often
        return
    with beating(TranscriptChunk, chunk.pk):
        last = pipeline.transcribe_chunk(chunk)
    if last:
        meeting_finish.delay(chunk.meeting_id)


@shared_task(base=MeetingTask, acks_late=True, reject_on_worker_lost=True)
def meeting_finish(meeting_id: int) -> None:
    meeting = recovery.meeting_step_begin(meeting_id=meeting_id, statuses=recovery.FINISH_FROM)
    if meeting is None:
        return
    with beating(Meeting, meeting.pk):
        pipeline.finish_meeting(meeting)


@shared_task(base=MeetingTask, acks_late=True)
def meeting_reanalyse(meeting_id: int) -> None:
    """Re-run behaviour detection only (after a rule change or a speaker fix)."""
    meeting = Meeting.objects.filter(pk=meeting_id, status=Meeting.Status.DONE).first()
    if meeting is None:
        return
    from coaching.services import meeting_analyse

    meeting_analyse(meeting=meeting)


@shared_task(base=MeetingTask, acks_late=True, reject_on_worker_lost=True)
def meeting_analyse_transcript(meeting_id: int) -> None:
    """An imported transcript, its speakers mapped: detect moments and score (no audio, no Whisper)."""
    meeting = recovery.meeting_step_begin(meeting_id=meeting_id, statuses=recovery.ANALYSE_IMPORTED_FROM)
    if meeting is None:
        return
    with beating(Meeting, meeting.pk):
        pipeline.analyse_imported(meeting)


@shared_task(acks_late=True)
def meetings_reap_stuck() -> None:
    """Queue again the steps whose worker died (Celery beat runs this every few minutes)."""
    for line in recovery.stuck_work_reap():
        logger.warning("reaper: %s", line)


@worker_ready.connect
def _reap_on_start(**kwargs: object) -> None:
    """A worker that starts looks once at once: after a crash of the only worker (`make run`),
    what it left is queued again without waiting for beat."""
    try:
        meetings_reap_stuck.delay()
    except Exception:
        logger.warning("could not queue the reaper", exc_info=True)
