"""With AIZUCHI_STORAGE=s3, recordings, derived audio and voice clips live in the bucket only:
upload through the page, a real worker process, seeking playback and deletion all go through
a real S3-compatible server on loopback (tests/s3.py), and the local media folder stays empty."""

import subprocess
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.files.storage import default_storage
from django.core.handlers.wsgi import WSGIRequest
from django.test import RequestFactory
from django.urls import reverse

from meetings import audio, pipeline
from meetings.models import Meeting, VoiceEnrolment
from meetings.views import meeting_list
from tests.conftest import JFK_WAV, wait_for
from tests.test_upload_streaming import BOUNDARY, GeneratedBody

CLIP = Path(__file__).parent / "data" / "synthetic_meeting_ja" / "rep_enrolment.flac"


def local_media_files() -> set[Path]:
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


@pytest.fixture
def queued(monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr("meetings.services.meeting_enqueue", lambda *, meeting_id: sent.append(meeting_id))
    return sent


def upload(client, path: Path, language: str = "auto"):
    with path.open("rb") as handle:
        return client.post(
            reverse("meetings:list"),
            {
                "files": [handle],
                "held_on": "2026-11-20",
                "language": language,
                "title": "",
                "customer_name": "",
            },
        )


@pytest.mark.django_db
def test_upload_through_the_page_lands_in_the_bucket_and_plays_with_seeking(
    s3_storage, client, alice, bob, queued, django_capture_on_commit_callbacks
):
    # Given S3 storage and nothing new on the local disk yet
    before = local_media_files()
    client.force_login(alice)
    # When alice uploads a recording through the page
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, JFK_WAV)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and queued == [meeting.pk]
    # Then the bucket holds it, byte for byte, and the local media folder got nothing
    key = f"meetings/{meeting.public_id}/original.wav"
    assert s3_storage.keys() == [key]
    assert s3_storage.read(key) == JFK_WAV.read_bytes()
    assert local_media_files() == before
    # And the player can seek: a range comes back as 206 with exactly those bytes
    data = JFK_WAV.read_bytes()
    url = reverse("meetings:audio", args=[meeting.pk])
    partial = client.get(url, HTTP_RANGE="bytes=1000-1999")
    assert partial.status_code == 206
    assert partial["Content-Range"] == f"bytes 1000-1999/{len(data)}"
    assert b"".join(partial.streaming_content) == data[1000:2000]
    tail = client.get(url, HTTP_RANGE="bytes=-500")
    assert b"".join(tail.streaming_content) == data[-500:]
    assert client.get(url, HTTP_RANGE=f"bytes={len(data)}-").status_code == 416
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert b"".join(whole.streaming_content) == data
    # And the access check still holds: a teammate rep gets 404, nothing from the bucket
    client.force_login(bob)
    assert client.get(url, HTTP_RANGE="bytes=0-99").status_code == 404


@pytest.mark.django_db
def test_a_large_upload_to_the_bucket_keeps_memory_flat(s3_storage, alice, queued):
    # Given a 96 MB recording posted to the page (multipart to the bucket: 8 MB parts)
    body = GeneratedBody(pcm_bytes=96 * 1024 * 1024)
    environ = RequestFactory().post("/meetings/").environ
    environ.update(
        {
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(body.length),
            "wsgi.input": body,
        }
    )
    request = WSGIRequest(environ)
    request.user = alice
    request._dont_enforce_csrf_checks = True
    request._messages = CookieStorage(request)
    # When the web process receives it and stores it (the S3 client, whose service model alone is
    # tens of MB, is made first: that is a one-time cost, not the upload's)
    default_storage.exists("warm-up")
    tracemalloc.start()
    response = meeting_list(request)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Then the whole file is in the bucket, and Python never held more than a few parts of it
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    head = s3_storage.client.head_object(Bucket=s3_storage.name, Key=meeting.audio.name)
    assert head["ContentLength"] == 44 + 96 * 1024 * 1024
    assert peak < 48 * 1024 * 1024, f"peak Python memory {peak / 1e6:.0f} MB while storing 96 MB"


@pytest.mark.django_db
def test_a_long_recording_gets_one_object_per_chunk_that_matches_the_whole(
    s3_storage, alice, make_meeting, tmp_path, settings
):
    # Given a 77-second recording in the bucket and 30-second chunks
    settings.AIZUCHI_CHUNK_SECONDS = 30
    long = tmp_path / "long.flac"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-stream_loop", "6", "-i", str(JFK_WAV), str(long)], check=True
    )
    meeting = make_meeting(alice, status=Meeting.Status.QUEUED, audio=long)
    before = local_media_files()
    # When a worker prepares it
    chunks = pipeline.prepare_audio(meeting)
    # Then the bucket holds the 16 kHz WAV, its peaks and one WAV per chunk
    folder = f"meetings/{meeting.public_id}"
    assert len(chunks) >= 3
    assert s3_storage.keys(folder) == sorted(
        [f"{folder}/original.flac", f"{folder}/audio16k.wav", f"{folder}/peaks.json"]
        + [f"{folder}/chunks/{c.index:04d}.wav" for c in chunks]
    )
    # And each chunk's own WAV holds exactly its slice of the whole
    whole = tmp_path / "audio16k.wav"
    whole.write_bytes(s3_storage.read(f"{folder}/audio16k.wav"))
    for chunk in chunks:
        expected = audio.read_samples(whole, chunk.start, chunk.end)
        assert np.array_equal(pipeline.chunk_samples(chunk), expected)
    assert local_media_files() == before


