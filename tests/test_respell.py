"""Reading-tolerant matching (engine.respell): Whisper's respellings of the rules' phrases
count as those phrases, near-misses that change the meaning do not, and a moment keeps the
words as transcribed."""

import pytest

from coaching.engine import Turn, default_pack, find_moments
from coaching.engine.fast import pack
from coaching.engine.matching import tokenise_turns
from coaching.engine.rules import rule_from_dict

RULES = [r for r in default_pack().rules if r.language == "ja"]


def _moments(rep_text, *, customer="資金繰りが本当に大変でして。", rules=RULES, **kw):
    turns = [Turn(0, "customer", customer, 0.0, 3.0), Turn(1, "rep", rep_text, 3.0, 6.0)]
    return [m for m in find_moments(turns, rules, language="ja", **kw) if m.turn == 1]


def test_whisper_spelling_of_a_rule_phrase_counts_and_keeps_the_transcribed_words():
    text = "オシャル通りですね。"
    exact = _moments(text, tolerant=False)
    assert exact == []  # the rules alone miss it
    (m,) = _moments(text)
    assert m.behaviour == "rep_affirmation"
    assert m.text == text[m.char_start : m.char_end] == "オシャル通り"
    assert m.time == pytest.approx(3.0)


@pytest.mark.parametrize(
    "customer, rep",
    [
        ("来月から始めます。", "そうですか。"),  # one kana from 「そうですね」
        (
            "教育委員会の方針でして。",
            "ある市の教育委員会では、空調を一括で制御しています。",
        ),  # 委員会 ⊃ いいんか
    ],
)
def test_near_misses_that_change_the_meaning_are_not_respelled(customer, rep):
    assert _moments(rep, customer=customer) == _moments(rep, customer=customer, tolerant=False)


def test_a_preference_is_not_turned_into_a_request_for_advice():
    turns = [
        Turn(0, "rep", "和室と洋室がございます。"),
        Turn(1, "customer", "そうですね、和室の方がいいのかもしれません。"),
    ]
    assert find_moments(turns, RULES, language="ja") == find_moments(
        turns, RULES, language="ja", tolerant=False
    )


def test_a_phrase_an_admin_adds_is_tolerated_too():
    rule = rule_from_dict(
        {
            "key": "co-case-dounyu",
            "behaviour": "rep_case_study",
            "language": "ja",
            "kind": "phrase",
            "pattern": "導入事例",
            "speaker": "rep",
        }
    )
    text = "同乳事例をひとつご紹介しますと"  # how Whisper wrote 「導入事例」
    assert _moments(text, rules=[rule], tolerant=False) == []
    (m,) = _moments(text, rules=[rule])
    assert m.text == "同乳事例"


def test_stored_tokens_and_fresh_tokens_give_the_same_moments():
    turns = [
        Turn(0, "customer", "資金繰りが大変でして、どうしたら良いですかね。"),
        Turn(1, "rep", "オシャル通りです。他社さんの同乳事例ですと"),
        Turn(2, "customer", "アドバイスおねがいします。"),
    ]
    tt = tokenise_turns(turns, "ja")
    plain = find_moments(turns, RULES, language="ja", tokens=tt)
    assert plain == find_moments(turns, RULES, language="ja", tokens=pack(tt))
    assert plain == find_moments(turns, RULES, language="ja", tokens=tt, reference=True)
    assert {m.behaviour for m in plain} >= {"rep_affirmation", "customer_asks_for_proposal"}
