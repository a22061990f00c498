"""Stereo recordings with the rep and the customer on separate channels (real speech, constructed turns)."""

import json
from pathlib import Path

import numpy as np
import pytest

from meetings.speakers import attribute_speakers, role_confusion
from meetings.speakers.metrics import construct_meeting, read_mono, write_wav

DATA = Path(__file__).parent / "data"
CLIPS = DATA / "common_voice_ja" / "audio"
SYNTHETIC = DATA / "synthetic_meeting_ja"


def clip(number: str) -> np.ndarray:
    return read_mono(CLIPS / f"common_voice_ja_{number}_16k.wav")


@pytest.fixture(scope="session")
def call(tmp_path_factory):
    """Two real voices, rep (A) left and customer (B) right, each channel hearing the other at -20 dB."""
    meeting = construct_meeting({"A": [clip("38925334")], "B": [clip("38843402"), clip("38878413")]}, seed=1)
    roles = {"A": "rep", "B": "customer"}
    folder = tmp_path_factory.mktemp("stereo")
    stereo = folder / "call.wav"
    write_wav(stereo, meeting.stereo(roles, bleed_db=-20.0))
    duplicated = folder / "duplicated.wav"
    write_wav(duplicated, np.repeat(meeting.mono()[:, None], 2, axis=1))
    reference = [(s, e, roles[speaker]) for s, e, speaker in meeting.turns]
    return stereo, duplicated, reference


def hypothesis(reference, labels):
    return [(s, e, label) for (s, e, _), label in zip(reference, labels, strict=True)]


def test_separated_channels_decide_the_role_despite_crosstalk(call):
    stereo, _, reference = call
    result = attribute_speakers(stereo, [(s, e) for s, e, _ in reference])
    assert result.method == "stereo"
    assert role_confusion(reference, hypothesis(reference, result.labels)) <= 0.03
    assert len(result.segment_confidence) == len(reference)


def test_rep_on_the_right_channel_swaps_the_roles(call):
    stereo, _, reference = call
    segments = [(s, e) for s, e, _ in reference]
    left = attribute_speakers(stereo, segments, rep_channel=0).labels
    right = attribute_speakers(stereo, segments, rep_channel=1).labels
    assert right == ["customer" if label == "rep" else "rep" for label in left]


@pytest.mark.real_engine
def test_mono_duplicated_into_two_channels_falls_back_to_voices(call):
    _, duplicated, reference = call
    result = attribute_speakers(duplicated, [(s, e) for s, e, _ in reference])
    assert result.method.startswith("mono")


def test_synthetic_japanese_meeting_stereo_is_attributed_by_channel(tmp_path):
    soundfile = pytest.importorskip("soundfile")
    samples, rate = soundfile.read(SYNTHETIC / "meeting_stereo.flac", dtype="float32")
    wav = tmp_path / "meeting.wav"
    write_wav(wav, samples, rate)
    turns = json.loads((SYNTHETIC / "turns.json").read_text(encoding="utf-8"))["turns"]
    reference = [(t["start"], t["end"], t["speaker"]) for t in turns]
    result = attribute_speakers(wav, [(s, e) for s, e, _ in reference])
    assert result.method == "stereo"
    assert role_confusion(reference, hypothesis(reference, result.labels)) <= 0.03


def test_role_confusion_counts_wrong_and_unattributed_time():
    reference = [(0.0, 4.0, "rep"), (4.0, 6.0, "customer")]
    hypothesis_ = [(0.0, 3.0, "rep"), (3.0, 5.0, "customer")]
    # 1 s of rep speech given to the customer, 1 s of customer speech not attributed at all.
    assert role_confusion(reference, hypothesis_) == pytest.approx(2.0 / 6.0)
