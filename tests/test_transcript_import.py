"""Imported transcripts (Zoom, Teams, Meet exports) become segments with speaker names."""

import pytest

from meetings.speakers import ImportedSegment, TranscriptImportError, parse_transcript

TEAMS_VTT = """WEBVTT

3f1c2a6e-7d4b-4a53-9d8e-0f2b1c9a1e11/12-0
00:00:01.250 --> 00:00:04.800
<v 山田 太郎>本日はお時間をいただきありがとうございます。</v>

3f1c2a6e-7d4b-4a53-9d8e-0f2b1c9a1e11/13-0
00:00:05.100 --> 00:00:07.000
<v Sato, Hanako (Acme)>よろしくお願いします。</v>
""".encode()

ZOOM_VTT = b"""WEBVTT

1
00:00:02.000 --> 00:00:05.500
Taro Yamada: Thanks for joining today.

2
00:00:05.900 --> 00:00:08.250
Hanako Sato: Happy to. What options do you have?

3
00:00:08.300 --> 00:00:09.000
and what would it cost?
"""

SRT = """1
00:00:00,500 --> 00:00:03,000
山田：はい、なるほど。

2
00:00:03,200 --> 00:00:06,900
佐藤：何かいい方法はありますか？
""".encode()

PLAIN = """[00:00:03] 山田: 本日はありがとうございます。
[00:00:07] 佐藤: よろしくお願いします。
いまの状況をお話しします。
山田: はい。
""".encode()


def test_teams_voice_tags_give_speaker_names_and_times():
    segments = parse_transcript("meeting.vtt", TEAMS_VTT)
    assert segments == [
        ImportedSegment(1.25, 4.8, "山田 太郎", "本日はお時間をいただきありがとうございます。"),
        ImportedSegment(5.1, 7.0, "Sato, Hanako (Acme)", "よろしくお願いします。"),
    ]


def test_zoom_name_prefixes_and_unnamed_cue_continues_the_speaker():
    segments = parse_transcript("GMT20250101-zoom.vtt", ZOOM_VTT)
    assert [s.speaker_name for s in segments] == ["Taro Yamada", "Hanako Sato", "Hanako Sato"]
    assert segments[1].text == "Happy to. What options do you have?"
    assert (segments[2].start, segments[2].end) == (8.3, 9.0)


def test_two_voices_in_one_cue_share_its_time():
    data = (
        b"WEBVTT\n\n00:00:10.000 --> 00:00:14.000\n<v Rep>Right.</v> <v Customer>And the price is what?</v>\n"
    )
    first, second = parse_transcript("x.vtt", data)
    assert (first.speaker_name, second.speaker_name) == ("Rep", "Customer")
    assert first.start == 10.0 and second.end == 14.0 and first.end == second.start


def test_srt_with_full_width_colon():
    segments = parse_transcript("call.srt", SRT)
    assert [(s.start, s.speaker_name, s.text) for s in segments] == [
        (0.5, "山田", "はい、なるほど。"),
        (3.2, "佐藤", "何かいい方法はありますか？"),
    ]


def test_plain_text_with_timestamps_and_continuation_lines():
    segments = parse_transcript("notes.txt", PLAIN)
    assert [s.speaker_name for s in segments] == ["山田", "佐藤", "山田"]
    assert segments[1].text == "よろしくお願いします。 いまの状況をお話しします。"
    assert segments[0].start == 3.0 and segments[0].end <= segments[1].start == 7.0
    assert segments[2].start >= segments[1].end


def test_plain_text_without_times_keeps_order():
    segments = parse_transcript("t.txt", "Rep: Hello there.\nCustomer: Hi.\n".encode("cp932"))
    assert [s.speaker_name for s in segments] == ["Rep", "Customer"]
    assert segments[0].end <= segments[1].start


@pytest.mark.parametrize(
    ("filename", "data", "words"),
    [
        ("empty.vtt", b"", "empty"),
        ("blank.vtt", b"  \n\n", "empty"),
        ("garbage.vtt", bytes(range(256)) * 8, "not a text transcript"),
        ("header-only.vtt", b"WEBVTT\n\n", "No captions"),
        ("no-header.vtt", b"00:00:01.000 --> 00:00:02.000\nA: hi\n", "WEBVTT"),
        ("slides.pdf", b"%PDF-1.7 some text", "Unknown transcript format"),
        ("nameless.srt", b"1\n00:00:01,000 --> 00:00:02,000\nhello\n", "no speaker names"),
    ],
)
def test_unreadable_transcripts_raise_a_clear_error(filename, data, words):
    with pytest.raises(TranscriptImportError) as error:
        parse_transcript(filename, data)
    assert words in str(error.value)


# ── importing through the upload form: no recording, no Whisper ────────────────────────────

SALES_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
<v 山田 太郎>本日はお時間をいただきありがとうございます。</v>

2
00:00:04.500 --> 00:00:06.500
<v 佐藤 花子>何かいい方法はありますか？</v>

3
00:00:06.800 --> 00:00:08.000
<v 山田 太郎>はい、なるほど。</v>

