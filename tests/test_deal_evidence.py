"""Deal KPIs and the evidence page: within-rep differences in win probability that a rep's skill
cannot fake, "not enough data yet" below the minimum, and the simulation that proves it."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from coaching.models import Moment
from deals import services
from deals.engine import DealFacts, MeetingFacts, deal_kpis
from deals.evidence import (
    BEHAVIOUR_BY_KEY,
    MIN_DEALS,
    days_rows,
    evidence,
    naive_difference,
    within_rep_days_difference,
    within_rep_difference,
)
from deals.simulation import generate_deals, run, run_days
from tests.coaching_pages import FAST_HASHERS

D = datetime.date
ASK, PROPOSAL, PREMATURE = "customer_asks_for_proposal", "rep_proposal", "premature_proposal"


def test_deal_kpis_count_meetings_and_days_until_the_first_ask_and_the_proposal_after_it():
    deal = DealFacts(
        1,
        1,
        D(2026, 10, 1),
        D(2026, 11, 1),
        "won",
        (
            MeetingFacts(D(2026, 10, 3), ((PREMATURE, 1, 20.0),)),
            MeetingFacts(D(2026, 10, 10), ((ASK, 5, 100.0),)),
            MeetingFacts(D(2026, 10, 17), ((PROPOSAL, 2, 40.0),)),
        ),
    )
    k = deal_kpis(deal)
    assert (k.meetings, k.meetings_until_ask, k.days_until_ask) == (3, 2, 9)
    assert (k.ask_to_proposal_meetings, k.ask_to_proposal_seconds) == (1, None)
    assert k.premature_share == pytest.approx(1 / 3)
    assert k.days_to_close == 29  # from the first meeting


def test_an_open_deal_with_no_ask_has_no_lead_times():
    k = deal_kpis(DealFacts(1, 1, D(2026, 10, 1), None, "open", (MeetingFacts(D(2026, 10, 2)),)))
    assert (k.meetings_until_ask, k.ask_to_proposal_meetings, k.days_to_close) == (None, None, None)


def test_a_rep_effect_alone_shows_no_behaviour_effect_within_rep():
    # Rep 1 always does it and wins 80%; rep 2 rarely does it and wins 20%: across reps the
    # behaviour looks strong; within each rep it makes no difference.
    rows = []
    for rep, share_doing, wins in ((1, 0.8, 0.8), (2, 0.2, 0.2)):
        for i in range(50):  # doing it (i % 5) and winning (i // 10) are independent per rep
            rows.append((rep, i % 5 < share_doing * 5, i // 10 < wins * 5))
    effect = within_rep_difference(rows, "asked_early", 0.9)
    assert effect.enough and effect.n_deals == 100
    assert abs(effect.estimate) < 1e-9 and effect.low < 0 < effect.high
    assert naive_difference(rows, 0.9)[0] > 0.3  # what an across-rep comparison would claim


def test_below_the_minimum_the_estimate_is_withheld():
    rows = [(1, i % 2 == 0, i % 3 == 0) for i in range(MIN_DEALS - 1)]
    effect = within_rep_difference(rows, "asked_early", 0.9)
    assert not effect.enough and effect.estimate is None and effect.n_deals == MIN_DEALS - 1


def test_looking_at_six_behaviours_widens_each_interval_bonferroni():
    deals = generate_deals(n_deals=80, effect=0.3, seed=4)
    alone = evidence(deals, [BEHAVIOUR_BY_KEY["asked_early"]])[0]
    among_all = next(e for e in evidence(deals) if e.behaviour == "asked_early")
    assert alone.level == pytest.approx(0.90) and among_all.level == pytest.approx(1 - 0.10 / 6)
    assert among_all.estimate == pytest.approx(alone.estimate)
    assert among_all.high - among_all.low > alone.high - alone.low


def test_simulation_recovers_the_planted_effect_where_the_naive_comparison_is_fooled():
    # Fixed seeds; margins far from the bench's averages so this cannot flake.
    planted = [run(n_deals=60, effect=0.3, seed=s) for s in range(1, 11)]
    null = [run(n_deals=60, effect=0.0, seed=s) for s in range(1, 21)]
    assert sum(r["low"] <= 0.3 <= r["high"] for r in planted) >= 8
    assert sum(r["low"] > 0 for r in planted) >= 5
    assert sum(r["low"] > 0 or r["high"] < 0 for r in null) <= 3
    mean = sum(r["estimate"] for r in null) / len(null)
    naive = sum(r["naive"]["estimate"] for r in null) / len(null)
    assert abs(mean) < 0.06 and naive > 0.08  # rep skill shows up as a fake effect only naively


def test_outcome_simulation_command_prints_the_json_the_bench_reads(capsys):
    call_command("outcome_simulation", "--deals", "60", "--effect", "0.3", "--seed", "2", "--json")
    out = json.loads(capsys.readouterr().out)
    assert {"behaviour", "planted_effect", "estimate", "low", "high", "n_deals"} <= set(out)
    assert (
        out["planted_effect"] == 0.3
        and MIN_DEALS <= out["n_deals"] <= 60
        and out["low"] <= out["estimate"] <= out["high"]
    )


@pytest.fixture
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.mark.django_db
@pytest.mark.usefixtures("_fast_passwords")
def test_manager_sees_team_evidence_in_japanese_reps_and_other_managers_do_not(
    client, make_meeting, alice, bob, carol, dave
):
    # Given 40 closed deals of alice and bob, each with a meeting; the customer asked in the
    # first meeting of the deals that were won.
    for i in range(40):
        rep = alice if i % 2 else bob
        won = i % 4 < 2
        deal = services.deal_create(
            owner=rep,
            customer_name=f"C{i}",
            name=f"D{i}",
            opened_on=D(2026, 9, 1),
            outcome="won" if won else "lost",
            closed_on=D(2026, 11, 1),
        )
        meeting = make_meeting(rep, held_on=D(2026, 9, 2))
        services.deal_attach_meeting(deal=deal, meeting=meeting)
        if won or i % 8 == 2:
            Moment.objects.create(
                meeting=meeting, behaviour_key=ASK, turn_index=1, char_start=0, char_end=2, text="x"
            )
    client.force_login(carol)
    page = client.get(reverse("deals:evidence"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "受注につながる行動" in page
    row = page.split('data-behaviour="asked_early"')[1].split("</tr>")[0]
    assert "ポイント高く" in row and '<td class="num">40</td>' in row
    assert "まだデータが足りません" in page.split('data-behaviour="listening"')[1].split("</tr>")[0]
    for outsider in (alice, dave):
        client.force_login(outsider)
        assert client.get(reverse("deals:evidence") + f"?team={carol.profile.team_id}").status_code == 404


# --- days from first meeting to close (won deals) ---


def test_a_rep_who_closes_faster_and_does_it_more_shows_no_days_difference_within_rep():
    rows = []
    for rep, share_doing, days in ((1, 0.8, 20.0), (2, 0.2, 60.0)):
        for i in range(25):  # doing it (i % 5) and the jitter (i // 5) are independent per rep
            rows.append((rep, i % 5 < share_doing * 5, days + (i // 5) * 2))
    effect = within_rep_days_difference(rows, "asked_early", 0.9)
    assert effect.enough and effect.n_deals == 50
    assert abs(effect.estimate) < 1e-9 and effect.low < 0 < effect.high
    assert effect.days_with < effect.days_without - 20  # what an across-rep comparison would claim


def test_days_to_close_below_the_minimum_is_withheld():
    rows = [(1, i % 2 == 0, 30.0 + i) for i in range(MIN_DEALS - 1)]
    effect = within_rep_days_difference(rows, "asked_early", 0.9)
    assert not effect.enough and effect.estimate is None and effect.n_deals == MIN_DEALS - 1


def test_days_simulation_recovers_a_planted_speed_up_that_the_naive_comparison_exaggerates():
    # Fixed seeds; skilled reps close faster and ask early more often.
    planted = [run_days(n_won=60, effect_days=-10, seed=s) for s in range(1, 11)]
    null = [run_days(n_won=60, effect_days=0, seed=s) for s in range(1, 21)]
    assert sum(r["low"] <= -10 <= r["high"] for r in planted) >= 8
    assert sum(r["high"] < 0 for r in planted) >= 4
    assert sum(r["low"] > 0 or r["high"] < 0 for r in null) <= 3
    assert abs(sum(r["estimate"] for r in null) / 20) < 5 and sum(r["naive"] for r in null) / 20 < -8


def test_days_to_close_counts_won_deals_only_from_their_first_meeting():
    def deal(i, outcome, first, closed):
        return DealFacts(i, 1, D(2026, 9, 1), closed, outcome, (MeetingFacts(first, ((ASK, 1, 1.0),)),))

    deals = [
        deal(1, "won", D(2026, 9, 10), D(2026, 9, 30)),
        deal(2, "lost", D(2026, 9, 10), D(2026, 12, 30)),
        deal(3, "won", D(2026, 10, 5), D(2026, 10, 1)),  # a meeting linked after the close: left out
    ]
    rows = days_rows(deals, [BEHAVIOUR_BY_KEY["asked_early"]])["asked_early"]
    assert rows == [(1, True, 20.0)]


@pytest.mark.django_db
@pytest.mark.usefixtures("_fast_passwords")
def test_evidence_page_shows_days_to_close_beside_the_win_rate_in_japanese_and_english(
    client, make_meeting, alice, bob, carol
):
    # Given 48 won deals of alice and bob; those where the customer asked in the first meeting
    # closed about 20 days after it, the others about 50.
    for i in range(48):
        rep = alice if i % 2 else bob
        asked = i % 4 < 2
        first = D(2026, 9, 1)
        deal = services.deal_create(
            owner=rep,
            customer_name=f"C{i}",
            name=f"D{i}",
            opened_on=first,
            outcome="won",
            closed_on=first + datetime.timedelta(days=(20 if asked else 50) + i % 3),
        )
        meeting = make_meeting(rep, held_on=first)
        services.deal_attach_meeting(deal=deal, meeting=meeting)
        if asked:
            Moment.objects.create(
                meeting=meeting, behaviour_key=ASK, turn_index=1, char_start=0, char_end=2, text="x"
            )
    client.force_login(carol)
    page = client.get(reverse("deals:evidence"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    row = page.split('data-behaviour="asked_early"')[1].split("</tr>")[0]
    days = row.split('class="days')[1]
    assert "30 日早く" in days and "受注 48 件" in days
    assert "ポイント" in row.split('class="days')[0]  # the win-rate sentence stays beside it
    page = client.get(reverse("deals:evidence"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = page.split('data-behaviour="asked_early"')[1].split("</tr>")[0]
    assert "closed 30 days sooner" in row
