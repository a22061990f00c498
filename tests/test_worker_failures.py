"""Recordings that pass the upload checks but cannot be used: the worker fails the meeting with
a sentence for the rep, and nothing else stored changes."""

import subprocess

import pytest
from django.urls import reverse

from meetings.models import Meeting
from tests.conftest import wait_for


@pytest.mark.worker
def test_pure_silence_fails_with_a_message_and_other_meetings_are_intact(
    client, alice, celery_worker_process, tmp_path, make_meeting
):
    # Given a 20-second recording of pure silence and an earlier meeting
    silence = tmp_path / "muted-call.m4a"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono", "-t", "20", str(silence)],
        check=True,
    )
    earlier = make_meeting(alice, title="Earlier call")
    alice.profile.language = "en"
    alice.profile.save()
    client.force_login(alice)
    # When it is uploaded and the worker decodes it
    with silence.open("rb") as handle:
        response = client.post(
            reverse("meetings:list"),
            {"files": [handle], "held_on": "2026-11-20", "language": "ja", "title": "", "customer_name": ""},
        )
    assert response.status_code == 302
    meeting = Meeting.objects.exclude(pk=earlier.pk).get()

    def failed():
        meeting.refresh_from_db()
        return meeting.status == Meeting.Status.FAILED

    wait_for(failed, timeout=120, message="the worker to fail the silent meeting")
    # Then the rep reads why in the language she reads the app in (English here, though the
    # worker runs in the site's Japanese), and the earlier meeting is as it was
    assert meeting.error_code == "no_speech"
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "No speech was found in this recording" in page
    earlier.refresh_from_db()
    assert earlier.status == "done" and earlier.title == "Earlier call"
