"""A rep records a short clip of their own voice in their profile; in one-channel recordings the
pipeline then picks the rep's voice by similarity to it (real audio, real voice encoder)."""

from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings import selectors
from meetings.models import VoiceEnrolment

SYNTHETIC = Path(__file__).parent / "data" / "synthetic_meeting_ja"
CLIP = SYNTHETIC / "rep_enrolment.flac"  # the rep's synthetic voice, sentences not in the meeting
JFK = Path(__file__).parent / "data" / "jfk" / "jfk.wav"


def clip_upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="audio/flac")


@pytest.mark.real_engine
@pytest.mark.django_db
def test_rep_enrols_replaces_and_deletes_their_voice(client, alice):
    client.force_login(alice)
    assert client.get(reverse("meetings:voice")).status_code == 200
    # When alice uploads a clip of her voice
    response = client.post(reverse("meetings:voice"), {"clip": clip_upload(CLIP)})
    assert response.status_code == 302
    # Then its embedding is kept and the pipeline will use it
    enrolment = VoiceEnrolment.objects.get(user=alice)
    assert len(enrolment.embedding) == 256 and 10 < enrolment.duration_seconds < 13
    embedding = selectors.enrolment_embedding(alice)
    assert embedding.shape == (256,) and abs(np.linalg.norm(embedding) - 1) < 1e-3
    assert client.get(reverse("meetings:voice_clip")).status_code == 200
    first_file = Path(enrolment.clip.path)
    # When she replaces it with another clip, one enrolment remains, with the new voice
    client.post(reverse("meetings:voice"), {"clip": clip_upload(JFK)})
    replaced = VoiceEnrolment.objects.get(user=alice)
    assert float(np.dot(replaced.embedding, enrolment.embedding)) < 0.9
    assert not first_file.exists()
    # When she deletes it, the pipeline falls back to guessing
    client.post(reverse("meetings:voice_delete"))
    assert not VoiceEnrolment.objects.filter(user=alice).exists()
    assert selectors.enrolment_embedding(alice) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "status"),
    [("notes.txt", b"hello", 400), ("short.wav", None, 400), ("broken.flac", b"fLaC\x00\x00garbage", 400)],
)
def test_unusable_clip_is_refused_with_a_reason(client, alice, tmp_path, name, data, status):
    if data is None:  # two seconds of a real voice: too short to recognise it
        import subprocess

        short = tmp_path / name
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(JFK), "-t", "2", str(short)], check=True)
        data = short.read_bytes()
    client.force_login(alice)
    response = client.post(reverse("meetings:voice"), {"clip": SimpleUploadedFile(name, data)})
    assert response.status_code == status
    assert 'class="errorlist' in response.content.decode()
    assert not VoiceEnrolment.objects.exists()


@pytest.mark.django_db
def test_nobody_hears_someone_elses_clip(client, alice, bob):
    client.force_login(bob)
    assert client.get(reverse("meetings:voice_clip")).status_code == 404
