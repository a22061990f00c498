"""A real worker killed with SIGKILL in the middle of a meeting: another worker (with beat) picks
the step up once its heartbeat is stale and the meeting ends done, with one transcript and one
set of moments. Runs on the embedded broker and, via `make test-scale`, on Redis and PostgreSQL."""

import os
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from coaching.models import MeetingScore, Moment, PhraseRule
from meetings.models import Meeting, TranscriptChunk
from tests.conftest import _database_url_for_worker, _stop_process_group, wait_for
from tests.test_worker_pipeline import upload

pytestmark = [pytest.mark.worker, pytest.mark.real_engine]

SYNTHETIC = Path(__file__).parent / "data" / "synthetic_meeting_ja"
STUCK_AFTER = 10  # seconds without a heartbeat before a step counts as dead (default 180)


@pytest.fixture
def short_leases(monkeypatch):
    """Worker processes started after this see dead steps after STUCK_AFTER seconds."""
    monkeypatch.setenv("AIZUCHI_STUCK_AFTER_SECONDS", str(STUCK_AFTER))


@pytest.fixture
def opening_of_the_sales_call(tmp_path):
    """The synthetic meeting's first 19.4 s (stereo, rep left): a greeting, a question, the
    customer's problem and the rep's 「はい、なるほど。」 (two affirmations by the script)."""
    clip = tmp_path / "opening.flac"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-i",
            str(SYNTHETIC / "meeting_stereo.flac"),
            "-t",
            "19.4",
            str(clip),
        ],
        check=True,
    )
    return clip


def _start_worker(args, log: Path) -> subprocess.Popen:
    """Another worker like the fixture's, with beat inside it (as `make run` starts it)."""
    env = dict(
        os.environ, DATABASE_URL=_database_url_for_worker(), CELERY_BROKER_URL=settings.CELERY_BROKER_URL
    )
    with log.open("w") as out:
        return subprocess.Popen(
            [*args, "-B", "--schedule", str(log.with_suffix(".beat"))],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _running_chunk(meeting):
    return TranscriptChunk.objects.filter(meeting=meeting, status=TranscriptChunk.Status.RUNNING).first()


def _finding_speakers_or_moments(meeting):
    meeting.refresh_from_db()
    return meeting.status in (Meeting.Status.ATTRIBUTING, Meeting.Status.ANALYSING)


@pytest.mark.parametrize("killed_while", ["transcribing", "finding speakers or moments"])
def test_meeting_whose_worker_is_killed_mid_step_is_finished_by_another_worker_once(
    killed_while, short_leases, client, alice, celery_worker_process, opening_of_the_sales_call, tmp_path
):
    from coaching.services import rule_pack_install_default

    if not PhraseRule.objects.exists():  # an earlier transactional test flushed the migrated rules
        rule_pack_install_default()
    # Given alice uploads a short call and the worker has started on it
    client.force_login(alice)
    assert upload(client, opening_of_the_sales_call, language="ja").status_code == 302
    meeting = Meeting.objects.get()
    if killed_while == "transcribing":
        chunk = wait_for(lambda: _running_chunk(meeting), timeout=180, interval=0.05, message="Whisper")
    else:
        wait_for(lambda: _finding_speakers_or_moments(meeting), timeout=300, interval=0.05, message="finish")
    # When the worker is killed outright, in the middle of that step
    os.killpg(celery_worker_process.pid, signal.SIGKILL)
    celery_worker_process.wait(timeout=20)
    meeting.refresh_from_db()
    if killed_while == "transcribing":
        chunk.refresh_from_db()
        assert (meeting.status, chunk.status) == ("transcribing", "running")  # nothing will finish it
    else:
        assert meeting.status in ("attributing", "analysing")
    # And another worker starts
    again = _start_worker(celery_worker_process.args, tmp_path / "worker2.log")
    try:
        wait_for(
            lambda: _finished(meeting),
            timeout=STUCK_AFTER + 300,
            message="the second worker to finish the meeting",
        )
    finally:
        _stop_process_group(again)
        log = (tmp_path / "worker2.log").read_text().splitlines()
        print("\n".join(line for line in log if "succeeded" in line or "reaper" in line or "ERROR" in line))
    # Then the meeting is done, its transcript is there once and its moments are counted once
    _assert_done_once(meeting)


def test_meeting_whose_pool_process_is_killed_while_transcribing_is_given_again_and_finished_once(
    short_leases, client, alice, celery_worker_process, opening_of_the_sales_call
):
    """The worker lives and its pool process dies (out of memory, say): the message goes back to
    the queue at once (reject_on_worker_lost) and the new pool process transcribes the chunk."""
    from coaching.services import rule_pack_install_default

    if not PhraseRule.objects.exists():
        rule_pack_install_default()
    client.force_login(alice)
    assert upload(client, opening_of_the_sales_call, language="ja").status_code == 302
    meeting = Meeting.objects.get()
    chunk = wait_for(lambda: _running_chunk(meeting), timeout=180, interval=0.05, message="Whisper")
    # When the pool process is killed mid-transcription
    children = Path(f"/proc/{celery_worker_process.pid}/task/{celery_worker_process.pid}/children")
    for pid in children.read_text().split():
        os.kill(int(pid), signal.SIGKILL)
    # Then the same worker starts the chunk a second time and finishes the meeting
    wait_for(
        lambda: TranscriptChunk.objects.filter(pk=chunk.pk, status="running", attempts=2).exists(),
        timeout=120,
        interval=0.1,
        message="the chunk to be started again",
    )
    wait_for(lambda: _finished(meeting), timeout=300, message="the worker to finish the meeting")
    _assert_done_once(meeting)


def _finished(meeting):
    meeting.refresh_from_db()
    return meeting.is_finished


def _assert_done_once(meeting):
    assert meeting.status == "done", meeting.error
    assert meeting.chunks.count() == 0
    texts = list(meeting.segments.order_by("index").values_list("text", flat=True))
    transcript = "".join(texts)
    assert transcript.count("よろしく") == 1 and transcript.count("なるほど") == 1, texts
    starts = list(meeting.segments.order_by("index").values_list("start", flat=True))
    assert starts == sorted(starts)
    moments = list(
        Moment.objects.filter(meeting=meeting).values_list("behaviour_key", "turn_index", "char_start")
    )
    assert len(moments) == len(set(moments))
    by_rules = Counter(
        Moment.objects.filter(meeting=meeting, source="rule").values_list("behaviour_key", flat=True)
    )
    assert by_rules == {"rep_affirmation": 2}, texts
    assert MeetingScore.objects.get(meeting=meeting).affirmations >= 2
