"""The learned detector beside the rules, on real dialogue text (ASDC, CC BY 4.0: see
coaching/engine/learned/base/ASDC-LICENSE.txt)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from coaching.engine import default_pack, detect_moments, find_moments
from coaching.engine.learned import BASE_DIR, ModelError, base_model, load_model, save_model
from coaching.engine.learned.train import train_detector
from coaching.engine.scoring import labels_from_moments, load_labelled, score
from coaching.engine.types import ASK, PROPOSAL
from coaching.models import Moment
from coaching.services import meeting_analyse, transcript_analyse

ASDC = BASE_DIR / "asdc-train.jsonl"


def _f1(meetings, rules, model):
    preds = {
        m.id: labels_from_moments(detect_moments(m.turns, rules, language=m.language, model=model))
        for m in meetings
    }
    return score(meetings, preds)[0]["ja"]


@pytest.mark.real_engine
def test_model_trained_on_some_real_dialogues_beats_rules_alone_on_the_others():
    # Given real dialogues labelled by people, split by dialogue
    meetings = load_labelled(ASDC)
    train, test = meetings[::2], meetings[1::2]
    rules = list(default_pack().rules)
    rule_labels = {m.id: labels_from_moments(find_moments(m.turns, rules, language="ja")) for m in train}
    # When a model is trained on one half
    model, report = train_detector(train, name="half", rule_labels=rule_labels, behaviours=(ASK, PROPOSAL))
    # Then on the other half rules + model find far more asks and proposals than the rules
    alone, both = _f1(test, rules, None), _f1(test, rules, model)
    for b in (ASK, PROPOSAL):
        assert both[b]["f1"] >= alone[b]["f1"] + 0.15, (b, alone[b], both[b])
        assert both[b]["recall"] >= 2 * alone[b]["recall"]
    assert report["ja"][ASK]["positives"] >= 20


def test_model_file_is_checked_and_cannot_be_tampered_with(tmp_path):
    model = base_model()
    assert model is not None and model.behaviours("ja")
    path = tmp_path / "m.npz"
    sha = save_model(model, path)
    again = load_model(path, sha)
    assert again.heads.keys() == model.heads.keys()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError):
        load_model(path, sha)
    (tmp_path / "x.npz").write_text("not a model")
    with pytest.raises(ModelError):
        load_model(tmp_path / "x.npz")


@pytest.mark.django_db
@pytest.mark.real_engine
def test_analysed_transcript_says_which_found_each_moment(settings):
    settings.AIZUCHI_DETECTOR = "base"
    # Given a real exchange whose ask and proposal no phrase rule names
    segments = [
        {"speaker": "customer", "text": "家族で温泉に行きたいのですが、子供が楽しめる宿ってありますか？"},
        {"speaker": "rep", "text": "さようでございますか。"},
        {"speaker": "rep", "text": "それでは、キッズルームのある旅館をお探ししましょうか？"},
    ]
    # When it is analysed as the CLI does
    result = transcript_analyse(segments=segments, language="ja")
    by = {(m["behaviour"], m["turn"]): m for m in result["moments"]}
    # Then the model's moments say so, with a score and the labelled turns that support them
    found = [m for m in result["moments"] if m["source"] == "model"]
    assert found, result["moments"]
    for m in found:
        assert 0.0 < m["score"] <= 1.0 and m["examples"]
    assert (ASK, 0) in by and (PROPOSAL, 1) in by  # the rep's two segments are one turn
    assert all(m["source"] in ("rule", "model") for m in result["moments"])


@pytest.mark.django_db
@pytest.mark.real_engine
def test_stored_moments_keep_source_and_score_and_off_means_rules_alone(settings, alice, make_meeting):
    meeting = make_meeting(alice, language="ja")
    for i, (speaker, text) in enumerate(
        [
            ("customer", "駐車場が無料の宿ってありますか？"),
            ("rep", "はい、駅近くの無料駐車場付きホテルがございます、いかがでしょうか？"),
        ]
    ):
        meeting.segments.create(index=i, start=i * 5.0, end=i * 5.0 + 4, text=text, speaker=speaker)
    settings.AIZUCHI_DETECTOR = "base"
    meeting_analyse(meeting=meeting)
    model_rows = Moment.objects.filter(meeting=meeting, source="model")
    assert model_rows.exists() and all(m.score is not None for m in model_rows)
    settings.AIZUCHI_DETECTOR = "off"
    meeting_analyse(meeting=meeting)
    assert not Moment.objects.filter(meeting=meeting, source="model").exists()


@pytest.mark.django_db
@pytest.mark.real_engine
def test_evaluate_rules_compares_rules_model_and_both(tmp_path):
    sample = tmp_path / "asdc.jsonl"
    sample.write_text(
        "".join(ASDC.read_text(encoding="utf-8").splitlines(keepends=True)[:5]), encoding="utf-8"
    )
    out = StringIO()
    call_command("evaluate_rules", str(sample), "--compare", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert set(report) == {"both", "rules", "model"}
    assert report["both"]["ja"][PROPOSAL]["recall"] > report["rules"]["ja"][PROPOSAL]["recall"]


@pytest.mark.django_db
@pytest.mark.real_engine
def test_model_scores_are_cached_with_the_tokens_so_rescoring_reuses_them(settings, alice, make_meeting):
    from coaching.models import MeetingTokens
    from coaching.services import meeting_rescore, scoring_rules_active

    settings.AIZUCHI_DETECTOR = "base"
    meeting = make_meeting(alice, language="ja")
    meeting.segments.create(
        index=0, start=0, end=4, text="子供が楽しめる宿ってありますか？", speaker="customer"
    )
    meeting_analyse(meeting=meeting)
    stored = MeetingTokens.objects.get(meeting=meeting).model_scores
    sr = scoring_rules_active()
    assert stored["model"] == sr.model.digest
    assert sr.cached_scores(stored)[ASK][0] is not None
    before = list(Moment.objects.filter(meeting=meeting).values_list("behaviour_key", "source", "score"))
    assert meeting_rescore(meeting=meeting)
    after = list(Moment.objects.filter(meeting=meeting).values_list("behaviour_key", "source", "score"))
    assert after == before and ("customer_asks_for_proposal", "model") in [(b, s) for b, s, _ in after]
    # a cache made by another model is not used
    assert sr.cached_scores({"model": "other", "values": stored["values"]}) is None
