"""The periodic task really runs: a worker started with -B (as `make run` starts it) removes an
expired recording on its own, against the test database."""

import datetime
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.utils import timezone

from meetings.models import Meeting
from privacy.models import ErasureLog, TeamPolicy
from tests.conftest import _database_url_for_worker, _purge_broker, _stop_process_group, wait_for
from tests.privacy_helpers import files_under

pytestmark = pytest.mark.worker


@pytest.fixture
def worker_with_beat(transactional_db, media, tmp_path):
    env = dict(
        os.environ,
        DATABASE_URL=_database_url_for_worker(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        AIZUCHI_MEDIA_ROOT=str(media),
        AIZUCHI_RETENTION_EVERY_HOURS="0.0005",  # every 1.8 s
    )
    log = tmp_path / "worker.log"
    _purge_broker()
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                *(
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "aizuchi",
                    "worker",
                    "-B",
                    "-s",
                    str(tmp_path / "beat"),
                ),
                *("-Q", "transcription,analysis", "-c", "1", "--loglevel", "INFO"),
                *("--without-heartbeat", "--without-gossip", "--without-mingle"),
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        _stop_process_group(process)
        print(log.read_text()[-4000:])


def test_beat_removes_an_expired_recording_by_itself(media, north, alice, make_meeting, worker_with_beat):
    # Given North keeps recordings 30 days and alice uploaded one 40 days ago
    TeamPolicy.objects.create(team=north, audio_days=30)
    meeting = make_meeting(alice)
    Meeting.objects.filter(pk=meeting.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    fresh = make_meeting(alice, title="Yesterday's")
    assert len(files_under(media)) == 2
    # When the worker's beat has run the retention task, without anyone asking
    wait_for(lambda: len(files_under(media)) == 1, timeout=90, message="the beat to remove the recording")
    # Then only the old recording is gone, and the audit row says retention did it
    assert files_under(media) == [f"meetings/{fresh.public_id}/original.wav"]
    wait_for(lambda: ErasureLog.objects.filter(action="audio_expired").exists(), timeout=10, message="audit")
    assert ErasureLog.objects.get().meeting_public_id == meeting.public_id
    meeting.refresh_from_db()
    assert not meeting.audio
