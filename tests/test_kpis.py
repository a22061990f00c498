"""Meeting KPIs from timed (and untimed) turns."""

import pytest

from coaching.engine import Turn, analyse_turns, compute_kpis
from coaching.engine.kpis import listening_window_seconds
from coaching.engine.types import Moment


def m(behaviour, turn, time):
    return Moment(behaviour, turn, 0, 1, "x", "r", time)


def timed():
    return [
        Turn(0, "rep", "弊社のプランをご説明します。", 0, 60),
        Turn(1, "customer", "うちは困ってまして。", 60, 180),
        Turn(2, "rep", "なるほど。", 180, 190),
        Turn(3, "customer", "どうしたら良いですか？", 190, 200),
        Turn(4, "rep", "月額三万円のプランをご提案します。何か気になる点はありますか？", 200, 300),
    ]


def test_talk_shares_window_and_latency_from_timed_turns():
    turns = timed()
    moments = [
        m("rep_proposal", 0, 10),
        m("rep_affirmation", 2, 180),
        m("customer_asks_for_proposal", 3, 195),
        m("rep_proposal", 4, 210),
    ]
    k = compute_kpis(
        turns, moments, language="ja", window_fraction=0.4, window_min_minutes=0, window_max_minutes=30
    )
    assert k["rep_talk_share"] == pytest.approx(170 / 300, abs=1e-3)
    assert k["listening_window_seconds"] == 120  # 40 % of 300 s
    assert k["listening_window_customer_share"] == pytest.approx(60 / 120, abs=1e-3)
    assert k["ask_to_proposal_latencies"] == [15.0]
    assert k["ask_to_proposal_latency_median"] == 15.0
    assert k["premature_proposal_count"] == 1
    assert k["affirmations_per_customer_minute"] == pytest.approx(1 / (130 / 60), abs=1e-3)
    assert k["longest_rep_monologue_seconds"] == 100
    assert k["rep_question_count"] == 1
    assert k["turns_per_minute"] == pytest.approx(1.0)


def test_text_only_turns_give_counts_but_no_made_up_times():
    turns = [Turn(t.index, t.speaker, t.text) for t in timed()]
    k = analyse_turns(turns, language="ja").kpis
    assert k["rep_proposal_count"] == 2
    assert k["customer_asks_for_proposal_count"] == 1
    for key in (
        "rep_talk_share",
        "listening_window_customer_share",
        "ask_to_proposal_latency_median",
        "turns_per_minute",
    ):
        assert k[key] is None


def test_premature_proposals_are_flagged_as_moments():
    analysis = analyse_turns(timed(), language="ja")
    premature = [x for x in analysis.moments if x.behaviour == "premature_proposal"]
    assert [x.turn for x in premature] == [0]


@pytest.mark.parametrize(("minutes", "expected"), [(60, 24), (90, 30), (30, 20), (10, 10)])
def test_listening_window_scales_with_meeting_length_within_bounds(minutes, expected):
    assert listening_window_seconds(minutes * 60, 0.4, 20, 30) == expected * 60
