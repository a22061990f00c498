"""The upload form says what is wrong with a post, on the form, in the reader's language, and
stores nothing: too many files, a title or customer too long, a language we do not offer."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.models import Meeting
from tests.conftest import JFK_WAV

pytestmark = pytest.mark.django_db


def _post(client, files, **fields):
    data = {"held_on": "2026-11-20", "language": "auto", "title": "", "customer_name": "", **fields}
    data["files"] = files
    return client.post(reverse("meetings:list"), data)


def _wav(name="call.wav"):
    return SimpleUploadedFile(name, JFK_WAV.read_bytes(), content_type="audio/wav")


@pytest.mark.parametrize(
    "language, expected",
    [
        ("en", "Upload at most 10 files at once."),
        ("ja", "一度にアップロードできるのは 10 ファイルまでです。"),
    ],
)
def test_too_many_files_are_refused_on_the_form(client, alice, settings, language, expected):
    settings.AIZUCHI_MAX_FILES_PER_UPLOAD = 10
    alice.profile.language = language
    alice.profile.save()
    client.force_login(alice)
    response = _post(client, [_wav(f"call{i}.wav") for i in range(12)])
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert 'name="files"' in response.content.decode()  # the form is shown again, not a bare error page
    assert Meeting.objects.count() == 0


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"title": "x" * 201}, "title"),
        ({"customer_name": "株式会社" * 60}, "customer_name"),
        ({"language": "klingon"}, "language"),
    ],
)
def test_title_customer_and_language_errors_are_shown_beside_their_field(client, alice, fields, field):
    client.force_login(alice)
    response = _post(client, [_wav()], **fields)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors[field]
    assert str(form.errors[field][0]) in response.content.decode()
    assert Meeting.objects.count() == 0