@pytest.mark.worker
@pytest.mark.real_engine
def test_worker_processes_a_recording_from_the_bucket_and_delete_empties_it(
    s3_storage, client, alice, celery_worker_process
):
    # Given alice uploads a short real recording with S3 storage
    before = local_media_files()
    client.force_login(alice)
    assert upload(client, JFK_WAV, language="en").status_code == 302
    meeting = Meeting.objects.get()
    # When a real worker process (sharing only the database, the broker and the bucket) runs it
    wait_for(
        lambda: meeting.refresh_from_db() or meeting.status in ("done", "failed"),
        timeout=240,
        message="the worker to finish",
    )
    # Then it is transcribed, and its derived audio and waveform are in the bucket
    assert meeting.status == "done", meeting.error
    assert "ask not what your country" in " ".join(meeting.segments.values_list("text", flat=True)).lower()
    folder = f"meetings/{meeting.public_id}"
    assert s3_storage.keys() == [f"{folder}/audio16k.wav", f"{folder}/original.wav", f"{folder}/peaks.json"]
    peaks = client.get(reverse("coaching:peaks", args=[meeting.pk])).json()
    assert len(peaks["peaks"]) > 100 and peaks["duration"] == pytest.approx(11.0, abs=0.2)
    assert local_media_files() == before
    # When she deletes the meeting, every object of it is gone from the bucket
    client.post(reverse("meetings:delete", args=[meeting.pk]))
    assert not Meeting.objects.exists()
    assert s3_storage.keys() == []


@pytest.mark.real_engine
@pytest.mark.django_db
def test_voice_clip_is_kept_in_the_bucket_played_from_it_and_removed(s3_storage, client, alice, bob):
    before = local_media_files()
    client.force_login(alice)
    # When alice records her voice
    with CLIP.open("rb") as clip:
        response = client.post(reverse("meetings:voice"), {"clip": clip})
    assert response.status_code == 302
    # Then the clip is in the bucket only, and she can listen to it
    name = VoiceEnrolment.objects.get(user=alice).clip.name
    assert s3_storage.keys() == [name] and name.startswith("voices/")
    played = client.get(reverse("meetings:voice_clip"), HTTP_RANGE="bytes=0-9")
    assert played.status_code == 206 and b"".join(played.streaming_content) == CLIP.read_bytes()[:10]
    assert local_media_files() == before
    # And nobody else hears it
    client.force_login(bob)
    assert client.get(reverse("meetings:voice_clip")).status_code == 404
    # When she deletes it, the object goes too
    client.force_login(alice)
    client.post(reverse("meetings:voice_delete"))
    assert s3_storage.keys() == []


def test_s3_storage_without_a_bucket_refuses_to_start_and_with_one_passes_the_deploy_check(
    tmp_path, moto_server
):
    from tests.test_deployment import manage, production_env

    # Given production settings that ask for S3 but name no bucket, the app will not start
    refused = manage(production_env(tmp_path, AIZUCHI_STORAGE="s3"), "check")
    assert refused.returncode != 0 and "AIZUCHI_S3_BUCKET must be set" in refused.stderr
    # With a bucket it starts, and `check --deploy` still has nothing to warn about
    env = production_env(
        tmp_path,
        AIZUCHI_STORAGE="s3",
        AIZUCHI_S3_BUCKET="recordings",
        AIZUCHI_S3_ENDPOINT_URL=moto_server,
        AIZUCHI_S3_ADDRESSING_STYLE="",  # as copied from .env.example: the default applies
    )
    checked = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert checked.returncode == 0, checked.stderr


@pytest.mark.django_db
def test_a_meeting_deleted_while_it_is_decoded_leaves_nothing_in_the_bucket(
    s3_storage, alice, make_meeting, monkeypatch
):
    from meetings import services

    # Given a meeting in the bucket that someone deletes while a worker decodes it
    meeting = make_meeting(alice, status=Meeting.Status.QUEUED)
    deleted = []

    def delete_midway(target, fraction):
        if not deleted:
            deleted.append(True)
            services.meeting_delete(meeting=Meeting.objects.get(pk=target.pk))

    # (the deletion is timed by the decoder's progress callback: a race no test can time otherwise)
    monkeypatch.setattr(services, "meeting_set_progress", delete_midway)
    # When the worker finishes decoding
    chunks = pipeline.prepare_audio(meeting)
    # Then it queues nothing, and neither the recording nor what the worker derived is left
    assert deleted and chunks == []
    assert s3_storage.keys() == []
