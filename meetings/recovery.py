"""Workers that die: steps whose worker stopped beating are queued again, a few times at most.

A worker killed outright takes its task with it: the embedded broker had already handed the
message over, and Redis keeps an unacknowledged one hidden for hours. The rows still say what was
running. A step claims its row when it starts (`*_begin`: counts the start, writes the first
heartbeat), beats while it runs (aizuchi.heartbeat), and the reaper queues again every step whose
row has been silent for AIZUCHI_STUCK_AFTER_SECONDS. A step started AIZUCHI_WORKER_MAX_ATTEMPTS
times fails the meeting with a sentence and the retry button instead: a recording that kills its
worker (out of memory) every time does not loop for ever.

Steps are idempotent (each replaces its rows), so a step run twice, by a reaper that was too
quick or by a broker that redelivered late, leaves the same rows.
"""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from meetings import services
from meetings.failures import WORKER_LOST_CODE
from meetings.models import Meeting, TranscriptChunk

logger = logging.getLogger(__name__)

# The meeting-wide steps, by the statuses a meeting may be in when each starts.
PREPARE_FROM = (Meeting.Status.QUEUED, Meeting.Status.DECODING)
FINISH_FROM = (Meeting.Status.TRANSCRIBING, Meeting.Status.ATTRIBUTING, Meeting.Status.ANALYSING)
ANALYSE_IMPORTED_FROM = (Meeting.Status.QUEUED, Meeting.Status.ANALYSING)


def meeting_step_begin(*, meeting_id: int, statuses: tuple[str, ...]) -> Meeting | None:
    """Claim a meeting-wide step: count the start and beat once. None when there is nothing to
    do: the meeting is gone or past this step (a late redelivery), or it was started too often
    (the meeting is failed then)."""
    with transaction.atomic():
        claimed = Meeting.objects.filter(pk=meeting_id, status__in=statuses).update(
            attempts=F("attempts") + 1, heartbeat_at=timezone.now()
        )
        meeting = Meeting.objects.filter(pk=meeting_id).first() if claimed else None
    if meeting is not None and meeting.attempts > settings.AIZUCHI_WORKER_MAX_ATTEMPTS:
        meeting_fail_worker_lost(meeting_id=meeting.pk, count=meeting.attempts - 1)
        return None
    return meeting


def chunk_begin(*, chunk_id: int) -> TranscriptChunk | None:
    """Claim a chunk for transcription, as meeting_step_begin does a meeting-wide step."""
    with transaction.atomic():
        claimed = TranscriptChunk.objects.filter(
            pk=chunk_id,
            status__in=(TranscriptChunk.Status.PENDING, TranscriptChunk.Status.RUNNING),
            meeting__status=Meeting.Status.TRANSCRIBING,
        ).update(
            status=TranscriptChunk.Status.RUNNING, attempts=F("attempts") + 1, heartbeat_at=timezone.now()
        )
        chunk = (
            TranscriptChunk.objects.select_related("meeting").filter(pk=chunk_id).first() if claimed else None
        )
    if chunk is not None and chunk.attempts > settings.AIZUCHI_WORKER_MAX_ATTEMPTS:
        meeting_fail_worker_lost(meeting_id=chunk.meeting_id, count=chunk.attempts - 1)
        return None
    return chunk


def meeting_fail_worker_lost(*, meeting_id: int, count: int) -> None:
    """Fail a meeting whose steps kept dying; each reader sees why in their own language."""
    logger.error("meeting %s failed: its worker stopped %d times", meeting_id, count)
    services.meeting_fail(meeting_id=meeting_id, code=WORKER_LOST_CODE)


def stuck_work_reap(*, now: datetime | None = None) -> list[str]:
    """Queue again (or fail) every step whose worker has been silent too long; returns what it
    did, one line each. Safe to run anywhere and often: a step is claimed by a conditional
    update, so two reapers at once queue it once."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.AIZUCHI_STUCK_AFTER_SECONDS)
    return _reap_chunks(cutoff) + _reap_meetings(cutoff)


def _reap_chunks(cutoff: datetime) -> list[str]:
    done: list[str] = []
    stuck = TranscriptChunk.objects.filter(
        status=TranscriptChunk.Status.RUNNING,
        heartbeat_at__lt=cutoff,
        meeting__status=Meeting.Status.TRANSCRIBING,
    )
    for chunk in stuck:
        if chunk.attempts >= settings.AIZUCHI_WORKER_MAX_ATTEMPTS:
            meeting_fail_worker_lost(meeting_id=chunk.meeting_id, count=chunk.attempts)
            done.append(f"failed meeting {chunk.meeting_id} (chunk {chunk.index})")
            continue
        with transaction.atomic():
            claimed = TranscriptChunk.objects.filter(
                pk=chunk.pk, status=TranscriptChunk.Status.RUNNING, heartbeat_at=chunk.heartbeat_at
            ).update(status=TranscriptChunk.Status.PENDING, heartbeat_at=None, progress=0.0)
            if claimed:
                transaction.on_commit(partial(_tasks().meeting_transcribe_chunk.delay, chunk.pk))
        if claimed:
            done.append(f"queued chunk {chunk.index} of meeting {chunk.meeting_id} again")
    return done


def _reap_meetings(cutoff: datetime) -> list[str]:
    done: list[str] = []
    stuck = Meeting.objects.filter(heartbeat_at__lt=cutoff).filter(
        Q(status__in=(Meeting.Status.DECODING, Meeting.Status.ATTRIBUTING, Meeting.Status.ANALYSING))
        # every chunk done, but the worker of the last one died before queuing the finish
        | Q(status=Meeting.Status.TRANSCRIBING, chunks_total__gt=0, chunks_done__gte=F("chunks_total"))
    )
    for meeting in stuck:
        if meeting.attempts >= settings.AIZUCHI_WORKER_MAX_ATTEMPTS:
            meeting_fail_worker_lost(meeting_id=meeting.pk, count=meeting.attempts)
            done.append(f"failed meeting {meeting.pk} ({meeting.status})")
            continue
        with transaction.atomic():
            claimed = Meeting.objects.filter(
                pk=meeting.pk, status=meeting.status, heartbeat_at=meeting.heartbeat_at
            ).update(heartbeat_at=None)
            if claimed:
                transaction.on_commit(partial(_step_task(meeting).delay, meeting.pk))
        if claimed:
            done.append(f"queued meeting {meeting.pk} ({meeting.status}) again")
    return done


def _step_task(meeting: Meeting):
    """The task that runs the step a meeting was in."""
    tasks = _tasks()
    if meeting.status == Meeting.Status.DECODING:
        return tasks.meeting_prepare_audio
    if meeting.audio:
        return tasks.meeting_finish
    return tasks.meeting_analyse_transcript  # an imported transcript has no audio


def _tasks():
    from meetings import tasks

    return tasks
