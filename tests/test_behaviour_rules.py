"""Rules are data: validation, RE2 safety, packs."""

import time

import pytest

from coaching.engine import Turn, find_moments
from coaching.engine.rules import RuleError, compile_regex, default_pack, parse_pack, rule_from_dict


def test_backreference_is_refused_with_a_clear_message():
    with pytest.raises(RuleError, match="Backreferences"):
        rule_from_dict(
            {
                "key": "bad",
                "behaviour": "rep_proposal",
                "language": "en",
                "kind": "regex",
                "pattern": r"(a+)\1",
            }
        )


def test_huge_pattern_is_refused():
    with pytest.raises(RuleError, match="too"):
        compile_regex("(?:" + "|".join(f"word{i}" for i in range(400)) + ")")


def test_catastrophic_pattern_runs_in_linear_time_on_100kb():
    rx = compile_regex("(a+)+$")
    text = "a" * 100_000 + "b"
    t0 = time.perf_counter()
    assert rx.search(text) is None
    assert time.perf_counter() - t0 < 1.0


def test_default_pack_has_a_version_and_rules_for_every_behaviour_and_language():
    pack = default_pack()
    assert pack.version
    covered = {(r.behaviour, r.language) for r in pack.rules}
    for behaviour in pack.behaviours:
        assert {(behaviour, "ja"), (behaviour, "en")} <= covered


def test_unknown_rule_setting_is_refused():
    with pytest.raises(RuleError, match="unknown"):
        parse_pack(
            {
                "version": 1,
                "rules": [
                    {
                        "key": "k",
                        "behaviour": "b",
                        "language": "ja",
                        "kind": "phrase",
                        "pattern": "x",
                        "colour": 1,
                    }
                ],
            }
        )


@pytest.mark.real_engine
def test_disabled_rule_does_not_fire_and_reading_rule_matches_kana_spellings():
    rule = {
        "key": "r",
        "behaviour": "rep_affirmation",
        "language": "ja",
        "kind": "reading",
        "pattern": "なるほど",
        "speaker": "rep",
    }
    turns = [Turn(0, "customer", "困ってます。"), Turn(1, "rep", "ナルホド。")]
    assert len(find_moments(turns, [rule_from_dict(rule)], language="ja")) == 1
    assert find_moments(turns, [rule_from_dict({**rule, "enabled": False})], language="ja") == []


@pytest.mark.real_engine
def test_token_pattern_rule_matches_on_normalised_form():
    rule = rule_from_dict(
        {
            "key": "p",
            "behaviour": "customer_asks_for_proposal",
            "language": "ja",
            "kind": "pattern",
            "pattern": [{"NORM": "良い"}, {"NORM": "方法"}],
            "speaker": "customer",
        }
    )
    for text in ("いい方法ありますか", "良い方法ありますか", "よい方法ありますか"):
        assert len(find_moments([Turn(0, "customer", text)], [rule], language="ja")) == 1


@pytest.mark.real_engine
@pytest.mark.parametrize("reference", [False, True])
def test_requires_before_reads_the_other_partys_turn_just_before(reference):
    # A promised quote is a proposal only right after the customer asked for a quote
    rule = rule_from_dict(
        {
            "key": "promise",
            "behaviour": "rep_proposal",
            "language": "en",
            "kind": "regex",
            "pattern": r"(?i)\bI'll (?:send|have) it\b",
            "speaker": "rep",
            "requires_before": r"(?i)\bquote\b",
        }
    )
    asked = [Turn(0, "customer", "Can you send me a quote?"), Turn(1, "rep", "Sure, I'll send it tonight.")]
    brochure = [
        Turn(0, "customer", "Can you send me the brochure?"),
        Turn(1, "rep", "Sure, I'll send it tonight."),
    ]
    own_turn = [Turn(0, "rep", "A quote, then."), Turn(1, "rep", "I'll send it tonight.")]
    found = [
        len(find_moments(t, [rule], language="en", reference=reference)) for t in (asked, brochure, own_turn)
    ]
    assert found == [1, 0, 0]
    with pytest.raises(RuleError, match="RE2"):
        rule_from_dict({**rule.__dict__, "requires_before": r"(a)\1"})
