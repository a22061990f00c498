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


@pytest.mark.worker
@pytest.mark.real_engine
def test_a_tone_fails_as_silence_does_and_a_cut_mp3_says_how_much_was_read(
    client, alice, carol, celery_worker_process, tmp_path, make_meeting
):
    """The one test here that loads Whisper: the speech detector decides a tone holds no speech."""
    from tests.api_helpers import key_client
    from tests.hostile_files import mp3_cut_in_half, tone_wav

    # Given alice (English) and her manager carol (Japanese), an earlier meeting, a 20-second
    # test tone sent through the form and a cut MP3 sent through the API
    for user, language in ((alice, "en"), (carol, "ja")):
        user.profile.language = language
        user.profile.save()
    earlier = make_meeting(alice, title="Earlier call")
    tone = tone_wav(tmp_path / "dial-tone.wav", 20)
    client.force_login(alice)
    with tone.open("rb") as handle:
        response = client.post(
            reverse("meetings:list"),
            {
                "files": [handle],
                "held_on": "2026-11-20",
                "language": "auto",
                "title": "",
                "customer_name": "",
            },
        )
    assert response.status_code == 302
    cut = mp3_cut_in_half(tmp_path)
    with cut.open("rb") as handle:
        created = key_client(alice).post("/api/v1/meetings/", {"file": handle}, format="multipart")
    assert created.status_code == 201
    tone_meeting = Meeting.objects.get(original_filename="dial-tone.wav")
    cut_meeting = Meeting.objects.get(pk=created.json()["id"])

    # When the worker has processed both
    def both_failed():
        return Meeting.objects.filter(pk__in=[tone_meeting.pk, cut_meeting.pk], status="failed").count() == 2

    wait_for(both_failed, timeout=300, message="the worker to fail the tone and the cut MP3")
    # Then the tone ends exactly as silence does, read in each reader's language
    tone_meeting.refresh_from_db()
    assert (tone_meeting.error_code, tone_meeting.segments.count()) == ("no_speech", 0)
    assert (
        "No speech was found in this recording"
        in client.get(reverse("meetings:detail", args=[tone_meeting.pk])).content.decode()
    )
    client.force_login(carol)
    assert (
        "この録音には発話が見つかりませんでした"
        in client.get(reverse("meetings:detail", args=[tone_meeting.pk])).content.decode()
    )
    # and the cut MP3 says how much could be read, through the API in either language
    url = f"/api/v1/meetings/{cut_meeting.pk}/"
    body = key_client(alice).get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["error_code"] == "truncated"
    assert "of this recording (20 seconds in total) could be read" in body["error"]
    assert "この録音（全体 20 秒）のうち" in key_client(carol).get(url).json()["error"]
    earlier.refresh_from_db()
    assert earlier.status == "done" and earlier.title == "Earlier call"
