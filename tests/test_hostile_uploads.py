"""Hostile and broken files through every door: the upload form, the API and `manage.py analyze`.

Each is refused with the sentence for what it is, in the reader's language (ja and en), never a
traceback; nothing is stored for it (no meeting, no file left on disk) and what was stored
before is untouched.
"""

import html
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from meetings.models import Meeting
from tests.api_helpers import key_client
from tests.conftest import JFK_WAV
from tests.hostile_files import REFUSED_AT_UPLOAD, TRUNCATED_MP3, Case, text_named_m4a, tone_wav

pytestmark = pytest.mark.django_db

CASES = pytest.mark.parametrize("case", REFUSED_AT_UPLOAD, ids=[c.id for c in REFUSED_AT_UPLOAD])
LANGUAGES = pytest.mark.parametrize("language", ["en", "ja"])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    """Every hostile file, made once for the module (each in its own folder: names repeat)."""
    made = {}
    for case in [*REFUSED_AT_UPLOAD, TRUNCATED_MP3]:
        made[case.id] = case.make(tmp_path_factory.mktemp(case.id))
    return made


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr("meetings.services.meeting_enqueue", lambda *, meeting_id: sent.append(meeting_id))
    return sent


def files_under(folder: str | Path) -> set[Path]:
    root = Path(folder)
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def stored(alice, make_meeting):
    """alice's earlier meeting and a snapshot of the media and upload folders, which no refused
    file may change."""
    meeting = make_meeting(alice, title="Earlier call")
    before = (files_under(settings.MEDIA_ROOT), files_under(settings.FILE_UPLOAD_TEMP_DIR))
    audio_bytes = Path(meeting.audio.path).read_bytes()

    def assert_intact() -> None:
        meeting.refresh_from_db()
        assert list(Meeting.objects.values_list("title", "status")) == [("Earlier call", "done")]
        assert Path(meeting.audio.path).read_bytes() == audio_bytes
        after = (files_under(settings.MEDIA_ROOT), files_under(settings.FILE_UPLOAD_TEMP_DIR))
        assert after == before, "a refused upload left a file behind"

    return assert_intact


def speaks(user, language: str) -> None:
    user.profile.language = language
    user.profile.save()


def expected(case: Case, language: str) -> str:
    return case.ja if language == "ja" else case.en


def multipart(field: str, filename: str, content: bytes, **fields: str) -> tuple[bytes, str]:
    """A multipart body with the client's file name exactly as given (Django's test client would
    strip a path from it, a hostile client does not)."""
    boundary = "hostile-boundary-7MA4YWxkTrZu0gW"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


FORM_FIELDS = {"held_on": "2026-11-20", "language": "auto", "title": "", "customer_name": ""}


def form_upload(client, filename: str, content: bytes):
    body, content_type = multipart("files", filename, content, **FORM_FIELDS)
    return client.post(reverse("meetings:list"), data=body, content_type=content_type)


def api_upload(user, filename: str, content: bytes, language: str):
    body, content_type = multipart("file", filename, content, held_on="2026-11-20")
    return key_client(user).post(
        "/api/v1/meetings/", data=body, content_type=content_type, HTTP_ACCEPT_LANGUAGE=language
    )


# --- the upload form ------------------------------------------------------------------------------


@CASES
@LANGUAGES
def test_upload_form_refuses_each_hostile_file_in_the_readers_language(
    client, alice, stored, queued, corpus, case, language
):
    # Given a rep who reads the app in `language`
    speaks(alice, language)
    client.force_login(alice)
    path = corpus[case.id]
    # When she uploads the hostile file through the form
    response = form_upload(client, path.name, path.read_bytes())
    # Then the form says what the file is, in her language, and nothing is stored
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert f"{path.name}: " in page and expected(case, language) in page
    assert "Traceback" not in page
    assert queued == []
    stored()


# --- the API --------------------------------------------------------------------------------------


@CASES
@LANGUAGES
def test_api_refuses_each_hostile_file_in_the_requests_language(
    alice, stored, queued, corpus, case, language
):
    path = corpus[case.id]
    response = api_upload(alice, path.name, path.read_bytes(), language)
    assert response.status_code == 400
    (message,) = response.json()["file"]
    if case.id == "zero-bytes":  # DRF's file field refuses it first, in its own words
        assert (
            message
            == {"en": "The submitted file is empty.", "ja": "添付ファイルの中身が空でした。"}[language]
        )
    else:
        assert expected(case, language) in message
    assert queued == []
    stored()


