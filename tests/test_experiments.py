"""Experiments: a manager starts one with a seeded random half of the team as the test group;
the service refuses what would spoil it; the period's meetings and outcomes reach the engine."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from deals import services as deal_services
from experiments import services
from experiments.engine import assign_arms
from experiments.models import Experiment
from experiments.selectors import experiment_rep_data
from tests.coaching_pages import FAST_HASHERS
from tests.experiment_helpers import END, START, TODAY, D, add_reps, scored


@pytest.fixture(autouse=True)
def _messages_in_english():
    """These tests read the services' messages in English: a Japanese page rendered by a test
    before (the locale middleware activates the reader's language on the test's thread) must
    not leak into them."""
    from django.utils import translation

    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _start(team, by, **fields):
    values = {
        "title": "提案の前にお客様の課題を聞く",
        "behaviour": "asks",
        "start_on": START,
        "end_on": END,
        "target_share": 0.6,
        "today": TODAY,
        **fields,
    }
    return services.experiment_start(team=team, created_by=by, **values)


def test_manager_starts_an_experiment_with_a_seeded_random_half_of_the_teams_reps(
    north, alice, bob, carol, erin
):
    reps = [alice, bob, *add_reps(north, ["frank", "grace", "heidi"])]
    experiment = _start(north, carol, seed=1234)
    arms = {a.rep_id: a.arm for a in experiment.arms.all()}
    assert set(arms) == {r.pk for r in reps}  # not carol (a manager), not erin (another team)
    assert arms == assign_arms([r.pk for r in reps], 1234)  # the seed shown reproduces the groups
    assert list(arms.values()).count("test") == 2
    assert experiment.assignment == Experiment.Assignment.RANDOM
    assert experiment.bar == 1  # "the customer asked at least once" by default


def test_groups_chosen_by_hand_are_recorded_as_not_drawn(north, alice, bob, carol, erin):
    reps = [alice.pk, bob.pk, add_reps(north, ["frank"])[0].pk]
    drawn = assign_arms(reps, 7)
    drawn_test = [r for r, arm in drawn.items() if arm == "test"]
    not_drawn = [r for r, arm in drawn.items() if arm == "control"][:1]

    chosen = _start(north, carol, test_rep_ids=not_drawn, seed=7)
    assert chosen.assignment == Experiment.Assignment.CHOSEN
    assert {a.rep_id for a in chosen.arms.filter(arm="test")} == set(not_drawn)

    kept = _start(
        north, carol, test_rep_ids=drawn_test, seed=7, start_on=D(2026, 12, 1), end_on=D(2026, 12, 20)
    )
    assert kept.assignment == Experiment.Assignment.RANDOM  # the pre-ticked random half, left as drawn

    with pytest.raises(ValidationError, match="only hold reps of this team"):
        _start(north, carol, test_rep_ids=[erin.pk], start_on=D(2027, 1, 4), end_on=D(2027, 1, 31))
    with pytest.raises(ValidationError, match="Both groups"):
        _start(north, carol, test_rep_ids=[], start_on=D(2027, 1, 4), end_on=D(2027, 1, 31))


def test_what_would_spoil_an_experiment_is_refused_and_nothing_is_stored(north, alice, bob, carol, dave):
    cases = [
        ({"created_by": alice}, "Only the team's manager"),
        ({"created_by": dave}, "Only the team's manager"),
        ({"start_on": D(2026, 10, 1)}, "starts today or later"),
        ({"end_on": D(2026, 11, 1)}, "end comes before the start"),
        ({"target_share": 1.5}, "from 0 to 100%"),
    ]
    for fields, message in cases:
        by = fields.pop("created_by", carol)
        with pytest.raises(ValidationError, match=message):
            _start(north, by, **fields)
    assert not Experiment.objects.exists()


def test_a_second_experiment_overlapping_the_first_is_refused_until_the_first_is_stopped(
    north, alice, bob, carol
):
    first = _start(north, carol)
    with pytest.raises(ValidationError, match="two experiments at once"):
        _start(north, carol, start_on=D(2026, 11, 20), end_on=D(2026, 12, 20))
    services.experiment_stop(experiment=first, today=D(2026, 11, 20))
    assert first.last_day == D(2026, 11, 19) and first.status(D(2026, 11, 20)) == "finished"
    second = _start(north, carol, start_on=D(2026, 11, 20), end_on=D(2026, 12, 20), today=D(2026, 11, 20))
    assert second.status(D(2026, 11, 25)) == "running"
    with pytest.raises(ValidationError, match="already ended"):
        services.experiment_stop(experiment=first, today=D(2026, 11, 21))


def test_a_team_with_one_rep_cannot_run_an_experiment(south, dave, erin):
    with pytest.raises(ValidationError, match="at least two reps"):
        _start(south, dave)


def test_the_periods_meetings_and_deals_reach_the_engine_by_window(north, alice, bob, carol):
    experiment = _start(north, carol, seed=3)
    scored(alice, D(2026, 10, 20), asks=0)  # baseline
    scored(alice, D(2026, 11, 5), asks=2)  # period
    scored(alice, D(2026, 11, 6), asks=0)  # period
    scored(alice, D(2026, 9, 1), asks=5)  # before the baseline: ignored
    scored(bob, D(2026, 11, 25), asks=1)  # period, but after "today" below
    deal = deal_services.deal_create(
        owner=alice,
        customer_name="山田商事",
        name="刷新",
        opened_on=D(2026, 11, 1),
        outcome="won",
        closed_on=D(2026, 11, 10),
    )
    deal_services.deal_attach_meeting(deal=deal, meeting=alice.meetings.get(held_on=D(2026, 11, 5)))
    second = deal_services.deal_create(
        owner=alice,
        customer_name="Globex",
        name="拡張",
        opened_on=D(2026, 11, 1),
        outcome="won",
        closed_on=D(2026, 11, 15),
    )  # a second win of the same rep counts too
    deal_services.deal_attach_meeting(deal=second, meeting=alice.meetings.get(held_on=D(2026, 11, 6)))
    lost_before = deal_services.deal_create(
        owner=alice,
        customer_name="ACME",
        name="Pilot",
        opened_on=D(2026, 9, 1),
        outcome="lost",
        closed_on=D(2026, 11, 12),
    )  # closed in the period, but no meeting in it: not counted
    deal_services.deal_attach_meeting(deal=lost_before, meeting=alice.meetings.get(held_on=D(2026, 9, 1)))

    reps, source = experiment_rep_data(experiment, today=D(2026, 11, 20))
    by_rep = {r.rep_id: r for r in reps}
    assert source == "deals"
    assert by_rep[alice.pk].period == (2, 0) and by_rep[alice.pk].baseline == (0,)
    assert by_rep[alice.pk].period_wins == (True, True)
    assert by_rep[bob.pk].period == ()  # Nov 25 has not happened yet on Nov 20


def test_without_deals_the_outcome_recorded_on_meetings_is_used(north, alice, bob, carol):
    experiment = _start(north, carol)
    scored(alice, D(2026, 11, 5), outcome="won", asks=1)
    scored(bob, D(2026, 11, 6), outcome="lost", asks=0)
    scored(bob, D(2026, 11, 7), outcome="open", asks=0)
    reps, source = experiment_rep_data(experiment, today=datetime.date(2026, 12, 31))
    assert source == "meetings"
    assert {r.rep_id: r.period_wins for r in reps} == {alice.pk: (True,), bob.pk: (False,)}
