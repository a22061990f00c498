"""The meeting page: moments highlighted in the right line, KPI summary, waveform peaks."""

import json
import re
import uuid

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from coaching.engine import turns_from_segments
from coaching.transcript import _turn_layout, transcript_lines
from coaching.waveform import compute_peaks, peaks_cached
from meetings import filestore
from meetings.audio import read_samples
from tests.coaching_pages import FAST_HASHERS, analysed_ja_meeting
from tests.conftest import JFK_WAV

SEGMENTS = [
    {"index": 0, "start": 0.0, "end": 2.0, "speaker": "customer", "text": " 提案をください。"},
    {"index": 1, "start": 2.0, "end": 4.0, "speaker": "rep", "text": "そうですね。"},
    {"index": 2, "start": 4.0, "end": 6.0, "speaker": "rep", "text": "弊社の事例では"},
    {"index": 3, "start": 6.0, "end": 8.0, "speaker": None, "text": "  "},
    {"index": 4, "start": 8.0, "end": 9.0, "speaker": "customer", "text": "ok then"},
    {"index": 5, "start": 9.0, "end": 10.0, "speaker": "customer", "text": "sounds good"},
]


def test_turn_layout_joins_segments_exactly_like_the_engine():
    turns = turns_from_segments(SEGMENTS)
    layout = _turn_layout(SEGMENTS)
    assert len(layout) == len(turns)
    for turn, parts in zip(turns, layout, strict=True):
        for pos, offset in parts:
            text = SEGMENTS[pos]["text"].strip()
            assert turn.text[offset : offset + len(text)] == text


def test_a_moment_in_the_second_segment_of_a_turn_lands_on_that_line():
    # Turn 1 is 「そうですね。」+「弊社の事例では」; the case study starts at character 6.
    moments = [
        {
            "id": 7,
            "behaviour_key": "rep_case_study",
            "turn_index": 1,
            "char_start": 6,
            "char_end": 11,
            "time": 3.0,
        },
        {
            "id": 8,
            "behaviour_key": "rep_affirmation",
            "turn_index": 1,
            "char_start": 0,
            "char_end": 5,
            "time": 2.0,
        },
    ]
    lines = {line.index: line for line in transcript_lines(SEGMENTS, moments)}
    assert [p.text for p in lines[2].pieces] == ["弊社の事例", "では"]
    assert lines[2].pieces[0].moment["id"] == 7
    # The time is clamped into the line it is shown in, so clicking it plays that line
    assert lines[2].moments[0]["time"] == 4.0
    assert [p.text for p in lines[1].pieces] == ["そうですね", "。"]
    assert [p.text for p in lines[0].pieces] == ["提案をください。"]


def test_peaks_are_the_loudest_sample_of_each_slice(tmp_path):
    data = compute_peaks(JFK_WAV, buckets=100)
    samples = np.abs(read_samples(JFK_WAV))
    assert len(data["peaks"]) == 100
    assert data["duration"] == pytest.approx(samples.size / 16000, abs=0.01)
    assert max(data["peaks"]) == pytest.approx(float(samples.max()), abs=0.001)
    assert data["peaks"][0] == pytest.approx(float(samples[: samples.size // 100].max()), abs=0.001)


def test_peaks_are_cached_beside_the_audio_and_missing_audio_gives_none():
    folder = f"meetings/{uuid.uuid4()}"
    filestore.save_file(f"{folder}/audio16k.wav", JFK_WAV)
    first = peaks_cached(f"{folder}/audio16k.wav", f"{folder}/peaks.json")
    assert json.loads(filestore.read_bytes(f"{folder}/peaks.json"))["peaks"] == first["peaks"]
    default_storage.delete(f"{folder}/audio16k.wav")
    # the cache outlives the WAV
    assert peaks_cached(f"{folder}/audio16k.wav", f"{folder}/peaks.json")["peaks"] == first["peaks"]
    assert peaks_cached(f"{folder}/none.wav", f"{folder}/none.json") is None


@pytest.mark.django_db
def test_meeting_page_shows_kpis_and_highlights_moments(client, settings, alice, make_meeting):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    # Given a Japanese meeting analysed by the real engine
    meeting = analysed_ja_meeting(make_meeting, alice)
    client.force_login(alice)
    # When alice opens it
    html = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    # Then the KPI summary, the highlighted moments and the not-right buttons are there
    assert 'id="kpis"' in html
    assert html.count('<mark class="moment"') == meeting.moments.count() > 0
    assert "御社でしたら、何から始めればいいと思いますか" in re.sub(r"<[^>]+>", "", html)
    assert "customer_asks_for_proposal" in set(meeting.moments.values_list("behaviour_key", flat=True))
    assert 'class="tool not-right' in html
    # And the waveform peaks come from the WAV the pipeline leaves
    peaks = client.get(reverse("coaching:peaks", args=[meeting.pk])).json()
    assert len(peaks["peaks"]) > 100 and peaks["duration"] > 10


@pytest.mark.django_db
def test_peaks_fall_back_to_nothing_without_the_wav(client, settings, alice, make_meeting):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    meeting = make_meeting(alice, duration_seconds=11.0)
    client.force_login(alice)
    data = client.get(reverse("coaching:peaks", args=[meeting.pk])).json()
    assert data == {"peaks": None, "duration": 11.0}
