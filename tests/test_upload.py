"""Uploading recordings: good files are queued, bad ones are refused with a clear sentence,
and nothing already stored is touched."""

import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.models import Meeting
from tests.conftest import JFK_WAV

pytestmark = pytest.mark.django_db


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


@pytest.fixture
def queued(monkeypatch):
    """Record what would be sent to the worker instead of sending it (no worker in these tests)."""
    sent = []
    monkeypatch.setattr("meetings.services.meeting_enqueue", lambda *, meeting_id: sent.append(meeting_id))
    return sent


def upload(client, *paths: Path, **fields):
    data = {"held_on": "2026-11-20", "language": "auto", "title": "", "customer_name": "", **fields}
    handles = [path.open("rb") for path in paths]
    try:
        data["files"] = handles
        return client.post(reverse("meetings:list"), data)
    finally:
        for handle in handles:
            handle.close()


@pytest.fixture
def existing(alice, make_meeting):
    """A meeting alice already has, which no failed upload may change."""
    meeting = make_meeting(alice, title="Earlier call")
    return meeting, Path(meeting.audio.path).read_bytes()


def assert_untouched(existing) -> None:
    meeting, audio_bytes = existing
    meeting.refresh_from_db()
    assert meeting.status == "done" and meeting.title == "Earlier call"
    assert Path(meeting.audio.path).read_bytes() == audio_bytes
    assert Meeting.objects.count() == 1


def test_rep_uploads_a_recording_and_it_is_queued(client, alice, queued, django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, JFK_WAV, title="Kickoff", customer_name="ACME")
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "meetings:detail", args=[meeting.pk]
    )
    assert (meeting.owner, meeting.title, meeting.customer_name, meeting.status) == (
        alice,
        "Kickoff",
        "ACME",
        "queued",
    )
    assert meeting.duration_seconds == pytest.approx(11.0, abs=0.2)
    assert Path(meeting.audio.path).read_bytes() == JFK_WAV.read_bytes()
    assert queued == [meeting.pk]


def test_several_files_become_several_meetings(
    client, alice, queued, tmp_path, django_capture_on_commit_callbacks
):
    second = tmp_path / "second call.mp3"
    ffmpeg("-i", str(JFK_WAV), str(second))
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, JFK_WAV, second, title="Week 47")
    assert response.status_code == 302
    assert sorted(Meeting.objects.values_list("title", flat=True)) == [
        "Week 47 – jfk",
        "Week 47 – second call",
    ]
    assert len(queued) == 2


def _empty(tmp_path):
    path = tmp_path / "empty.mp3"
    path.write_bytes(b"")
    return path


def _image_renamed(tmp_path):
    png = tmp_path / "picture.png"
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1", str(png))
    path = tmp_path / "call.mp3"
    png.rename(path)
    return path


def _video_without_audio(tmp_path):
    path = tmp_path / "screen.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "2", "-pix_fmt", "yuv420p", str(path))
    return path


def _unsupported(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK\x03\x04 not a recording")
    return path


@pytest.mark.parametrize(
    ("make_file", "words"),
    [
        (_empty, "empty"),
        (_image_renamed, "audio"),
        (_video_without_audio, "audio"),
        (_unsupported, "mp3"),
    ],
    ids=["empty", "image-renamed-mp3", "video-without-audio", "unsupported-format"],
)
def test_bad_file_is_refused_with_a_clear_message(
    client, alice, existing, queued, tmp_path, make_file, words
):
    bad = make_file(tmp_path)
    client.force_login(alice)
    response = upload(client, bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert bad.name in page and words in page.lower()
    assert queued == []
    assert_untouched(existing)


def test_recording_over_the_length_limit_is_refused(client, alice, existing, queued, tmp_path, settings):
    settings.AIZUCHI_MAX_DURATION_SECONDS = 5
    client.force_login(alice)
    response = upload(client, JFK_WAV)
    assert response.status_code == 400
    assert "jfk.wav" in response.content.decode()
    assert_untouched(existing)


def test_file_over_the_size_limit_is_refused(client, alice, existing, queued, settings):
    settings.AIZUCHI_MAX_UPLOAD_BYTES = 10_000
    client.force_login(alice)
    response = upload(client, JFK_WAV)
    assert response.status_code == 400
    assert "jfk.wav is larger than the upload limit" in response.content.decode()
    assert_untouched(existing)


def test_good_files_in_a_mixed_upload_are_kept(
    client, alice, queued, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, JFK_WAV, _empty(tmp_path))
    assert response.status_code == 400
    assert "empty.mp3" in response.content.decode()
    assert list(Meeting.objects.values_list("original_filename", flat=True)) == ["jfk.wav"]
    assert len(queued) == 1


def test_upload_page_works_in_japanese(client, alice):
    alice.profile.language = "ja"
    alice.profile.save()
    client.force_login(alice)
    page = client.get(reverse("meetings:list")).content.decode()
    assert 'lang="ja"' in page


def test_in_memory_upload_is_accepted_and_probed_by_the_worker(alice, queued):
    from meetings.services import meeting_create

    meeting = meeting_create(
        owner=alice,
        uploaded_file=SimpleUploadedFile("tiny.wav", JFK_WAV.read_bytes()[:50_000]),
        held_on="2026-11-20",
    )
    assert meeting.duration_seconds is None and meeting.status == "queued"
