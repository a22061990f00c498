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