# --- manage.py analyze ----------------------------------------------------------------------------


@pytest.fixture
def terminal(monkeypatch):
    """The language of the terminal `analyze` runs in, as its locale variables say."""

    def set_language(language: str) -> None:
        for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
            monkeypatch.delenv(variable, raising=False)
        monkeypatch.setenv("LANG", "ja_JP.UTF-8" if language == "ja" else "en_US.UTF-8")

    return set_language


@pytest.mark.parametrize(
    "case", [*REFUSED_AT_UPLOAD, TRUNCATED_MP3], ids=[*(c.id for c in REFUSED_AT_UPLOAD), TRUNCATED_MP3.id]
)
@LANGUAGES
def test_analyze_command_names_what_is_wrong_in_the_terminals_language(corpus, terminal, case, language):
    terminal(language)
    path = corpus[case.id]
    with pytest.raises(CommandError) as exc:
        call_command("analyze", str(path))
    assert str(exc.value).startswith(f"{path}: ")
    assert expected(case, language) in str(exc.value)
    assert not list(path.parent.glob("*.part")), "no half-decoded file is left beside the input"


def test_analyze_command_prints_the_sentence_without_a_traceback(tmp_path):
    # Given a text file named like a recording, run as a person runs it (a real manage.py process)
    path = text_named_m4a(tmp_path)
    env = {"PATH": "/usr/bin:/bin", "LANG": "ja_JP.UTF-8", "DJANGO_SETTINGS_MODULE": "aizuchi.test_settings"}
    run = subprocess.run(
        [sys.executable, "manage.py", "analyze", str(path)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Then it exits non-zero with one line in Japanese, and no traceback
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "音声・動画ファイルではありません（テキストのようです）" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr


# --- a file name with a path and markup -----------------------------------------------------------


HOSTILE_NAME = "../../<script>x.wav"


def test_a_name_with_a_path_and_markup_is_stored_as_its_last_part_and_shown_as_text(
    client, alice, queued, tmp_path
):
    client.force_login(alice)
    response = form_upload(client, HOSTILE_NAME, JFK_WAV.read_bytes())
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    # The client's folders are dropped and the stored file's name is the product's own
    assert meeting.original_filename == "<script>x.wav"
    assert Path(meeting.audio.path).parent == Path(settings.MEDIA_ROOT) / meeting.audio_dir
    assert meeting.audio.name == f"{meeting.audio_dir}/original.wav"
    # Pages show the name as text, never as markup
    for url in (reverse("meetings:detail", args=[meeting.pk]), reverse("meetings:list")):
        page = client.get(url).content.decode()
        assert "<script>x" not in page and "&lt;script&gt;x" in page


@LANGUAGES
def test_a_refused_file_with_a_hostile_name_is_named_as_text(
    client, alice, stored, queued, tmp_path, language
):
    speaks(alice, language)
    client.force_login(alice)
    response = form_upload(client, HOSTILE_NAME, text_named_m4a(tmp_path).read_bytes())
    assert response.status_code == 400
    page = response.content.decode()
    assert "<script>x" not in page and "&lt;script&gt;x.wav: " in page
    stored()
    api = api_upload(alice, HOSTILE_NAME, b"hello, I am text", language)
    assert api.status_code == 400
    assert ("テキストのようです" if language == "ja" else "it looks like text") in api.json()["file"][0]
    stored()


def test_a_wav_header_claiming_more_than_the_file_holds_is_accepted_for_what_it_holds(
    client, alice, queued, tmp_path
):
    from tests.hostile_files import wav_data_size_past_the_end

    path = wav_data_size_past_the_end(tmp_path)
    client.force_login(alice)
    response = form_upload(client, path.name, path.read_bytes())
    assert response.status_code == 302
    assert Meeting.objects.get().duration_seconds == pytest.approx(5.0, abs=0.01)


def test_a_good_file_beside_a_hostile_one_is_still_queued(client, alice, queued, tmp_path, corpus):
    tone = tone_wav(tmp_path / "good call.wav")
    client.force_login(alice)
    handles = [tone.open("rb"), corpus["text-named-m4a"].open("rb")]
    try:
        response = client.post(reverse("meetings:list"), {**FORM_FIELDS, "files": handles})
    finally:
        for handle in handles:
            handle.close()
    assert response.status_code == 400
    assert list(Meeting.objects.values_list("original_filename", flat=True)) == ["good call.wav"]
