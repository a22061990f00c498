"""evaluate_rules command, the shared scoring function and meeting_analyse on the database."""

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from coaching.engine.scoring import compare
from coaching.models import MeetingScore, MeetingTokens, Moment
from coaching.services import meeting_analyse, meeting_rescore

DEV = Path(__file__).parent / "data" / "eval" / "dev.jsonl"


def test_scoring_matches_multisets_per_turn():
    tp, fp, fn, diffs = compare([2, 2, 4], [2, 4, 4, 5])
    assert (tp, fp, fn) == (2, 2, 1)
    assert diffs == {2: (2, 1), 4: (1, 2), 5: (0, 1)}


@pytest.mark.django_db
@pytest.mark.real_engine
def test_evaluate_rules_json_gives_scores_per_language_and_behaviour(tmp_path):
    out = StringIO()
    preds = tmp_path / "pred.jsonl"
    call_command("evaluate_rules", str(DEV), "--json", "--predictions", str(preds), stdout=out)
    report = json.loads(out.getvalue())
    assert set(report) == {"ja", "en"}
    assert set(report["ja"]["rep_affirmation"]) == {"precision", "recall", "f1", "support"}
    assert report["ja"]["rep_affirmation"]["f1"] >= 0.9
    lines = [json.loads(x) for x in preds.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 8 and set(lines[0]["labels"]) >= {"rep_proposal", "customer_asks_for_proposal"}


@pytest.mark.django_db
@pytest.mark.real_engine
def test_evaluate_rules_lists_misses_and_false_hits(tmp_path):
    meeting = {
        "id": "t",
        "language": "en",
        "turns": [
            {"speaker": "customer", "text": "What would you recommend?"},
            {"speaker": "rep", "text": "Hmm."},
        ],
        "labels": {
            "customer_asks_for_proposal": [],
            "rep_affirmation": [1],
            "rep_case_study": [],
            "rep_proposal": [],
        },
    }
    f = tmp_path / "one.jsonl"
    f.write_text(json.dumps(meeting) + "\n", encoding="utf-8")
    out = StringIO()
    call_command("evaluate_rules", str(f), stdout=out)
    text = out.getvalue()
    assert "MISS" in text and "FALSE HIT" in text and "What would you recommend?" in text


@pytest.mark.django_db
@pytest.mark.real_engine
def test_meeting_analyse_twice_leaves_the_same_rows():
    from meetings.models import Meeting, Segment

    alice = get_user_model().objects.create_user("alice", password="x")
    meeting = Meeting.objects.create(
        owner=alice,
        title="t",
        held_on=date(2026, 1, 5),
        audio="meetings/x/original.wav",
        original_filename="a.wav",
        language="ja",
    )
    lines = [
        ("rep", "弊社の新プランをご紹介させてください。"),
        ("customer", "うちは人手が足りなくて困ってるんです。"),
        ("rep", "なるほど。"),
        ("customer", "どうしたら良いですか？"),
        ("rep", "はい。スタンダードプランをご提案します。"),
    ]
    for i, (speaker, text) in enumerate(lines):
        Segment.objects.create(
            meeting=meeting, index=i, start=i * 10.0, end=i * 10.0 + 9, text=text, speaker=speaker
        )

    meeting_analyse(meeting=meeting)
    first = list(
        Moment.objects.filter(meeting=meeting).values_list(
            "behaviour_key", "turn_index", "char_start", "time"
        )
    )
    meeting_analyse(meeting=meeting)
    second = list(
        Moment.objects.filter(meeting=meeting).values_list(
            "behaviour_key", "turn_index", "char_start", "time"
        )
    )

    assert first == second
    assert ("premature_proposal", 0) in [(b, t) for b, t, *_ in first]
    score = MeetingScore.objects.get(meeting=meeting)
    assert (score.asks, score.proposals, score.premature_proposals) == (1, 2, 1)
    assert score.kpis["ask_to_proposal_latency_median"] is not None
    assert MeetingTokens.objects.filter(meeting=meeting).count() == 1
    assert meeting_rescore(meeting=meeting)
    assert (
        list(
            Moment.objects.filter(meeting=meeting).values_list(
                "behaviour_key", "turn_index", "char_start", "time"
            )
        )
        == first
    )


# ---------------------------------------------------------------- held-out sets
# heldout.jsonl and heldout3.jsonl were written before the rules were read (by two evaluators);
# heldout2.jsonl after the rule changes, without tuning on it; heldout5-7 blind, then the rules
# were generalised from their misses (tests/data/eval/PROVENANCE.md). Floors are the project's
# targets; each blind set's untuned figures are in the README. heldout8 is still blind: no floor.
HELDOUT = Path(__file__).parent / "data" / "eval"
TARGET = {"ja": 0.9, "en": 0.85}


def _scores_on(path, strip_punctuation):
    import dataclasses
    import re

    from coaching.engine import find_moments
    from coaching.engine.rules import default_pack
    from coaching.engine.scoring import labels_from_moments, load_labelled, score

    meetings = load_labelled(path)
    if strip_punctuation:  # Whisper often drops 。、？
        meetings = [
            dataclasses.replace(
                m,
                turns=tuple(dataclasses.replace(t, text=re.sub(r"[。、？！?]", "", t.text)) for t in m.turns),
            )
            for m in meetings
        ]
    rules = list(default_pack().rules)
    preds = {m.id: labels_from_moments(find_moments(m.turns, rules, language=m.language)) for m in meetings}
    return score(meetings, preds)[0]


@pytest.mark.real_engine
@pytest.mark.parametrize(
    ("name", "strip_punctuation"),
    [
        ("heldout.jsonl", False),
        ("heldout.jsonl", True),
        ("heldout2.jsonl", False),
        ("heldout3.jsonl", False),
        ("heldout3.jsonl", True),
        ("heldout5.jsonl", False),
        ("heldout5.jsonl", True),
        ("heldout6.jsonl", False),
        ("heldout6.jsonl", True),
        ("heldout7.jsonl", False),
        ("heldout7.jsonl", True),
    ],
)
def test_default_rules_reach_targets_on_held_out_meetings(name, strip_punctuation):
    # Given meetings the rules were not written from, as typed and as Whisper drops punctuation
    report = _scores_on(HELDOUT / name, strip_punctuation)

    # Then every behaviour in both languages reaches its F1 target
    assert set(report) == {"ja", "en"}
    for lang, behaviours in report.items():
        for behaviour, s in behaviours.items():
            assert s["support"] > 0, (name, lang, behaviour)
            assert s["f1"] >= TARGET[lang], (name, strip_punctuation, lang, behaviour, s)
