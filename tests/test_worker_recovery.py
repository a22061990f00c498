"""The reaper, in process: steps whose worker stopped beating are queued again once, steps started
too often fail the meeting with a sentence and the retry button, and nothing alive is touched.
(tests/test_workers_that_die.py kills real workers.)"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Profile
from meetings import recovery
from meetings.models import Meeting, TranscriptChunk

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(hours=1)


def transcribing(make_meeting, owner, *, chunks=2, **fields):
    meeting = make_meeting(
        owner, status=Meeting.Status.TRANSCRIBING, chunks_total=chunks, heartbeat_at=timezone.now(), **fields
    )
    for i in range(chunks):
        TranscriptChunk.objects.create(meeting=meeting, index=i, start=600.0 * i, end=600.0 * (i + 1))
    return meeting


def test_chunk_whose_worker_went_silent_is_queued_again_once(
    alice, make_meeting, django_capture_on_commit_callbacks
):
    # Given a chunk that a worker started an hour ago and has not beaten on since
    meeting = transcribing(make_meeting, alice)
    stuck = meeting.chunks.get(index=0)
    TranscriptChunk.objects.filter(pk=stuck.pk).update(
        status="running", attempts=1, progress=0.5, heartbeat_at=timezone.now() - LONG_AGO
    )
    # When two reapers look (beat and a worker that just started)
    with django_capture_on_commit_callbacks() as queued:
        first = recovery.stuck_work_reap()
        second = recovery.stuck_work_reap()
    # Then the chunk is waiting again, queued once, and the meeting is still transcribing
    assert first == [f"queued chunk 0 of meeting {meeting.pk} again"] and second == []
    assert len(queued) == 1
    stuck.refresh_from_db()
    assert (stuck.status, stuck.progress, stuck.heartbeat_at) == ("pending", 0.0, None)
    meeting.refresh_from_db()
    assert meeting.status == "transcribing"


def test_live_and_waiting_steps_are_left_alone(alice, bob, make_meeting, django_capture_on_commit_callbacks):
    # Given a chunk beating now, a chunk waiting in the queue for a worker, a meeting queued
    # for hours, a finished one and one whose speakers are being found right now
    meeting = transcribing(make_meeting, alice)
    TranscriptChunk.objects.filter(meeting=meeting, index=0).update(
        status="running", heartbeat_at=timezone.now()
    )
    make_meeting(bob, status=Meeting.Status.QUEUED)
    make_meeting(bob, status=Meeting.Status.DONE, heartbeat_at=timezone.now() - LONG_AGO)
    make_meeting(bob, status=Meeting.Status.ATTRIBUTING, heartbeat_at=timezone.now())
    Meeting.objects.filter(status="queued").update(updated_at=timezone.now() - LONG_AGO)
    # When the reaper looks, it does nothing
    with django_capture_on_commit_callbacks() as queued:
        assert recovery.stuck_work_reap() == []
    assert queued == []


@pytest.mark.parametrize(
    ("status", "task"),
    [
        ("decoding", "meetings.tasks.meeting_prepare_audio"),
        ("attributing", "meetings.tasks.meeting_finish"),
        ("analysing", "meetings.tasks.meeting_finish"),
        ("transcribing", "meetings.tasks.meeting_finish"),  # every chunk done, the finish never queued
    ],
)
def test_meeting_wide_step_whose_worker_went_silent_is_queued_again(
    status, task, alice, make_meeting, django_capture_on_commit_callbacks, monkeypatch
):
    meeting = make_meeting(
        alice,
        status=status,
        chunks_total=1,
        chunks_done=1,
        attempts=1,
        heartbeat_at=timezone.now() - LONG_AGO,
    )
    sent = []
    from celery.app.task import Task

    monkeypatch.setattr(Task, "delay", lambda self, *args: sent.append((self.name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.stuck_work_reap() == [f"queued meeting {meeting.pk} ({status}) again"]
    assert sent == [(task, (meeting.pk,))]
    meeting.refresh_from_db()
    assert meeting.status == status and meeting.heartbeat_at is None


def test_imported_transcript_whose_analysis_died_is_analysed_again(
    alice, make_meeting, django_capture_on_commit_callbacks, monkeypatch
):
    meeting = make_meeting(alice, status=Meeting.Status.ANALYSING, heartbeat_at=timezone.now() - LONG_AGO)
    Meeting.objects.filter(pk=meeting.pk).update(audio="")
    sent = []
    from celery.app.task import Task

    monkeypatch.setattr(Task, "delay", lambda self, *args: sent.append(self.name))
    with django_capture_on_commit_callbacks(execute=True):
        recovery.stuck_work_reap()
    assert sent == ["meetings.tasks.meeting_analyse_transcript"]


def test_chunk_started_too_often_fails_the_meeting_with_a_sentence_and_the_retry_button(
    client, alice, carol, make_meeting, settings, django_capture_on_commit_callbacks, monkeypatch
):
    # Given alice reads the app in Japanese, and a chunk that has killed its worker three times
    settings.AIZUCHI_WORKER_MAX_ATTEMPTS = 3
    Profile.objects.filter(user=alice).update(language="ja")
    meeting = transcribing(make_meeting, alice)
    TranscriptChunk.objects.filter(meeting=meeting, index=1).update(
        status="running", attempts=3, heartbeat_at=timezone.now() - LONG_AGO
    )
    sent = []
    from celery.app.task import Task

    monkeypatch.setattr(Task, "delay", lambda self, *args: sent.append(self.name))
    # When the reaper looks
    with django_capture_on_commit_callbacks(execute=True):
        recovery.stuck_work_reap()
    monkeypatch.undo()
    # Then no step is queued and the meeting is failed; alice reads why in Japanese, with the
    # retry button, and an English reader (her manager) in English
    assert not [name for name in sent if name.startswith("meetings.")]
    meeting.refresh_from_db()
    assert meeting.status == "failed" and meeting.error_code == "worker_lost"
    client.force_login(alice)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "処理は、完了する前に何度も中断されました" in page
    assert reverse("meetings:retry", args=[meeting.pk]) in page
    client.force_login(carol)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert escape("was interrupted several times before it finished") in page
    # And trying again starts it afresh: the count starts over
    client.force_login(alice)
    with django_capture_on_commit_callbacks() as queued:
        client.post(reverse("meetings:retry", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert (meeting.status, meeting.attempts, meeting.chunks.count(), len(queued)) == ("queued", 0, 0, 1)


def test_a_redelivered_step_that_killed_its_worker_too_often_is_not_run_again(alice, make_meeting, settings):
    # Given the broker redelivers a chunk whose worker died in it three times (out of memory)
    settings.AIZUCHI_WORKER_MAX_ATTEMPTS = 3
    meeting = transcribing(make_meeting, alice, chunks=1)
    chunk = meeting.chunks.get()
    TranscriptChunk.objects.filter(pk=chunk.pk).update(status="running", attempts=3)
    # Then it is not started a fourth time: the meeting fails instead
    assert recovery.chunk_begin(chunk_id=chunk.pk) is None
    meeting.refresh_from_db()
    assert meeting.status == "failed" and meeting.error_code == "worker_lost"


def test_a_late_duplicate_of_a_finished_step_changes_nothing(alice, make_meeting):
    # Given a finished meeting whose old decode message comes back (Redis redelivers hours later)
    meeting = make_meeting(alice, status=Meeting.Status.DONE)
    # Then neither the decode nor the finish claims it
    assert recovery.meeting_step_begin(meeting_id=meeting.pk, statuses=recovery.PREPARE_FROM) is None
    assert recovery.meeting_step_begin(meeting_id=meeting.pk, statuses=recovery.FINISH_FROM) is None
    meeting.refresh_from_db()
    assert meeting.status == "done" and meeting.attempts == 0
