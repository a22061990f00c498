"""A person's data export: a zip of JSON and audio that a rep downloads for themselves and an
admin for anyone; nobody else can (404)."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from privacy.models import ErasureLog
from reviews.services import comment_create
from tests.coaching_pages import analysed_ja_meeting
from tests.conftest import JFK_WAV

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_data(media, alice, bob, carol, make_meeting):
    """alice's analysed meeting with carol's comment, and alice's comment on bob's meeting."""
    meeting = analysed_ja_meeting(make_meeting, alice)
    comment_create(author=carol, meeting=meeting, body="ここで事例を出せたのは良いです", segment_index=3)
    bobs = make_meeting(bob, title="Bob's call", customer_name="Secret Corp")
    comment_create(author=alice, meeting=bobs, body="参考になりました")
    return meeting


def streamed(response) -> zipfile.ZipFile:
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_rep_downloads_her_own_data(client, alice, alices_data):
    client.force_login(alice)
    page = client.get(reverse("privacy:home")).content.decode()
    assert reverse("privacy:export", args=[alice.pk]) in page
    archive = streamed(client.get(reverse("privacy:export", args=[alice.pk])))
    folder = f"meetings/{alices_data.pk}"
    assert sorted(archive.namelist()) == sorted(
        [
            "person.json",
            f"{folder}/meeting.json",
            f"{folder}/transcript.json",
            f"{folder}/moments.json",
            f"{folder}/comments.json",
            f"{folder}/audio/jfk.wav",
            "comments_written.json",
            "feedback.json",
        ]
    )
    # The recording is the very file uploaded
    assert archive.read(f"{folder}/audio/jfk.wav") == JFK_WAV.read_bytes()
    meeting = json.loads(archive.read(f"{folder}/meeting.json"))
    assert meeting["customer_name"] == "山田商事" and meeting["scores"]["kpis"]
    transcript = json.loads(archive.read(f"{folder}/transcript.json"))
    assert [s["text"] for s in transcript][2] == "御社でしたら、何から始めればいいと思いますか？"
    moments = json.loads(archive.read(f"{folder}/moments.json"))
    assert {m["behaviour_key"] for m in moments} >= {"customer_asks_for_proposal"}
    assert [c["body"] for c in json.loads(archive.read(f"{folder}/comments.json"))] == [
        "ここで事例を出せたのは良いです"
    ]
    # Her comment on bob's meeting is hers; bob's meeting itself is not in her export
    written = json.loads(archive.read("comments_written.json"))
    assert [c["body"] for c in written] == ["参考になりました"]
    assert b"Secret Corp" not in b"".join(archive.read(n) for n in archive.namelist())
    assert json.loads(archive.read("person.json"))["username"] == "alice"
    # And the export is audited
    row = ErasureLog.objects.get(action=ErasureLog.Action.EXPORTED)
    assert row.actor == alice and row.subject_user_id == alice.pk
    assert row.counts == {"meetings": 1, "audio_files": 1}


@pytest.mark.parametrize("who", ["bob", "carol", "erin"])
def test_nobody_but_an_admin_exports_another_person(client, request, alice, alices_data, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("privacy:export", args=[alice.pk])).status_code == 404
    assert not ErasureLog.objects.exists()


def test_admin_exports_anyone(client, admin_user, alice, alices_data):
    client.force_login(admin_user)
    page = client.get(reverse("privacy:home")).content.decode()
    assert reverse("privacy:export", args=[alice.pk]) in page
    archive = streamed(client.get(reverse("privacy:export", args=[alice.pk])))
    assert f"meetings/{alices_data.pk}/audio/jfk.wav" in archive.namelist()
    assert client.get(reverse("privacy:export", args=[99999])).status_code == 404


def test_export_person_command_writes_the_zip(tmp_path, alice, alices_data, capsys):
    out = tmp_path / "alice.zip"
    call_command("export_person", "alice", "--out", str(out))
    assert "1 meetings, 1 audio files" in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        assert archive.read(f"meetings/{alices_data.pk}/audio/jfk.wav") == JFK_WAV.read_bytes()
    assert not Path(str(out) + ".part").exists()


def test_a_meeting_whose_recording_expired_exports_without_audio(media, alice, alices_data, tmp_path):
    from django.utils import timezone

    from privacy.retention import meeting_audio_expire

    meeting_audio_expire(meeting=alices_data, now=timezone.now(), reason="test")
    out = tmp_path / "a.zip"
    call_command("export_person", str(alice.pk), "--out", str(out))
    with zipfile.ZipFile(out) as archive:
        assert not [n for n in archive.namelist() if "/audio/" in n]
        meeting = json.loads(archive.read(f"meetings/{alices_data.pk}/meeting.json"))
        assert meeting["recording_removed_at"]


def test_a_long_recording_is_copied_into_the_zip_in_blocks_not_held_in_memory(
    media, alice, make_meeting, tmp_path
):
    import tracemalloc

    big = tmp_path / "long.wav"
    with big.open("wb") as handle:
        for _ in range(40):
            handle.write(b"\x01\x02" * (512 * 1024))  # 40 MiB
    make_meeting(alice, audio=big)
    out = tmp_path / "big.zip"
    tracemalloc.start()
    try:
        call_command("export_person", "alice", "--out", str(out))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.stat().st_size > 40 * 1024 * 1024
    assert peak < 5 * 1024 * 1024, f"export held {peak / 1e6:.1f} MB in memory"
