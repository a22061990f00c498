"""Short turns in mono: a 「はい」 is given to the voice that said it, learnt from the meeting itself.

The classifier (meetings/speakers/short_turns.py) is exercised with voiced signals of known pitch
and an embedding that is only informative for long speech, as a voice encoder's is: short turns
must then be decided by what the long turns teach (pitch here), and a turn's group must not move
when nothing separates the voices.
"""

import numpy as np
import pytest

from meetings.speakers.short_turns import pitch_features, regroup_short_turns

RATE = 16_000


def voiced(f0: float, seconds: float, seed: int) -> np.ndarray:
    """A harmonic complex with jitter: speech-like enough for a pitch tracker."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    wobble = f0 * (1 + 0.03 * np.sin(2 * np.pi * rng.uniform(2, 5) * t))
    phase = 2 * np.pi * np.cumsum(wobble) / RATE
    signal = sum(np.sin(k * phase) / k for k in range(1, 8))
    return (0.1 * signal + 0.002 * rng.standard_normal(len(t))).astype(np.float32)


def meeting(pitches: dict[int, float], *, seed: int = 0):
    """Long turns of two voices (group 0 and 1) and short turns of each, the short ones put in
    the wrong group as a nearest-centroid decision on a noisy embedding would."""
    rng = np.random.default_rng(seed)
    speech, groups, truth = [], [], []
    for i in range(16):
        voice = i % 2
        speech.append(voiced(pitches[voice], rng.uniform(2.0, 4.0), seed * 100 + i))
        groups.append(voice)
        truth.append(voice)
    for i in range(8):
        voice = i % 2
        speech.append(voiced(pitches[voice], rng.uniform(0.3, 0.6), seed * 100 + 50 + i))
        groups.append(1 - voice)
        truth.append(voice)
    return speech, np.array(groups), np.array(truth)


def uninformative_embedding(clip: np.ndarray) -> np.ndarray:
    """What a voice encoder gives a short clip of two similar voices: nothing to tell them apart."""
    rng = np.random.default_rng(len(clip))
    e = rng.standard_normal(16)
    return e / np.linalg.norm(e)


def run(speech, groups):
    weights = np.array([len(s) / RATE for s in speech])
    embeddings = np.array([uninformative_embedding(s) for s in speech])
    return regroup_short_turns(lambda i: speech[i], uninformative_embedding, embeddings, weights, groups)


def test_pitch_tracks_the_voice():
    low, high = pitch_features(voiced(120, 0.4, 1)), pitch_features(voiced(230, 0.4, 2))
    assert np.exp(low[0]) == pytest.approx(120, rel=0.08)
    assert np.exp(high[0]) == pytest.approx(230, rel=0.08)
    assert pitch_features(np.zeros(8000, np.float32))[2] == 1.0  # silence: flagged unvoiced


def test_short_turns_go_to_the_voice_the_long_turns_teach():
    speech, groups, truth = meeting({0: 120.0, 1: 230.0})
    regrouped, probability = run(speech, groups)
    short = slice(16, None)
    assert (regrouped[short] == truth[short]).all()
    assert (regrouped[:16] == groups[:16]).all()  # long turns keep their group
    assert np.isnan(probability[:16]).all() and (probability[short] > 0.5).all()


def test_too_few_long_turns_leave_the_groups_as_they_were():
    speech, groups, _ = meeting({0: 120.0, 1: 230.0})
    keep = [0, 1, 2, 16, 17]  # two long turns of one voice, one of the other
    regrouped, probability = run([speech[i] for i in keep], groups[keep])
    assert (regrouped == groups[keep]).all()
    assert np.isnan(probability).all()
