"""Word-level speaker attribution: a Whisper segment that spans a speaker change is split, so a
rep's short 「はい、なるほど」 inside the customer's sentence counts for the rep.

Real engines on the synthetic two-voice meeting (tests/data/synthetic_meeting_ja: synthetic
speech, constructed turns; exact turn times in turns.json) and on JFK; pure splitting rules on
plain data.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from meetings import audio, transcription
from meetings.pipeline import _segment_dict
from meetings.speakers import attribute_segments, role_confusion, voice_embedding
from meetings.speakers.metrics import read_mono, wrong_role_share
from meetings.speakers.words import WordSpan, join_words, split_by_words

DATA = Path(__file__).parent / "data"
SYNTHETIC = DATA / "synthetic_meeting_ja"
JFK = DATA / "jfk" / "jfk.wav"


# ── pure rules ──────────────────────────────────────────────────────────────────────────────


def segment(words, text=None):
    spans = [WordSpan(s, e, t) for s, e, t in words]
    return {"start": spans[0].start, "end": spans[-1].end, "text": text or join_words(spans), "words": words}


def test_segment_is_split_where_its_words_change_speaker_and_japanese_joins_without_spaces():
    # Given the customer's sentence with the rep's 「はい」「なるほど」 in front (Whisper merged them)
    merged = segment(
        [(17.7, 18.2, "はい"), (18.2, 19.1, "なるほど"), (19.6, 20.0, "若"), (20.0, 20.4, "手が")]
    )
    # When the words are attributed rep, rep, customer, customer
    out, split = split_by_words([merged], ["customer"], [["rep", "rep", "customer", "customer"]], [[0.9] * 4])
    # Then there are two segments with the words' times and text, nothing lost
    assert split == 1
    assert out == [
        {"start": 17.7, "end": 19.1, "text": "はいなるほど", "speaker": "rep"},
        {"start": 19.6, "end": 20.4, "text": "若手が", "speaker": "customer"},
    ]


def test_english_words_keep_their_spaces_when_joined():
    merged = segment([(0.0, 0.3, " Thanks"), (0.3, 0.6, " all."), (0.9, 1.2, " Sure,"), (1.2, 1.5, " go.")])
    out, _ = split_by_words([merged], ["rep"], [["rep", "rep", "customer", "customer"]], [[0.9] * 4])
    assert [s["text"] for s in out] == ["Thanks all.", "Sure, go."]


def test_a_short_unclear_flip_inside_a_sentence_does_not_split_it():
    # One 0.1 s syllable leaning the other way with little evidence is noise, not a turn
    sentence = segment([(0.0, 0.5, "営業"), (0.5, 0.6, "は"), (0.6, 1.4, "十人ほど")])
    out, split = split_by_words(
        [sentence], ["customer"], [["customer", "rep", "customer"]], [[0.9, 0.55, 0.9]]
    )
    assert split == 0
    assert out == [{"start": 0.0, "end": 1.4, "text": "営業は十人ほど", "speaker": "customer"}]


def test_segments_without_words_keep_their_segment_label():
    plain = {"start": 1.0, "end": 2.0, "text": "はい"}
    out, split = split_by_words([plain], ["rep"], [[]], [[]])
    assert (out, split) == ([{"start": 1.0, "end": 2.0, "text": "はい", "speaker": "rep"}], 0)


# ── real engines ────────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="session")
def engine_config() -> transcription.EngineConfig:
    from django.conf import settings

    assert Path(settings.AIZUCHI_WHISPER_MODEL_DIR).is_dir()
    return transcription.engine_config_from_settings()


@pytest.mark.real_engine
@pytest.mark.parametrize("engine", ["faster-whisper", "openai-whisper"])
def test_both_engines_give_word_timings_that_spell_the_segment(engine, engine_config):
    config = replace(
        engine_config, engine=engine, compute_type="int8" if engine == "faster-whisper" else "float32"
    )
    result = transcription.transcribe(read_mono(JFK), config=config, language="en")
    assert result.segments
    for seg in result.segments:
        assert seg.words, "word timings missing"
        assert join_words(seg.words) == seg.text
        starts = [w.start for w in seg.words]
        assert starts == sorted(starts)
        assert seg.start - 0.05 <= seg.words[0].start and seg.words[-1].end <= seg.end + 0.05
    words = [w for s in result.segments for w in s.words]
    country = next(w for w in words if "country" in w.text.lower())
    assert 3.0 < country.start < 11.0  # "ask not what your country" is said in the second half


@pytest.mark.real_engine
def test_without_word_timings_the_engine_gives_plain_segments(engine_config):
    config = replace(engine_config, word_timestamps=False)
    result = transcription.transcribe(read_mono(JFK), config=config, language="en")
    assert result.segments and all(seg.words == () for seg in result.segments)


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory, engine_config):
    """The synthetic meeting decoded (stereo and mono) and transcribed once, with word timings."""
    folder = tmp_path_factory.mktemp("synthetic")
    stereo = audio.decode_to_wav(SYNTHETIC / "meeting_stereo.flac", folder / "stereo.wav", channels=2).path
    mono = audio.decode_to_wav(SYNTHETIC / "meeting_mono.flac", folder / "mono.wav", channels=1).path
    enrol = audio.decode_to_wav(SYNTHETIC / "rep_enrolment.flac", folder / "enrol.wav", channels=1).path
    turns = json.loads((SYNTHETIC / "turns.json").read_text(encoding="utf-8"))["turns"]
    reference = [(t["start"], t["end"], t["speaker"]) for t in turns]

    def transcript(path):
        result = transcription.transcribe(audio.read_samples(path), config=engine_config, language="ja")
        return [_segment_dict(s) for s in result.segments]

    return {
        "stereo": (stereo, transcript(stereo)),
        "mono": (mono, transcript(mono)),
        "enrolment": voice_embedding(read_mono(enrol)),
        "reference": reference,
    }


def hypothesis(segments):
    return [(s["start"], s["end"], s["speaker"]) for s in segments]


def spoken_by(segments, role, words):
    return any(s["speaker"] == role and words in s["text"] for s in segments)


@pytest.mark.real_engine
@pytest.mark.parametrize("kind", ["stereo", "mono"])
def test_splitting_at_speaker_changes_lowers_role_confusion(synthetic, kind):
    # Given the synthetic meeting, transcribed, where Whisper merges short replies into the other side
    wav, segments = synthetic[kind]
    enrolment = synthetic["enrolment"] if kind == "mono" else None
    # When speakers are attributed per segment, and per word with splitting
    whole = attribute_segments(wav, segments, enrolment=enrolment, split=False)
    split = attribute_segments(wav, segments, enrolment=enrolment)
    # Then less speech is given the wrong role, and segments were split
    before = role_confusion(synthetic["reference"], hypothesis(whole.segments))
    after = role_confusion(synthetic["reference"], hypothesis(split.segments))
    assert split.split >= 2 and len(split.segments) > len(whole.segments)
    assert after < before - 0.01, (before, after)
    # (mostly because less speech is given to the wrong side: word times are tighter, not wronger)
    wrong_before, _ = wrong_role_share(synthetic["reference"], hypothesis(whole.segments))
    wrong_after, _ = wrong_role_share(synthetic["reference"], hypothesis(split.segments))
    assert wrong_after < wrong_before / 2, (wrong_before, wrong_after)
    assert split.method == ("stereo" if kind == "stereo" else "mono-enrolled")
    # And the rep's 「なるほど」, merged by Whisper into the customer's sentence, is the rep's again
    assert spoken_by(split.segments, "rep", "なるほど") and not spoken_by(
        split.segments, "customer", "なるほど"
    )


@pytest.mark.real_engine
def test_stereo_split_gives_the_customer_their_greeting(synthetic):
    wav, segments = synthetic["stereo"]
    result = attribute_segments(wav, segments)
    # 「よろしくお願いします」 is the customer's, though Whisper put it in front of the rep's question
    assert spoken_by(result.segments, "customer", "よろしく")
    assert not spoken_by(result.segments, "rep", "よろしく")
    assert all(s["text"] and s["end"] >= s["start"] for s in result.segments)
