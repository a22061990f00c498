"""One-channel recordings: voice embeddings decide, the rep's enrolment picks the rep's voice.

Real voices (Common Voice Japanese read speech) with constructed turn-taking.
"""

from pathlib import Path

import numpy as np
import pytest

from meetings.speakers import attribute_speakers, role_confusion, voice_embedding
from meetings.speakers.metrics import construct_meeting, read_mono, write_wav

pytestmark = pytest.mark.real_engine

CLIPS = Path(__file__).parent / "data" / "common_voice_ja" / "audio"


def clip(number: str) -> np.ndarray:
    return read_mono(CLIPS / f"common_voice_ja_{number}_16k.wav")


@pytest.fixture(scope="session")
def meetings(tmp_path_factory):
    """Mono meetings of real voices; each rep's enrolment clip is not part of the meeting."""
    folder = tmp_path_factory.mktemp("mono")
    built = {}
    cases = {
        # The customer (A) opens, so "who speaks first" would pick the wrong voice.
        "customer_first": ({"A": [clip("38925334")], "B": [clip("38843402")]}, "B", "38878413", "A"),
        "two_customers": (
            {"A": [clip("38925334")], "E": [clip("38852485")], "C": [clip("38898180")]},
            "A",
            "38853932",
            "A",
        ),
    }
    for name, (voices, rep, enrol, first) in cases.items():
        meeting = construct_meeting(voices, seed=3, first=first)
        wav = folder / f"{name}.wav"
        write_wav(wav, meeting.mono())
        roles = {s: "rep" if s == rep else "customer" for s in voices}
        reference = [(s, e, roles[speaker]) for s, e, speaker in meeting.turns]
        built[name] = (wav, reference, voice_embedding(clip(enrol)))
    return built


def labelled(reference, labels):
    return [(s, e, label) for (s, e, _), label in zip(reference, labels, strict=True)]


def test_enrolled_rep_is_found_even_when_the_customer_speaks_first(meetings):
    wav, reference, enrolment = meetings["customer_first"]
    result = attribute_speakers(wav, [(s, e) for s, e, _ in reference], enrolment=enrolment)
    assert result.method == "mono-enrolled"
    assert role_confusion(reference, labelled(reference, result.labels)) <= 0.10


def test_two_customers_both_stay_customers(meetings):
    wav, reference, enrolment = meetings["two_customers"]
    result = attribute_speakers(wav, [(s, e) for s, e, _ in reference], enrolment=enrolment)
    assert role_confusion(reference, labelled(reference, result.labels)) <= 0.10
    assert result.labels.count("rep") < len(result.labels) / 2


def test_without_enrolment_the_guess_is_marked_unsure(meetings):
    wav, reference, _ = meetings["two_customers"]
    result = attribute_speakers(wav, [(s, e) for s, e, _ in reference])
    assert result.method == "mono-heuristic"
    assert result.confidence < 0.5
    # The heuristic takes the first speaker as the rep; here the rep does open.
    assert role_confusion(reference, labelled(reference, result.labels)) <= 0.10


def test_voice_embedding_is_closer_for_the_same_voice():
    same = voice_embedding(clip("38925334")) @ voice_embedding(clip("38853932"))
    other = voice_embedding(clip("38925334")) @ voice_embedding(clip("38843402"))
    assert same > other + 0.1