4
00:00:08.200 --> 00:00:14.000
<v 山田 太郎>五人までのお試しプランでしたら、月額一万円でご提案できます。</v>
""".encode()


def upload_transcript(client, name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    return client.post(
        reverse("meetings:list"),
        {
            "files": [SimpleUploadedFile(name, data, content_type="text/vtt")],
            "held_on": "2026-11-20",
            "language": "ja",
            "title": "",
            "customer_name": "Acme",
        },
    )


@pytest.fixture
def no_queue(monkeypatch):
    """Tasks queued after commit, recorded instead of sent to a broker."""
    from meetings import services, tasks

    sent = []
    monkeypatch.setattr(services, "meeting_enqueue", lambda meeting_id: sent.append(("whisper", meeting_id)))
    monkeypatch.setattr(tasks.meeting_analyse_transcript, "delay", lambda i: sent.append(("analyse", i)))
    monkeypatch.setattr(tasks.meeting_reanalyse, "delay", lambda i: sent.append(("reanalyse", i)))
    return sent


@pytest.mark.django_db
def test_vtt_import_maps_names_once_and_is_analysed_without_whisper(
    client, alice, no_queue, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from coaching.models import MeetingScore
    from meetings import tasks
    from meetings.models import Meeting

    client.force_login(alice)
    # Given alice uploads a Teams transcript in the upload form
    with django_capture_on_commit_callbacks(execute=True):
        response = upload_transcript(client, "acme.vtt", SALES_VTT)
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    # Then it waits for the speaker mapping, with no recording and nothing sent to Whisper
    assert meeting.status == Meeting.Status.MAPPING and not meeting.audio
    assert no_queue == []
    assert list(meeting.segments.values_list("speaker_name", "speaker")) == [
        ("山田 太郎", ""),
        ("佐藤 花子", ""),
        ("山田 太郎", ""),
        ("山田 太郎", ""),
    ]
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert reverse("meetings:speakers_map", args=[meeting.pk]) in page
    assert reverse("meetings:audio", args=[meeting.pk]) not in page  # no player without a recording
    assert client.get(reverse("meetings:audio", args=[meeting.pk])).status_code == 404
    # When she maps the names on the mapping page
    mapping_page = client.get(reverse("meetings:speakers_map", args=[meeting.pk])).content.decode()
    assert "山田 太郎" in mapping_page and "佐藤 花子" in mapping_page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("meetings:speakers_map", args=[meeting.pk]), {"speaker_0": "rep", "speaker_1": "customer"}
        )
    assert response.status_code == 302
    # Then the mapping is remembered, the lines have roles, and analysis (not Whisper) is queued
    meeting.refresh_from_db()
    assert meeting.speaker_mapping == {"山田 太郎": "rep", "佐藤 花子": "customer"}
    assert list(meeting.segments.values_list("speaker", flat=True)) == ["rep", "customer", "rep", "rep"]
    assert no_queue == [("analyse", meeting.pk)]
    # And the worker's analysis finds the customer's ask, the rep's two affirmations and proposal
    tasks.meeting_analyse_transcript(meeting.pk)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DONE and meeting.speaker_method == "import"
    score = MeetingScore.objects.get(meeting=meeting)
    assert (score.asks, score.affirmations, score.proposals) == (1, 2, 1)  # はい + なるほど
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "本日はお時間をいただきありがとうございます" in page  # the transcript, without a player
    # And mapping again later (a swap of the two names) re-analyses instead of starting over
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("meetings:speakers_map", args=[meeting.pk]), {"speaker_0": "customer", "speaker_1": "rep"}
        )
    assert no_queue[-1] == ("reanalyse", meeting.pk)
    tasks.meeting_reanalyse(meeting.pk)
    assert MeetingScore.objects.get(meeting=meeting).asks == 0


@pytest.mark.django_db
def test_mapping_needs_a_rep(client, alice, no_queue):
    from django.urls import reverse

    from meetings.models import Meeting

    client.force_login(alice)
    upload_transcript(client, "acme.vtt", SALES_VTT)
    meeting = Meeting.objects.get()
    response = client.post(
        reverse("meetings:speakers_map", args=[meeting.pk]),
        {"speaker_0": "customer", "speaker_1": "customer"},
    )
    assert response.status_code == 400
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.MAPPING and no_queue == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("empty.vtt", b"", "empty"),
        ("broken.vtt", b"WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nA: hi\n", "ends before it starts"),
        ("binary.vtt", bytes(range(256)) * 8, "not a text transcript"),
    ],
)
def test_corrupted_or_empty_vtt_upload_gets_a_clear_error_and_stores_nothing(
    client, alice, no_queue, name, data, words
):
    from django.utils.html import escape

    from meetings.models import Meeting

    client.force_login(alice)
    response = upload_transcript(client, name, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert escape(name) in page and escape(words) in page
    assert not Meeting.objects.exists() and no_queue == []


@pytest.mark.django_db
def test_outsider_cannot_map_someone_elses_transcript(client, alice, erin, no_queue):
    from django.urls import reverse

    from meetings.models import Meeting

    client.force_login(alice)
    upload_transcript(client, "acme.vtt", SALES_VTT)
    meeting = Meeting.objects.get()
    client.force_login(erin)
    url = reverse("meetings:speakers_map", args=[meeting.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"speaker_0": "rep", "speaker_1": "customer"}).status_code == 404
